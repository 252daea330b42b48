import type { ServiceBroker } from "moleculer";
import type { JobDoc } from "../services/scheduler/jobs";
import { answer, stringArg, stringOption, wholeNumber } from "./args";
import { clusterJobType } from "./crawl.command";
import { clip, relativeTime } from "./format";
import { renderTable } from "./table";
import { replParams, type ReplCommand } from "./types";

const USAGE = "usage: dead [type] [--limit <n>]   (n from 1 to 1000, default 20)";

/** The dead-letter jobs (of one type, or all), newest first, each with its last error. */
export async function deadReport(broker: ServiceBroker, type: string | undefined, limit: number, now = Date.now()): Promise<string> {
	const jobs = await broker.call<JobDoc[], object>("scheduler.dead", { limit, ...(type ? { type } : {}) });
	if (jobs.length === 0) return `no dead-letter jobs${type ? ` of type ${type}` : ""}`;
	const table = renderTable(
		["type", "entity", "tier", "attempts", "died", "kind", "last error"],
		jobs.map(j => [j.type, clip(j.entity, 40), j.tier, j.attempts, relativeTime(j.updatedAt, now), j.lastErrorKind, clip(j.lastError, 200)])
	);
	const more = jobs.length === limit ? ` (the newest ${limit}; --limit shows more)` : "";
	return `${table}\n\n${jobs.length} dead-letter job(s)${more}. crawl retry-dead${type ? ` ${type}` : " [type]"} moves them back to the queue.`;
}

export const deadCommand: ReplCommand = {
	command: "dead [type]",
	description: "Dead-letter jobs (of one job type), newest first, with their last errors",
	options: [{ option: "--limit <n>", description: "how many (default 20)" }],
	async action(broker, args) {
		const p = replParams(args);
		await answer("dead", USAGE, async () => {
			const typeText = stringArg(p, "type");
			const limitText = stringOption(p, "limit");
			return deadReport(broker, typeText === undefined ? undefined : clusterJobType(broker, typeText), limitText === undefined ? 20 : wholeNumber(limitText, "--limit", 1, 1000));
		});
	}
};
