import type { Limiter, LimiterStatus } from "../../../mixins/rate-limit/types";
import type { SpotifyModeStore } from "../../../mixins/upstream/spotify";
import type { SpotifyMode } from "../../../mixins/upstream/types";

/** Runs every call at once and records what the connectors told it. */
export class PassThroughLimiter implements Limiter {
	scheduled = 0;
	readonly rateLimitedCalls: number[] = [];
	/** Runs before each scheduled call, to tamper with the upstream at exactly that moment. */
	beforeEach?: () => void;

	constructor(readonly name = "test") {}

	schedule<T>(fn: () => Promise<T>): Promise<T> {
		this.scheduled++;
		this.beforeEach?.();
		return fn();
	}

	async pauseUntil(): Promise<void> {}

	async rateLimited(retryAfterMs: number): Promise<void> {
		this.rateLimitedCalls.push(retryAfterMs);
	}

	async status(): Promise<LimiterStatus> {
		return { name: this.name, settings: { maxPerWindow: Infinity, windowMs: 1000 }, mode: "local", queued: 0, running: 0, recentRatePerSec: 0 };
	}
}

/** A mode store in memory, as the service would keep it in its collection or Redis. */
export class MemoryModeStore implements SpotifyModeStore {
	saved: SpotifyMode[] = [];
	loads = 0;

	constructor(private value?: SpotifyMode) {}

	load(): SpotifyMode | undefined {
		this.loads++;
		return this.value;
	}

	save(mode: SpotifyMode): void {
		this.saved.push(mode);
		this.value = mode;
	}
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (err) {
		return err;
	}
	throw new Error("expected the promise to reject");
}

/** Web API requests the simulator answered, leaving out the accounts service. */
export function apiRequests(counts: Record<string, number>): number {
	return Object.entries(counts)
		.filter(([endpoint]) => endpoint.startsWith("GET /v1/"))
		.reduce((sum, [, n]) => sum + n, 0);
}
