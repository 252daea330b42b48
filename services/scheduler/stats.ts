import type { ServiceBroker } from "moleculer";
import type { Tier } from "./jobs";

export interface CrawlStatus {
	tiers: Record<Tier, { queued: number; leased: number }>;
	done: number;
	dead: number;
	/** Failed attempts in the last 10 minutes (retried or not). */
	recentFailures: number;
	/** Jobs finished per minute, over the last 5 minutes (or since the first of them, if sooner). */
	ratePerMin: number;
	/**
	 * Seconds until the jobs now waiting are done, each job type at its own recent rate; null until
	 * there is enough to go on (a few seconds and jobs of every waiting type done), 0 when idle.
	 */
	etaSec: number | null;
	/** While discovery runs, more jobs will come than wait now: the ETA is then only a lower bound. */
	etaLowerBound: boolean;
	paused: string[];
	/** The Spotify app mode the workers detected (or were told). */
	spotifyMode: "unknown" | "extended" | "development";
}

export type StatusBase = Pick<CrawlStatus, "tiers" | "done" | "dead" | "paused" | "spotifyMode"> & {
	/** Jobs queued or leased, per job type. */
	pendingByType: Record<string, number>;
};

const RATE_WINDOW_MS = 5 * 60_000;
const FAILURE_WINDOW_MS = 10 * 60_000;
/** Below this span of observations, or this many jobs of a type, a rate says little. */
const MIN_SPAN_MS = 5_000;
const MIN_JOBS = 5;
/** Job types whose jobs make more jobs: while they wait, the total is not known yet. */
const DISCOVERY_TYPES = ["artist.discover"];

/** Progress of the crawl as seen by the scheduler: rates, ETA and the queue-depth metric. */
export class CrawlStats {
	private done: Array<{ at: number; type?: string }> = [];
	private failures: number[] = [];

	constructor(broker: ServiceBroker) {
		if (broker.isMetricsEnabled() && !broker.metrics.getMetric("crawler_queue_depth")) {
			broker.metrics.register({ type: "gauge", name: "crawler_queue_depth", labelNames: ["priority"], description: "Jobs waiting, per priority tier" });
		}
	}

	recordDone(at: number, type?: string): void {
		this.done.push({ at, type });
		if (this.done.length > 100_000) this.done = this.done.slice(-50_000);
	}

	recordFailure(at: number): void {
		this.failures.push(at);
		if (this.failures.length > 100_000) this.failures = this.failures.slice(-50_000);
	}

	/** Job types seen finishing lately, so the scheduler can count what waits of each. */
	typesSeen(): string[] {
		return [...new Set(this.done.flatMap(d => (d.type ? [d.type] : [])))];
	}

	status(base: StatusBase, now = Date.now()): CrawlStatus {
		const { pendingByType, ...rest } = base;
		this.done = this.done.filter(d => d.at > now - RATE_WINDOW_MS);
		this.failures = this.failures.filter(t => t > now - FAILURE_WINDOW_MS);
		// A rate over five minutes three seconds after the start would be a sixtieth of the real one.
		const spanMs = this.done.length ? Math.min(RATE_WINDOW_MS, now - this.done[0].at) : 0;
		const perMin = (n: number) => (spanMs > 0 ? (n * 60_000) / spanMs : 0);
		const ratePerMin = perMin(this.done.length);
		const pending = Object.values(rest.tiers).reduce((n, t) => n + t.queued + t.leased, 0);
		const etaLowerBound = DISCOVERY_TYPES.some(t => (pendingByType[t] ?? 0) > 0);
		return { ...rest, recentFailures: this.failures.length, ratePerMin: Math.round(ratePerMin * 10) / 10, etaSec: pending === 0 ? 0 : this.eta(pendingByType, spanMs, perMin), etaLowerBound };
	}

	/** The slowest waiting type sets the ETA; the types share the upstreams, so each rate already reflects that. */
	private eta(pendingByType: Record<string, number>, spanMs: number, perMin: (n: number) => number): number | null {
		if (spanMs < MIN_SPAN_MS) return null;
		let eta = 0;
		for (const [type, waiting] of Object.entries(pendingByType)) {
			if (waiting === 0) continue;
			const doneOfType = this.done.filter(d => d.type === type).length;
			if (doneOfType < MIN_JOBS) return null;
			eta = Math.max(eta, (waiting / perMin(doneOfType)) * 60);
		}
		return Math.round(eta);
	}

	publishQueueDepth(broker: ServiceBroker, tiers: CrawlStatus["tiers"]): void {
		if (!broker.isMetricsEnabled()) return;
		for (const [priority, t] of Object.entries(tiers)) broker.metrics.set("crawler_queue_depth", t.queued, { priority });
	}

	/** "123 s", "≥ 40 s" while discovery runs, "?" when unknown. */
	static eta(s: Pick<CrawlStatus, "etaSec" | "etaLowerBound">, unknown = "?"): string {
		if (s.etaSec === null) return unknown;
		return `${s.etaLowerBound && s.etaSec > 0 ? "≥ " : ""}${s.etaSec} s`;
	}

	static line(s: CrawlStatus): string {
		const q = (t: Tier) => `${t} ${s.tiers[t].queued}+${s.tiers[t].leased}`;
		return `crawl: queued+leased ${q("high")}, ${q("medium")}, ${q("low")} | done ${s.done} | dead ${s.dead} | ${s.ratePerMin}/min | ETA ${CrawlStats.eta(s)} | spotify ${s.spotifyMode}${s.paused.length ? ` | paused ${s.paused.join(",")}` : ""}`;
	}
}
