import type { ServiceBroker } from "moleculer";
import type { Config } from "../../config";
import type { JobDoc, Tier } from "../scheduler/jobs";
import { TIERS } from "../scheduler/jobs";
import type { CrawlStatus } from "../scheduler/stats";
import { collectLimiterStatus, collectNodeInfo } from "../ops/cluster";
import { actionAvailable } from "../shared/registry";
import { CounterTotals, StatusHistory } from "./history";
import type { BpmView, ErrorsView, StatusSnapshot, TracklistView } from "./types";
import { mergeTracklists, nodeView, tracklistView, upstreamViews } from "./views";

/** The histogram scans the catalog, so it is read every few samples rather than every one. */
const BPM_EVERY = 6;
const TRACKLISTS_SHOWN = 10;
const DEAD_SHOWN = 5;
/** A dead job's last error can hold a whole response body; the page needs its start. */
const ERROR_CHARS = 300;

const zeroTiers = (): Record<Tier, number> => ({ high: 0, medium: 0, low: 0 });

/**
 * Takes one sample of the whole cluster: every node's ops.info, the scheduler's status, the
 * limiters, the catalog's tempo histogram and the latest tracklists. Parts that fail are named in
 * `problems` and the rest is still reported.
 */
export class StatusCollector {
	private readonly totals: CounterTotals;
	private readonly history: StatusHistory;
	private readonly tracklistEvents: TracklistView[] = [];
	private bpm: BpmView | null = null;
	private samplesTaken = 0;

	constructor(
		private readonly broker: ServiceBroker,
		private readonly config: Pick<Config, "STATUS_SAMPLE_MS" | "STATUS_HISTORY_MIN" | "STATUS_BPM_BIN">
	) {
		this.totals = new CounterTotals(2 * config.STATUS_SAMPLE_MS + 10_000);
		this.history = new StatusHistory(config.STATUS_HISTORY_MIN * 60_000);
	}

	/** A `tracklist.processed` event; kept for when no scraper.latest answers. */
	tracklistProcessed(payload: unknown, at: number): void {
		const view = tracklistView(payload, at);
		if (!view) return;
		this.tracklistEvents.unshift(view);
		this.tracklistEvents.splice(TRACKLISTS_SHOWN);
	}

	async sample(): Promise<StatusSnapshot> {
		const problems: string[] = [];
		const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
			try {
				return await fn();
			} catch (err) {
				problems.push(`${what}: ${(err as Error).message}`);
				return null;
			}
		};
		const schedulerUp = actionAvailable(this.broker, "scheduler.status");
		const [infos, crawl, limiters, dead, tracklists] = await Promise.all([
			collectNodeInfo(this.broker),
			schedulerUp ? attempt("scheduler.status", () => this.broker.call<CrawlStatus, object>("scheduler.status", {})) : Promise.resolve(null),
			collectLimiterStatus(this.broker),
			schedulerUp ? attempt("scheduler.dead", () => this.broker.call<JobDoc[], object>("scheduler.dead", { limit: DEAD_SHOWN })) : Promise.resolve(null),
			this.latestTracklists(attempt)
		]);
		if (!schedulerUp) problems.push("no scheduler answers: queue, errors and dead-letter are unknown");
		if (this.samplesTaken++ % BPM_EVERY === 0 || !this.bpm) await this.refreshBpm(attempt, problems);

		const at = Date.now();
		this.totals.observe(infos);
		const countersKnown = infos.some(i => i.counters !== null);
		if (!countersKnown && infos.length) problems.push("metrics are off on every node: tracks, errors and upstream rates are unknown");
		const queued = zeroTiers();
		const leased = zeroTiers();
		for (const t of TIERS) {
			queued[t] = crawl?.tiers[t].queued ?? 0;
			leased[t] = crawl?.tiers[t].leased ?? 0;
		}
		const totals = this.totals.snapshot();
		const sample = this.history.record(at, totals, { queued, leased, dead: crawl?.dead ?? 0 }, countersKnown);

		const errors: ErrorsView = {
			perMin: sample.errorsPerMin,
			recentFailures: crawl?.recentFailures ?? 0,
			dead: crawl?.dead ?? 0,
			latestDead: (dead ?? []).map(j => ({ key: j.key, type: j.type, entity: j.entity, lastError: j.lastError?.slice(0, ERROR_CHARS) ?? null, at: j.updatedAt }))
		};
		return {
			at,
			sampleMs: this.config.STATUS_SAMPLE_MS,
			nodes: infos.map(nodeView),
			crawl,
			tracks: { processed: totals.tracks ?? 0, perMin: sample.tracksPerMin },
			upstreams: upstreamViews(limiters, sample.apiPerSec, at),
			errors,
			bpm: this.bpm,
			tracklists,
			history: this.history.samples(),
			problems
		};
	}

	private async refreshBpm(attempt: <T>(what: string, fn: () => Promise<T>) => Promise<T | null>, problems: string[]): Promise<void> {
		if (!actionAvailable(this.broker, "catalog.tempoHistogram")) {
			problems.push("catalog.tempoHistogram is not available: no BPM histogram");
			return;
		}
		const binSize = this.config.STATUS_BPM_BIN;
		const res = await attempt("catalog.tempoHistogram", () =>
			this.broker.call<{ bins: Array<{ from: number; to: number; count: number }> }, object>("catalog.tempoHistogram", { binSize })
		);
		if (!res) return;
		// Empty bins at either end only squeeze the chart; the ones between stay, gaps are information.
		const first = res.bins.findIndex(b => b.count > 0);
		const last = res.bins.length - 1 - [...res.bins].reverse().findIndex(b => b.count > 0);
		const bins = first < 0 ? [] : res.bins.slice(first, last + 1);
		this.bpm = { binSize, total: res.bins.reduce((n, b) => n + b.count, 0), bins, at: Date.now() };
	}

	/**
	 * scraper.latest knows every node's tracklists; an event reaches one status service only, but
	 * at once and with its processing time. The page shows both, merged.
	 */
	private async latestTracklists(attempt: <T>(what: string, fn: () => Promise<T>) => Promise<T | null>): Promise<StatusSnapshot["tracklists"]> {
		if (!actionAvailable(this.broker, "scraper.latest")) return { sources: ["events"], items: [...this.tracklistEvents] };
		const raw = await attempt("scraper.latest", () => this.broker.call<unknown, object>("scraper.latest", { limit: TRACKLISTS_SHOWN }));
		const list = Array.isArray(raw) ? raw : [];
		const stored = list.map(r => tracklistView(r, null)).filter((v): v is TracklistView => v !== null);
		return { sources: ["scraper", "events"], items: mergeTracklists(stored, this.tracklistEvents, TRACKLISTS_SHOWN) };
	}
}
