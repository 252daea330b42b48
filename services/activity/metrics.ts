import type { ServiceBroker } from "moleculer";
import type { ActivityType } from "./model";

export const ACTIVITY_EVENTS_METRIC = "activity_events_total";

/** Recorded events by type, for Prometheus. Does nothing when metrics are off. */
export class ActivityMetrics {
	private readonly enabled: boolean;

	constructor(private readonly broker: ServiceBroker) {
		this.enabled = broker.isMetricsEnabled();
		if (this.enabled && !broker.metrics.hasMetric(ACTIVITY_EVENTS_METRIC)) {
			broker.metrics.register({ type: "counter", name: ACTIVITY_EVENTS_METRIC, labelNames: ["type"], description: "Listening events recorded, by type" });
		}
	}

	recorded(type: ActivityType): void {
		if (this.enabled) this.broker.metrics.increment(ACTIVITY_EVENTS_METRIC, { type });
	}
}
