import type { ServiceBroker } from "moleculer";
import type { Tier } from "./jobs";

export interface CrawlStatus {
	tiers: Record<Tier, { queued: number; leased: number }>;
	done: number;
	dead: number;
	/** Failed attempts in the last 10 minutes (retried or not). */
	recentFailures: number;
	/** Jobs finished per minute, over the last 5 minutes. */
	ratePerMin: number;
	/** Seconds until the queue is empty at the current rate; null when idle or unknown. */
	etaSec: number | null;
	paused: string[];
	/** The Spotify app mode the workers detected (or were told). */
	spotifyMode: "unknown" | "extended" | "development";
}

const RATE_WINDOW_MS = 5 * 60_000;
const FAILURE_WINDOW_MS = 10 * 60_000;

/** Progress of the crawl as seen by the scheduler: rates, ETA and the queue-depth metric. */
export class CrawlStats {
	private done: number[] = [];
	private failures: number[] = [];

	constructor(broker: ServiceBroker) {
		if (broker.isMetricsEnabled() && !broker.metrics.getMetric("crawler_queue_depth")) {
			broker.metrics.register({ type: "gauge", name: "crawler_queue_depth", labelNames: ["priority"], description: "Jobs waiting, per priority tier" });
		}
	}

	recordDone(at: number): void {
		this.done.push(at);
		if (this.done.length > 100_000) this.done = this.done.slice(-50_000);
	}

	recordFailure(at: number): void {
		this.failures.push(at);
		if (this.failures.length > 100_000) this.failures = this.failures.slice(-50_000);
	}

	status(base: Pick<CrawlStatus, "tiers" | "done" | "dead" | "paused" | "spotifyMode">): CrawlStatus {
		const now = Date.now();
		this.done = this.done.filter(t => t > now - RATE_WINDOW_MS);
		this.failures = this.failures.filter(t => t > now - FAILURE_WINDOW_MS);
		const ratePerMin = this.done.length / (RATE_WINDOW_MS / 60_000);
		const pending = Object.values(base.tiers).reduce((n, t) => n + t.queued + t.leased, 0);
		const etaSec = pending === 0 ? 0 : ratePerMin > 0 ? Math.round((pending / ratePerMin) * 60) : null;
		return { ...base, recentFailures: this.failures.length, ratePerMin: Math.round(ratePerMin * 10) / 10, etaSec };
	}

	publishQueueDepth(broker: ServiceBroker, tiers: CrawlStatus["tiers"]): void {
		if (!broker.isMetricsEnabled()) return;
		for (const [priority, t] of Object.entries(tiers)) broker.metrics.set("crawler_queue_depth", t.queued, { priority });
	}

	static line(s: CrawlStatus): string {
		const q = (t: Tier) => `${t} ${s.tiers[t].queued}+${s.tiers[t].leased}`;
		const eta = s.etaSec === null ? "?" : `${s.etaSec}s`;
		return `crawl: queued+leased ${q("high")}, ${q("medium")}, ${q("low")} | done ${s.done} | dead ${s.dead} | ${s.ratePerMin}/min | ETA ${eta} | spotify ${s.spotifyMode}${s.paused.length ? ` | paused ${s.paused.join(",")}` : ""}`;
	}
}
