import type { Limiter, LimiterStatus } from "./types";

/**
 * A limiter that runs every call at once, for requests no upstream rate limit counts (Spotify's
 * token requests go to the accounts service, not the Web API whose per-app limit the "spotify"
 * limiter keeps): passing them through the upstream's limiter would spend its slots on them.
 */
export class UnthrottledLimiter implements Limiter {
	constructor(readonly name: string) {}

	schedule<T>(fn: () => Promise<T>): Promise<T> {
		return fn();
	}

	async pauseUntil(): Promise<void> {}

	async rateLimited(): Promise<void> {}

	async status(): Promise<LimiterStatus> {
		return { name: this.name, settings: { maxPerWindow: Infinity, windowMs: 1000 }, mode: "local", queued: 0, running: 0, recentRatePerSec: 0 };
	}
}
