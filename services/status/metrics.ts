import type { ServiceBroker } from "moleculer";
import type { StatusSnapshot } from "./types";

/**
 * The cluster-wide figures of the status page that no single worker knows, exported by the node
 * that runs the status service so Grafana charts the same things. With several such nodes each
 * exports the same values: the dashboard takes `max`.
 */
export const STATUS_METRICS = {
	limit: "status_limiter_limit_per_second",
	paused: "status_limiter_paused_seconds",
	dead: "status_dead_letter_jobs",
	tempo: "status_catalog_tempo_tracks",
	tracklists: "status_tracklists_processed_total"
} as const;

export function registerStatusMetrics(broker: ServiceBroker): void {
	if (!broker.isMetricsEnabled()) return;
	const m = broker.metrics;
	const gauge = (name: string, labelNames: string[], description: string) => {
		if (!m.getMetric(name)) m.register({ type: "gauge", name, labelNames, description });
	};
	gauge(STATUS_METRICS.limit, ["limiter"], "Cluster-wide limit of each upstream limiter, in calls per second");
	gauge(STATUS_METRICS.paused, ["limiter"], "Seconds left in an upstream's pause (0: not paused)");
	gauge(STATUS_METRICS.dead, [], "Jobs in dead-letter");
	gauge(STATUS_METRICS.tempo, ["bpm"], "Catalog tracks per tempo bin; bpm is the bin's lower bound, zero-padded so bins sort");
	if (!m.getMetric(STATUS_METRICS.tracklists)) {
		m.register({ type: "counter", name: STATUS_METRICS.tracklists, labelNames: [], description: "tracklist.processed events this status service received" });
	}
	// Zero from the start, so rate() sees the first tracklist.
	m.increment(STATUS_METRICS.tracklists, {}, 0);
}

export function publishStatusMetrics(broker: ServiceBroker, s: StatusSnapshot): void {
	if (!broker.isMetricsEnabled()) return;
	const m = broker.metrics;
	for (const u of s.upstreams) {
		m.set(STATUS_METRICS.limit, u.limitPerSec, { limiter: u.name });
		m.set(STATUS_METRICS.paused, u.pausedUntil ? Math.max(0, (u.pausedUntil - s.at) / 1000) : 0, { limiter: u.name });
	}
	if (s.crawl) m.set(STATUS_METRICS.dead, s.crawl.dead, {});
	for (const b of s.bpm?.bins ?? []) m.set(STATUS_METRICS.tempo, b.count, { bpm: String(b.from).padStart(3, "0") });
}

export function countTracklist(broker: ServiceBroker): void {
	if (broker.isMetricsEnabled()) broker.metrics.increment(STATUS_METRICS.tracklists, {});
}
