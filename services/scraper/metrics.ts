/** The scraper's Prometheus metrics, registered once per broker. */
import type { ServiceBroker } from "moleculer";

export const SCRAPER_METRICS = {
	pages: "scraper_pages_total",
	parseMismatch: "scraper_parse_mismatch_total",
	fetchSeconds: "scraper_fetch_seconds",
	processed: "scraper_tracklists_processed_total"
} as const;

export function registerScraperMetrics(broker: ServiceBroker): void {
	if (!broker.isMetricsEnabled()) return;
	const m = broker.metrics;
	if (!m.getMetric(SCRAPER_METRICS.pages)) {
		m.register({ type: "counter", name: SCRAPER_METRICS.pages, labelNames: ["outcome"], description: "Tracklist pages fetched, by outcome (ok, blocked, parse_mismatch, ...)" });
	}
	if (!m.getMetric(SCRAPER_METRICS.parseMismatch)) {
		m.register({ type: "counter", name: SCRAPER_METRICS.parseMismatch, labelNames: ["host"], description: "Pages that claimed tracks but parsed to none" });
	}
	if (!m.getMetric(SCRAPER_METRICS.fetchSeconds)) {
		m.register({ type: "histogram", name: SCRAPER_METRICS.fetchSeconds, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], description: "Time to fetch and parse a tracklist page, limiter wait included" });
	}
	if (!m.getMetric(SCRAPER_METRICS.processed)) {
		m.register({ type: "counter", name: SCRAPER_METRICS.processed, labelNames: ["outcome"], description: "Tracklists stored, by outcome (created, updated, unchanged)" });
	}
}
