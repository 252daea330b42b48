import { int, str, type ConfigOf } from "./vars";

/**
 * Outbound rate limits. They are cluster-wide when REDIS_URL is set: the numbers are what the whole
 * cluster may send, not what each node may send.
 */
export const limitVars = {
	SPOTIFY_RATE_PER_30S: int(180, "Spotify Web API calls the cluster may make in any rolling 30 s window.", { min: 1, max: 100000 }),
	SPOTIFY_MAX_CONCURRENT: int(16, "Spotify calls in flight at once across the cluster (bursts of per-item calls queue here instead of timing out); 0 means no cap.", { min: 0, max: 10000 }),
	DEEZER_RATE: int(50, "Deezer API calls the cluster may make in any rolling DEEZER_WINDOW_MS window.", { min: 1, max: 100000 }),
	DEEZER_WINDOW_MS: int(5000, "Length of Deezer's rolling window, in ms.", { min: 100, max: 3600000 }),
	DEEZER_MAX_CONCURRENT: int(10, "Deezer calls in flight at once across the cluster; 0 means no cap.", { min: 0, max: 10000 }),
	LLM_RATE_PER_MIN: int(60, "Calls to the LLM endpoint the cluster may make in any rolling minute.", { min: 1, max: 100000 }),
	LLM_MAX_CONCURRENT: int(4, "LLM calls in flight at once across the cluster; 0 means no cap.", { min: 0, max: 10000 }),
	SCRAPE_DEFAULT_DELAY_MS: int(2000, "Gap between two requests to one scraped host when its robots.txt gives no Crawl-delay, in ms.", {
		min: 0,
		max: 600000
	}),
	LIMITER_JOB_EXPIRATION_MS: int(60000, "Longest a rate-limited call may hold capacity; a crashed node's slots free after this, in ms.", {
		min: 1000,
		max: 3600000
	}),
	LIMITER_ID_PREFIX: str("cratedigger", "Prefix of the limiters' Redis keys; clusters sharing one Redis need different prefixes.", {
		re: /^[A-Za-z0-9._-]{1,50}$/,
		expected: "letters, digits, '.', '_' or '-' (at most 50)"
	}),
	LIMITER_MARGIN_MS: int(10, "Added to every window to cover clock differences between Redis and the nodes, in ms.", {
		min: 0,
		max: 10000
	}),
	LIMITER_REDIS_TIMEOUT_MS: int(500, "A limiter command to Redis slower than this counts as Redis being down, in ms.", { min: 50, max: 30000 }),
	LIMITER_HEALTH_INTERVAL_MS: int(1000, "How often a node in fallback checks whether Redis is back, in ms.", { min: 100, max: 60000 }),
	LIMITER_OVERRIDE_POLL_MS: int(5000, "How often a node re-reads the limit overrides stored in Redis, in ms.", { min: 500, max: 600000 })
};

export type LimitConfig = ConfigOf<typeof limitVars>;

/** Parses only the limit variables, for processes that build their configuration piecemeal (tests, benchmarks). */
export function loadLimitConfig(env: Record<string, string | undefined>): LimitConfig {
	const out: Record<string, unknown> = {};
	for (const [name, spec] of Object.entries(limitVars)) out[name] = spec.parse(env[name], name);
	return out as LimitConfig;
}
