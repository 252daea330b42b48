import type { ServiceBroker } from "moleculer";
import { CrawlStats, type CrawlStatus } from "../services/scheduler/stats";
import { jobType, UsageError } from "./args";
import { pausedText } from "./format";
import { renderTable } from "./table";
import { replParams, type ReplCommand } from "./types";

const USAGE = "usage: crawl status | pause [type] | resume [type] | seed <artist…> | retry-dead [type]";

export function formatStatus(s: CrawlStatus): string {
	const tiers = renderTable(
		["tier", "queued", "leased"],
		(["high", "medium", "low"] as const).map(t => [t, s.tiers[t].queued, s.tiers[t].leased])
	);
	const eta = CrawlStats.eta(s, "unknown");
	return `${tiers}\n\ndone ${s.done}, dead-letter ${s.dead}, failures (10 min) ${s.recentFailures}, rate ${s.ratePerMin}/min, ETA ${eta}, Spotify app mode ${s.spotifyMode}${
		s.paused.length ? `\npaused: ${pausedText(s.paused)}` : ""
	}`;
}

/** The job types the cluster's workers declare (`settings.worker.jobTypes`), as the registry knows them. */
export function clusterJobTypes(broker: ServiceBroker): string[] {
	const types = new Set<string>();
	for (const svc of broker.registry.getServiceList({ onlyAvailable: true }) as Array<{ settings?: { worker?: { jobTypes?: unknown } } }>) {
		const declared = svc.settings?.worker?.jobTypes;
		if (Array.isArray(declared)) for (const t of declared) if (typeof t === "string") types.add(t);
	}
	return [...types].sort();
}

/**
 * The optional job type of pause, resume and retry-dead; more than one word is a mistake, and so
 * is a type no worker of the cluster takes (a typo would pause nothing and say it had).
 */
function typeParam(broker: ServiceBroker, sub: string, rest: string[]): { type?: string } {
	if (rest.length > 1) throw new UsageError(`${sub} takes at most one job type (got ${rest.join(" ")})`);
	return rest[0] ? { type: clusterJobType(broker, rest[0]) } : {};
}

/** A job type some worker of the cluster takes; a typo or an unknown type is a usage error. */
export function clusterJobType(broker: ServiceBroker, text: string): string {
	const type = jobType(text);
	const known = clusterJobTypes(broker);
	if (known.length > 0 && !known.includes(type)) throw new UsageError(`no worker of this cluster takes "${type}" jobs; the job types are ${known.join(", ")}`);
	return type;
}

/** The `crawl` REPL command's logic, apart from the REPL so tests can call it. */
export async function crawlCommand(broker: ServiceBroker, words: string[]): Promise<string> {
	try {
		return await crawlSubcommand(broker, words);
	} catch (err) {
		if (err instanceof UsageError) return `${err.message}\n${USAGE}`;
		throw err;
	}
}

async function crawlSubcommand(broker: ServiceBroker, words: string[]): Promise<string> {
	const [sub, ...rest] = words;
	switch (sub) {
		case undefined:
		case "status":
			if (rest.length) throw new UsageError(`status takes no arguments (got ${rest.join(" ")})`);
			return formatStatus(await broker.call<CrawlStatus, object>("scheduler.status", {}));
		case "pause":
		case "resume": {
			const res = await broker.call<{ paused: string[] }, object>(`scheduler.${sub}`, typeParam(broker, sub, rest));
			return `paused job types: ${pausedText(res.paused)}`;
		}
		case "seed": {
			if (rest.length === 0) return `seed needs at least one artist\n${USAGE}`;
			const res = await broker.call<{ created: number; existing: number }, object>("scheduler.seed", { artists: [rest.join(" ")].flatMap(s => s.split(",")).map(s => s.trim()).filter(Boolean) });
			return `seeded: ${res.created} new, ${res.existing} already known`;
		}
		case "retry-dead": {
			const res = await broker.call<{ retried: number }, object>("scheduler.retryDead", typeParam(broker, sub, rest));
			return `moved ${res.retried} dead-letter job(s) back to the queue`;
		}
		default:
			return `unknown subcommand "${sub}"\n${USAGE}`;
	}
}

export const crawlReplCommand: ReplCommand = {
	command: "crawl [words...]",
	description: "Crawl status, pause/resume per job type, seeds and dead-letter retries",
	allowUnknownParams: true,
	async action(broker, args) {
		// moleculer-repl maps one word per declared argument; the raw line keeps them all.
		const raw = String(replParams(args).rawCommand ?? "");
		try {
			console.log(await crawlCommand(broker, raw.split(/\s+/).filter(Boolean).slice(1)));
		} catch (err) {
			console.log(`crawl: ${(err as Error).message}`);
		}
	}
};
