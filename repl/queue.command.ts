import type { ServiceBroker } from "moleculer";
import { TIERS, type JobDoc, type Tier } from "../services/scheduler/jobs";
import type { CrawlStatus } from "../services/scheduler/stats";
import { answer, stringArg, stringOption, UsageError, wholeNumber } from "./args";
import { clip, pausedText, relativeTime } from "./format";
import { renderTable } from "./table";
import { replParams, type ReplCommand } from "./types";

const USAGE = `usage: queue [${TIERS.join("|")}] [--limit <n>]   (n from 1 to 200, default 10)`;

export interface QueueView {
	next: JobDoc[];
	oldestLeases: JobDoc[];
}

export function parseTier(text: string | undefined): Tier | undefined {
	if (text === undefined) return undefined;
	if (!(TIERS as readonly string[]).includes(text)) throw new UsageError(`unknown tier "${text}"; tiers: ${TIERS.join(", ")}`);
	return text as Tier;
}

/** The next jobs to run (of one tier, or all) and the leases that run out first. */
export async function queueReport(broker: ServiceBroker, tier: Tier | undefined, limit: number, now = Date.now()): Promise<string> {
	const [status, view] = await Promise.all([
		broker.call<CrawlStatus, object>("scheduler.status", {}),
		broker.call<QueueView, object>("scheduler.queue", { limit, ...(tier ? { tier } : {}) })
	]);
	const depth = renderTable(
		["tier", "queued", "leased"],
		(tier ? [tier] : TIERS).map(t => [t, status.tiers[t].queued, status.tiers[t].leased])
	);
	const next = view.next.length
		? renderTable(
				["tier", "type", "entity", "runs", "attempts", "last error"],
				view.next.map(j => [j.tier, j.type, clip(j.entity, 40), relativeTime(j.runAt, now), j.attempts, clip(j.lastError, 60)])
			)
		: "(nothing queued)";
	const leases = view.oldestLeases.length
		? renderTable(
				["tier", "type", "entity", "node", "lease ends", "attempts"],
				view.oldestLeases.map(j => [j.tier, j.type, clip(j.entity, 40), j.leaseOwner, relativeTime(j.leaseUntil, now), j.attempts])
			)
		: "(no job is leased)";
	const paused = status.paused.length ? `\npaused: ${pausedText(status.paused)}` : "";
	return `${depth}${paused}\n\nNext jobs${tier ? ` (${tier} tier)` : ""}:\n${next}\n\nOldest leases:\n${leases}`;
}

export const queueCommand: ReplCommand = {
	command: "queue [tier]",
	description: "Queue depth, the next jobs (of one tier: high, medium, low) and the oldest leases",
	options: [{ option: "--limit <n>", description: "rows per table (default 10)" }],
	async action(broker, args) {
		const p = replParams(args);
		await answer("queue", USAGE, async () => {
			const tier = parseTier(stringArg(p, "tier"));
			const limitText = stringOption(p, "limit");
			return queueReport(broker, tier, limitText === undefined ? 10 : wholeNumber(limitText, "--limit", 1, 200));
		});
	}
};
