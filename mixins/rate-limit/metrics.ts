import type { ServiceBroker } from "moleculer";

export const LIMITER_METRICS = {
	queued: "limiter_queued",
	running: "limiter_running",
	wait: "limiter_wait_seconds",
	hits429: "limiter_429_total",
	pauses: "limiter_pauses_total",
	pausedSeconds: "limiter_paused_seconds_total",
	fallback: "limiter_fallback"
} as const;

const LABELS = ["limiter"];

/** The limiters' Prometheus figures, labelled by limiter. Does nothing when metrics are off. */
export class LimiterMetrics {
	private readonly enabled: boolean;

	constructor(private readonly broker: ServiceBroker) {
		this.enabled = broker.isMetricsEnabled();
		if (!this.enabled) return;
		const m = broker.metrics;
		const gauge = (name: string, description: string) => {
			if (!m.hasMetric(name)) m.register({ type: "gauge", name, labelNames: LABELS, description });
		};
		const counter = (name: string, description: string) => {
			if (!m.hasMetric(name)) m.register({ type: "counter", name, labelNames: LABELS, description });
		};
		gauge(LIMITER_METRICS.queued, "Calls waiting in this node's queue");
		gauge(LIMITER_METRICS.running, "Calls running on this node");
		gauge(LIMITER_METRICS.fallback, "1 while this node uses its local share because Redis is unreachable");
		counter(LIMITER_METRICS.hits429, "429 answers (or Deezer code 4) seen by this node");
		counter(LIMITER_METRICS.pauses, "Cluster-wide pauses this node started or extended");
		counter(LIMITER_METRICS.pausedSeconds, "Seconds of pause this node added");
		if (!m.hasMetric(LIMITER_METRICS.wait)) {
			m.register({
				type: "histogram",
				name: LIMITER_METRICS.wait,
				labelNames: LABELS,
				description: "Time from scheduling a call to its start",
				unit: "seconds",
				buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
			});
		}
	}

	queued(limiter: string, n: number): void {
		if (this.enabled) this.broker.metrics.set(LIMITER_METRICS.queued, n, { limiter });
	}

	running(limiter: string, n: number): void {
		if (this.enabled) this.broker.metrics.set(LIMITER_METRICS.running, n, { limiter });
	}

	waited(limiter: string, seconds: number): void {
		if (this.enabled) this.broker.metrics.observe(LIMITER_METRICS.wait, seconds, { limiter });
	}

	rateLimited(limiter: string): void {
		if (this.enabled) this.broker.metrics.increment(LIMITER_METRICS.hits429, { limiter });
	}

	paused(limiter: string, addedSeconds: number): void {
		if (!this.enabled || addedSeconds <= 0) return;
		this.broker.metrics.increment(LIMITER_METRICS.pauses, { limiter });
		this.broker.metrics.increment(LIMITER_METRICS.pausedSeconds, { limiter }, addedSeconds);
	}

	fallback(limiter: string, on: boolean): void {
		if (this.enabled) this.broker.metrics.set(LIMITER_METRICS.fallback, on ? 1 : 0, { limiter });
	}
}
