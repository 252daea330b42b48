import type { Service, ServiceBroker } from "moleculer";
import type { WorkerMethods, WorkerStatus } from "../../mixins/worker.mixin";

export type WorkerService = Service & Pick<WorkerMethods, "setConcurrency" | "workerStatus" | "drain" | "undrain">;

/** The services on this node that lease crawl jobs (they carry the worker mixin's methods). */
export function localWorkers(broker: ServiceBroker): WorkerService[] {
	return (broker.services as Array<Service & Partial<WorkerMethods>>).filter(
		(s): s is WorkerService => typeof s.workerStatus === "function" && typeof s.drain === "function"
	);
}

export function workerStatuses(broker: ServiceBroker): WorkerStatus[] {
	return localWorkers(broker)
		.map(w => w.workerStatus())
		.sort((a, b) => a.service.localeCompare(b.service));
}

/** Running totals of this node's crawl counters, read from its metrics registry. */
export interface NodeCounters {
	/** crawler_tracks_processed_total by stage. */
	tracksProcessed: Record<string, number>;
	/**
	 * crawler_errors_total over all types and kinds but `rate-limited`: a 429 wait is no failure
	 * (the job waits out the limit without spending an attempt), as in the scheduler's recentFailures.
	 */
	jobErrors: number;
	/** crawler_api_calls_total by provider. */
	apiCalls: Record<string, number>;
}

function sumBy(broker: ServiceBroker, metric: string, label: string): Record<string, number> {
	const out: Record<string, number> = {};
	for (const item of broker.metrics.getMetric(metric)?.snapshot() ?? []) {
		const { labels, value } = item as { labels: Record<string, unknown>; value?: number };
		const key = String(labels[label] ?? "");
		out[key] = (out[key] ?? 0) + (value ?? 0);
	}
	return out;
}

/** Null when metrics are off: the counters exist only in the metrics registry. */
export function nodeCounters(broker: ServiceBroker): NodeCounters | null {
	if (!broker.isMetricsEnabled()) return null;
	return {
		tracksProcessed: sumBy(broker, "crawler_tracks_processed_total", "stage"),
		jobErrors: Object.entries(sumBy(broker, "crawler_errors_total", "kind"))
			.filter(([kind]) => kind !== "rate-limited")
			.reduce((n, [, count]) => n + count, 0),
		apiCalls: sumBy(broker, "crawler_api_calls_total", "provider")
	};
}
