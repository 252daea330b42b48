/**
 * The interface every service sees for outbound rate limiting. One named limiter per upstream
 * ("spotify", "deezer", "llm") and one per scraped host ("host:www.example.com"), shared by the
 * whole cluster through Redis when REDIS_URL is set, local to the process otherwise.
 */

export interface LimiterSettings {
	/** Most calls allowed per `windowMs` for the whole cluster. */
	maxPerWindow: number;
	windowMs: number;
	/** Most calls in flight at once for the whole cluster; undefined means no cap. */
	maxConcurrent?: number;
}

export interface LimiterStatus {
	name: string;
	settings: LimiterSettings;
	mode: "shared" | "local" | "fallback";
	queued: number;
	running: number;
	/** Calls started in the last second on this node. */
	recentRatePerSec: number;
	pausedUntil?: number;
	/** The node that answered. */
	nodeID?: string;
	/** This node's share of `maxPerWindow` in local and fallback mode. */
	budget?: number;
	/** Weight started in the current window: cluster-wide in shared mode, this node's otherwise. */
	usedInWindow?: number;
	/** Set while an operator's override replaces the configured settings. */
	overridden?: boolean;
}

export interface Limiter {
	readonly name: string;
	/**
	 * Runs `fn` when the cluster-wide limit allows it and no pause is in force. `weight` counts a
	 * call as several (a batch endpoint that the upstream counts per item, say).
	 */
	schedule<T>(fn: () => Promise<T>, opts?: { weight?: number; priority?: number }): Promise<T>;
	/**
	 * Pauses this upstream on every node until `untilMs` (epoch ms). A later pause extends an
	 * earlier one; an earlier one never shortens it. Survives the death of the node that set it.
	 */
	pauseUntil(untilMs: number, reason: string): Promise<void>;
	/** Records a 429 (or Deezer's code 4) and pauses for `retryAfterMs`. */
	rateLimited(retryAfterMs: number): Promise<void>;
	status(): Promise<LimiterStatus>;
}

/** What the rate-limit mixin adds to a service. */
export interface RateLimitMethods {
	/**
	 * The limiter `name`. Its settings come from an operator's override, else from configuration
	 * (spotify, deezer, llm), else from `defaults` (the first caller's), else it is an error.
	 */
	limiter(name: string, defaults?: LimiterSettings): Limiter;
	/**
	 * The limiter of one scraped host: one request per robots.txt Crawl-delay (seconds), or per the
	 * configured default delay. Calling it again with another delay updates the limiter.
	 */
	hostLimiter(host: string, crawlDelaySeconds?: number): Limiter;
}
