/**
 * Gives a service `this.spotify` (undefined without credentials: the chain then uses Deezer only)
 * and `this.deezer`, built from the broker's configuration, rate limited through the service's
 * `limiter(name)` method (the rate-limit mixin) and counted in Prometheus:
 * `crawler_api_calls_total{provider,endpoint}` and `crawler_api_errors_total{provider,endpoint}`.
 *
 * A service using it types itself `ServiceSchema<Settings, Methods & RateLimitMethods, UpstreamVars>`.
 */
import type { Service, ServiceBroker, ServiceSchema } from "moleculer";
import { configFor, type Config } from "../../config";
import { upstreamVars } from "../../config/upstreams";
import type { ConfigOf } from "../../config/vars";
import type { Limiter, LimiterSettings, RateLimitMethods } from "../rate-limit/types";
import { DeezerClient } from "./deezer";
import { SpotifyClient, type SpotifyModeStore } from "./spotify";
import type { CallObserver, Provider } from "./types";

export type UpstreamConfig = ConfigOf<typeof upstreamVars>;

export interface UpstreamVars {
	spotify?: SpotifyClient;
	deezer: DeezerClient;
}

export interface UpstreamMixinOptions {
	/** Where limiters come from. Default: the service's own `limiter(name)`, from the rate-limit mixin. */
	limiter?(service: Service, name: Provider): Limiter;
	/** Default: the broker's configuration. */
	config?(broker: ServiceBroker): UpstreamConfig;
	/** Where the detected Spotify mode is remembered. Default: nowhere (detected again after a restart). */
	modeStore?(service: Service): SpotifyModeStore | undefined;
}

export const API_CALLS_METRIC = "crawler_api_calls_total";
export const API_ERRORS_METRIC = "crawler_api_errors_total";

/**
 * The upstream part of a configuration. Variables missing from it (a config assembled without
 * them) take their defaults, which leaves Spotify off.
 */
export function upstreamConfigOf(config: object): UpstreamConfig {
	const values = config as Record<string, unknown>;
	const out: Record<string, unknown> = {};
	for (const [name, spec] of Object.entries(upstreamVars)) out[name] = name in values ? values[name] : spec.parse(undefined, name);
	return out as UpstreamConfig;
}

/**
 * Resolves the limiter on every call rather than once, so it does not matter whether the
 * rate-limit mixin is ready (or even listed) before this one when the service is created.
 */
function lazyLimiter(name: string, resolve: () => Limiter): Limiter {
	return {
		name,
		schedule: (fn, opts) => resolve().schedule(fn, opts),
		pauseUntil: (untilMs, reason) => resolve().pauseUntil(untilMs, reason),
		rateLimited: retryAfterMs => resolve().rateLimited(retryAfterMs),
		status: () => resolve().status()
	};
}

function serviceLimiter(service: Service, name: string, defaults?: LimiterSettings): Limiter {
	const method = (service as Service & Partial<RateLimitMethods>).limiter;
	if (typeof method !== "function") throw new Error(`Service '${service.name}' uses the upstream mixin without the rate-limit mixin or a limiter option`);
	return method.call(service, name, defaults);
}

/** The accounts service's limiter, the one the users service's token calls pass too. */
function accountsLimiter(service: Service): Limiter {
	return lazyLimiter("spotify-accounts", () => {
		const maxPerWindow = (configFor(service.broker) as Partial<Config>).SPOTIFY_ACCOUNTS_RATE_PER_30S ?? 60;
		return serviceLimiter(service, "spotify-accounts", { maxPerWindow, windowMs: 30_000 });
	});
}

function callCounter(broker: ServiceBroker, provider: Provider): CallObserver | undefined {
	if (!broker.isMetricsEnabled()) return undefined;
	const metrics = broker.metrics;
	// Several services on one broker share the counters; registering again would reset them.
	if (!metrics.getMetric(API_CALLS_METRIC)) {
		metrics.register({ type: "counter", name: API_CALLS_METRIC, labelNames: ["provider", "endpoint"], description: "Upstream API calls" });
	}
	if (!metrics.getMetric(API_ERRORS_METRIC)) {
		metrics.register({ type: "counter", name: API_ERRORS_METRIC, labelNames: ["provider", "endpoint"], description: "Upstream API calls that failed" });
	}
	return (endpoint, ok) => {
		metrics.increment(API_CALLS_METRIC, { provider, endpoint });
		if (!ok) metrics.increment(API_ERRORS_METRIC, { provider, endpoint });
	};
}

export function UpstreamMixin(options: UpstreamMixinOptions = {}): Partial<ServiceSchema> {
	return {
		created(this: Service & Partial<UpstreamVars>): void {
			const config = options.config ? options.config(this.broker) : upstreamConfigOf(configFor(this.broker));
			const limiter = (name: Provider): Limiter =>
				lazyLimiter(name, () => (options.limiter ? options.limiter(this, name) : serviceLimiter(this, name)));
			this.deezer = new DeezerClient({
				baseUrl: config.DEEZER_API_URL,
				limiter: limiter("deezer"),
				timeoutMs: config.UPSTREAM_TIMEOUT_MS,
				onCall: callCounter(this.broker, "deezer")
			});
			const { SPOTIFY_CLIENT_ID: clientId, SPOTIFY_CLIENT_SECRET: clientSecret } = config;
			this.spotify =
				clientId && clientSecret
					? new SpotifyClient({
							accountsUrl: config.SPOTIFY_ACCOUNTS_URL,
							apiUrl: config.SPOTIFY_API_URL,
							clientId,
							clientSecret,
							mode: config.SPOTIFY_MODE,
							modeStore: options.modeStore?.(this),
							limiter: limiter("spotify"),
							// A limiter option stands for every limiter (tests): tokens then pass none.
							...(options.limiter ? {} : { accountsLimiter: accountsLimiter(this) }),
							timeoutMs: config.UPSTREAM_TIMEOUT_MS,
							onCall: callCounter(this.broker, "spotify")
						})
					: undefined;
			if (!this.spotify) this.logger.info("Spotify is not configured (SPOTIFY_CLIENT_ID/SECRET unset): using Deezer only");
		}
	};
}
