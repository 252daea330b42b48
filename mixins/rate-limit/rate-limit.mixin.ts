/**
 * Gives a service named outbound rate limiters: `this.limiter("spotify")`, `this.limiter("deezer")`,
 * `this.limiter("llm")`, `this.hostLimiter(host, crawlDelay)`, or `this.limiter(name, defaults)`.
 *
 * With REDIS_URL the limits hold for the whole cluster; without it, each node keeps to its share.
 * The services of one node share one set of limiters and one Redis connection.
 *
 * Each service using the mixin also answers `<service>.limiterStatus` (for the REPL's `limits`) and
 * listens to the `limits.*` events through which nodes tell each other about overrides, pauses and
 * fallbacks.
 */
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { LIMIT_EVENTS, type LimitsChangedEvent, type LimitsFallbackEvent, type LimitsPausedEvent } from "./events";
import { acquireHub, hubOf, releaseHub, type LimiterHub } from "./hub";
import type { Limiter, LimiterSettings, LimiterStatus, RateLimitMethods } from "./types";

export type RateLimitService = Service & RateLimitMethods;

function hub(service: Service): LimiterHub {
	const h = hubOf(service.broker);
	if (!h) throw new Error(`The rate limiters of '${service.name}' are gone (service stopped)`);
	return h;
}

const rateLimitSchema: Partial<ServiceSchema<ServiceSettingSchema, RateLimitMethods>> = {
	actions: {
		/** Every limiter on this node, with its settings, mode, queue and pause. */
		limiterStatus: {
			visibility: "public",
			async handler(this: RateLimitService): Promise<LimiterStatus[]> {
				return hub(this).statusAll();
			}
		}
	},

	events: {
		[LIMIT_EVENTS.changed]: {
			handler(this: RateLimitService, ctx: Context<LimitsChangedEvent>) {
				hubOf(this.broker)?.onChanged(ctx.params);
			}
		},
		[LIMIT_EVENTS.paused]: {
			handler(this: RateLimitService, ctx: Context<LimitsPausedEvent>) {
				hubOf(this.broker)?.onPaused(ctx.params);
			}
		},
		[LIMIT_EVENTS.fallback]: {
			handler(this: RateLimitService, ctx: Context<LimitsFallbackEvent>) {
				hubOf(this.broker)?.onFallback(ctx.params);
			}
		},
		"$node.disconnected": {
			handler(this: RateLimitService, ctx: Context<{ node?: { id?: string } }>) {
				const id = ctx.params?.node?.id;
				if (id) hubOf(this.broker)?.onNodeGone(id);
			}
		}
	},

	methods: {
		limiter(this: RateLimitService, name: string, defaults?: LimiterSettings): Limiter {
			return hub(this).limiter(name, this.name, defaults);
		},
		hostLimiter(this: RateLimitService, host: string, crawlDelaySeconds?: number): Limiter {
			return hub(this).hostLimiter(host, this.name, crawlDelaySeconds);
		}
	},

	created(this: RateLimitService) {
		acquireHub(this.broker);
	},

	async started(this: RateLimitService): Promise<void> {
		await hub(this).start();
	},

	async stopped(this: RateLimitService): Promise<void> {
		await releaseHub(this.broker);
	}
};

/*
 * Exposed as a bare schema piece so services typed by their own methods (or by none) can list it;
 * such a service adds RateLimitMethods to its `this` type to call `this.limiter(...)`.
 */
export const RateLimitMixin = rateLimitSchema as unknown as Partial<ServiceSchema>;
export default RateLimitMixin;
