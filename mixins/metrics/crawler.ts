/**
 * The crawl's Prometheus metrics as one list: registered on every node at start-up (by the ops
 * service) with a zero series each, so dashboards and alerts see `crawler_api_errors_total 0`
 * before the first error instead of no series at all. The services that update them register the
 * same definitions when they run alone; whoever comes first wins, and both agree.
 */
import type { ServiceBroker } from "moleculer";

interface MetricDef {
	type: "counter" | "gauge" | "histogram";
	name: string;
	labelNames: string[];
	description: string;
	buckets?: number[];
	/** Label sets that start at 0 (counters only); [{}] is one series without labels. */
	zero?: Array<Record<string, string>>;
	/** Added after seed 000, so it has no rundj_ alias. */
	afterSeed000?: true;
}

export const CRAWLER_METRICS: MetricDef[] = [
	{ type: "counter", name: "crawler_tracks_processed_total", labelNames: ["stage"], description: "Tracks processed", zero: [{ stage: "album" }, { stage: "features" }] },
	{ type: "counter", name: "crawler_errors_total", labelNames: ["type", "kind"], description: "Failed crawl jobs", zero: [{}] },
	{ type: "gauge", name: "crawler_queue_depth", labelNames: ["priority"], description: "Jobs waiting, per priority tier" },
	{ type: "counter", name: "crawler_api_calls_total", labelNames: ["provider", "endpoint"], description: "Upstream API calls", zero: [{ provider: "spotify" }, { provider: "deezer" }] },
	{ type: "counter", name: "crawler_api_errors_total", labelNames: ["provider", "endpoint"], description: "Upstream API calls that failed", zero: [{ provider: "spotify" }, { provider: "deezer" }] },
	{
		type: "histogram",
		name: "crawler_job_duration_seconds",
		labelNames: ["type"],
		buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
		description: "Time to run a leased batch"
	},
	// One per job, where the histogram above counts leased batches of up to 50 jobs.
	{ type: "counter", name: "crawler_jobs_finished_total", labelNames: ["type"], description: "Jobs this node's workers completed", zero: [{}], afterSeed000: true }
];

/**
 * Seed 000's (RunDJ) names for the same series, exported beside the current ones by the
 * Prometheus reporter (./prometheus.ts) so its dashboards keep working.
 */
export const SEED_000_ALIASES: Record<string, string> = Object.fromEntries(CRAWLER_METRICS.filter(m => !m.afterSeed000).map(m => [m.name, `rundj_${m.name}`]));

/** Registers what is missing and starts each counter's zero series (an increment by 0 keeps any count already there). */
export function ensureCrawlerMetrics(broker: ServiceBroker): void {
	if (!broker.isMetricsEnabled()) return;
	const metrics = broker.metrics;
	for (const def of CRAWLER_METRICS) {
		const { zero, afterSeed000: _, ...definition } = def;
		if (!metrics.getMetric(def.name)) metrics.register(definition as Parameters<typeof metrics.register>[0]);
		for (const labels of zero ?? []) metrics.increment(def.name, labels, 0);
	}
}

/** Moleculer's own metrics (and the process and OS ones) are left as Moleculer reports them. */
const BUILT_IN = /^(moleculer|process|os)\./;

/**
 * Every counter the node's services registered that has no series yet gets one at 0 without
 * labels, so `rate()` and alerts on it work before the first event. Called once all local
 * services have started (moleculer.config.ts), when their counters are registered.
 */
export function zeroEmptyCounters(broker: ServiceBroker): string[] {
	if (!broker.isMetricsEnabled()) return [];
	const zeroed: string[] = [];
	for (const metric of broker.metrics.list({ types: "counter" })) {
		if (BUILT_IN.test(metric.name) || (broker.metrics.getMetric(metric.name)?.snapshot().length ?? 0) > 0) continue;
		broker.metrics.increment(metric.name, {}, 0);
		zeroed.push(metric.name);
	}
	return zeroed;
}
