import type { ServiceBroker } from "moleculer";
import { configFor } from "../../config";
import type { CheckResult } from "../../services/api/readiness";
import { acquireRedis, releaseRedis } from "../redis";
import { LIMIT_EVENTS, type LimitsChangedEvent } from "./events";
import { hubOf } from "./hub";
import { limiterSettingsFromConfig, validSettings } from "./settings";
import { storeOverride } from "./shared-limiter";
import type { LimiterSettings } from "./types";

/**
 * The limiters' part of the gateway's readiness: not ready while this node runs on its fallback
 * share because Redis is unreachable.
 */
export function limiterReadiness(broker: ServiceBroker): CheckResult {
	return hubOf(broker)?.readiness() ?? { ok: true, detail: "no rate limiter on this node" };
}

/**
 * Changes a limit for the whole cluster at run time (`null` goes back to configuration). With
 * Redis, the override is stored there, where every node's reservations read it at once and new
 * nodes find it; the event tells nodes' status reports and local shares without waiting for
 * their next poll. Without Redis, the event is all there is.
 */
export async function setLimitOverride(broker: ServiceBroker, name: string, settings: LimiterSettings | null): Promise<{ persisted: boolean }> {
	if (settings && !validSettings(settings)) throw new Error(`invalid settings ${JSON.stringify(settings)}`);
	const options = limiterSettingsFromConfig(configFor(broker) as unknown as Record<string, unknown>);
	let persisted = false;
	if (options.redisUrl) {
		const redis = acquireRedis(broker, options.redisUrl);
		try {
			await storeOverride(redis, options.prefix, name, settings, Math.max(options.redisTimeoutMs, 2000));
			persisted = true;
		} finally {
			await releaseRedis(broker);
		}
	}
	const event: LimitsChangedEvent = { name, settings };
	await broker.broadcast(LIMIT_EVENTS.changed, event);
	return { persisted };
}
