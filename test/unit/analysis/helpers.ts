import type { Limiter } from "../../../mixins/rate-limit/types";

/** A limiter that runs every call at once and remembers the pauses it was asked for. */
export function freeLimiter(): Limiter & { pauses: number[] } {
	const pauses: number[] = [];
	return {
		name: "free",
		pauses,
		schedule: fn => fn(),
		pauseUntil: async () => undefined,
		rateLimited: async ms => {
			pauses.push(ms);
		},
		status: async () => ({ name: "free", settings: { maxPerWindow: 1, windowMs: 1 }, mode: "local", queued: 0, running: 0, recentRatePerSec: 0 })
	};
}
