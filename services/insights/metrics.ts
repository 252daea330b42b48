import type { ServiceBroker } from "moleculer";

export const INSIGHT_METRICS = {
	generated: "insights_generated_total",
	tokens: "insights_tokens_total",
	latency: "insights_llm_latency_seconds",
	failures: "insights_failures_total",
	snapshots: "insights_snapshots_computed_total"
} as const;

/** Why a generation or ingestion failed, as the failures counter labels it. */
export type FailureReason =
	| "budget"
	| "invalid_output"
	| "rate_limited"
	| "timeout"
	| "upstream"
	| "refused"
	| "rejected"
	| "snapshot_missing"
	| "ingest"
	| "other";

/** The insights service's Prometheus figures. Does nothing when metrics are off. */
export class InsightMetrics {
	private readonly enabled: boolean;

	constructor(private readonly broker: ServiceBroker) {
		this.enabled = broker.isMetricsEnabled();
		if (!this.enabled) return;
		const m = broker.metrics;
		const counter = (name: string, labelNames: string[], description: string) => {
			if (!m.hasMetric(name)) m.register({ type: "counter", name, labelNames, description });
		};
		counter(INSIGHT_METRICS.generated, ["type", "model"], "Insights written, by insight type and model (builtin for the templates)");
		counter(INSIGHT_METRICS.tokens, ["model", "direction"], "LLM tokens used, input and output, as the server reported them");
		counter(INSIGHT_METRICS.failures, ["reason"], "Insight generations and ingestions that failed, by reason");
		counter(INSIGHT_METRICS.snapshots, ["period"], "Snapshots computed (a recomputed period counts again)");
		if (!m.hasMetric(INSIGHT_METRICS.latency)) {
			m.register({
				type: "histogram",
				name: INSIGHT_METRICS.latency,
				labelNames: ["model"],
				description: "Time of one successful LLM call",
				unit: "seconds",
				buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60]
			});
		}
	}

	generated(type: string, model: string): void {
		if (this.enabled) this.broker.metrics.increment(INSIGHT_METRICS.generated, { type, model });
	}

	llmCall(model: string, tokensIn: number, tokensOut: number, latencyMs: number): void {
		if (!this.enabled) return;
		this.broker.metrics.increment(INSIGHT_METRICS.tokens, { model, direction: "in" }, tokensIn);
		this.broker.metrics.increment(INSIGHT_METRICS.tokens, { model, direction: "out" }, tokensOut);
		this.broker.metrics.observe(INSIGHT_METRICS.latency, latencyMs / 1000, { model });
	}

	failed(reason: FailureReason): void {
		if (this.enabled) this.broker.metrics.increment(INSIGHT_METRICS.failures, { reason });
	}

	snapshots(counts: Record<string, number>): void {
		if (!this.enabled) return;
		for (const [period, n] of Object.entries(counts)) if (n > 0) this.broker.metrics.increment(INSIGHT_METRICS.snapshots, { period }, n);
	}
}
