import { limitVars, type LimitConfig } from "../../config/limits";
import type { LimiterSettings } from "./types";

/** Everything the rate-limit mixin reads from configuration. */
export interface RateLimitOptions {
	/** Limits of the named upstreams: spotify, deezer, llm. */
	named: Record<string, LimiterSettings>;
	scrapeDefaultDelayMs: number;
	expirationMs: number;
	prefix: string;
	marginMs: number;
	redisUrl?: string;
	redisTimeoutMs: number;
	healthIntervalMs: number;
	overridePollMs: number;
}

function pick<K extends keyof LimitConfig>(config: Record<string, unknown>, name: K): LimitConfig[K] {
	const value = config[name];
	// A configuration that does not know the limit variables yet gets their defaults.
	if (value === undefined) return limitVars[name].parse(undefined, name) as LimitConfig[K];
	return value as LimitConfig[K];
}

function cap(n: number): number | undefined {
	return n > 0 ? n : undefined;
}

/** Reads the limits from a configuration object; variables it lacks take their defaults. */
export function limiterSettingsFromConfig(config: Record<string, unknown>): RateLimitOptions {
	const redisUrl = config.REDIS_URL;
	return {
		named: {
			spotify: { maxPerWindow: pick(config, "SPOTIFY_RATE_PER_30S"), windowMs: 30000, maxConcurrent: cap(pick(config, "SPOTIFY_MAX_CONCURRENT")) },
			deezer: { maxPerWindow: pick(config, "DEEZER_RATE"), windowMs: pick(config, "DEEZER_WINDOW_MS"), maxConcurrent: cap(pick(config, "DEEZER_MAX_CONCURRENT")) },
			llm: { maxPerWindow: pick(config, "LLM_RATE_PER_MIN"), windowMs: 60000, maxConcurrent: cap(pick(config, "LLM_MAX_CONCURRENT")) }
		},
		scrapeDefaultDelayMs: pick(config, "SCRAPE_DEFAULT_DELAY_MS"),
		expirationMs: pick(config, "LIMITER_JOB_EXPIRATION_MS"),
		prefix: pick(config, "LIMITER_ID_PREFIX"),
		marginMs: pick(config, "LIMITER_MARGIN_MS"),
		redisUrl: typeof redisUrl === "string" && redisUrl !== "" ? redisUrl : undefined,
		redisTimeoutMs: pick(config, "LIMITER_REDIS_TIMEOUT_MS"),
		healthIntervalMs: pick(config, "LIMITER_HEALTH_INTERVAL_MS"),
		overridePollMs: pick(config, "LIMITER_OVERRIDE_POLL_MS")
	};
}

export function hostLimiterName(host: string): string {
	return `host:${host.trim().toLowerCase()}`;
}

/**
 * One request per crawl delay. robots.txt gives Crawl-delay in seconds (possibly fractional); an
 * absent or zero delay means the configured default, so no host is ever hit unthrottled.
 */
export function hostSettings(crawlDelaySeconds: number | undefined, defaultDelayMs: number): LimiterSettings {
	const ms = crawlDelaySeconds !== undefined && Number.isFinite(crawlDelaySeconds) && crawlDelaySeconds > 0 ? Math.round(crawlDelaySeconds * 1000) : defaultDelayMs;
	return { maxPerWindow: 1, windowMs: Math.max(ms, 1) };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60000, min: 60000, h: 3600000 };

/** Parses an operator's limit such as "120/30s", "50/5s", "60/1m", "10/s" or "5/500ms". */
export function parseLimitSpec(spec: string): LimiterSettings {
	const m = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|min|h)\s*$/i.exec(spec);
	if (!m) throw new Error(`"${spec}" is not a limit; write it as <calls>/<window>, e.g. 120/30s, 50/5s, 60/1m`);
	const maxPerWindow = Number(m[1]);
	const windowMs = Math.round((m[2] === undefined ? 1 : Number(m[2])) * UNITS[m[3].toLowerCase()]);
	if (maxPerWindow < 1 || windowMs < 1) throw new Error(`"${spec}" must allow at least one call in a window of at least 1 ms`);
	return { maxPerWindow, windowMs };
}

export function formatWindow(ms: number): string {
	if (ms % 3600000 === 0) return `${ms / 3600000}h`;
	if (ms % 60000 === 0) return `${ms / 60000}m`;
	if (ms % 1000 === 0) return `${ms / 1000}s`;
	return `${ms}ms`;
}

export function formatSettings(s: LimiterSettings): string {
	return `${s.maxPerWindow}/${formatWindow(s.windowMs)}${s.maxConcurrent ? `, ≤${s.maxConcurrent} at once` : ""}`;
}

export function validSettings(s: LimiterSettings): boolean {
	return (
		Number.isInteger(s.maxPerWindow) &&
		s.maxPerWindow >= 1 &&
		Number.isFinite(s.windowMs) &&
		s.windowMs >= 1 &&
		(s.maxConcurrent === undefined || (Number.isInteger(s.maxConcurrent) && s.maxConcurrent >= 0))
	);
}
