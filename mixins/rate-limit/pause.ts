/**
 * What a node knows about pauses: the ones it set, the ones peers announced, and the ones it read
 * from Redis. In local mode this is the whole truth; in shared mode Redis is the truth and this
 * only saves a round trip when a pause is already known.
 */
export class PauseBook {
	private readonly ends = new Map<string, number>();

	/** Moves the end of `name`'s pause to `untilMs` if that is later; returns how much was added, in ms. */
	extend(name: string, untilMs: number, now: number): number {
		const current = Math.max(this.ends.get(name) ?? 0, now);
		if (untilMs <= current) return 0;
		this.ends.set(name, untilMs);
		return untilMs - current;
	}

	/** The end of the pause in force at `now`, or 0. */
	until(name: string, now: number): number {
		const end = this.ends.get(name) ?? 0;
		if (end > now) return end;
		if (end) this.ends.delete(name);
		return 0;
	}
}

/**
 * Retry-After in ms: delta-seconds ("2") or an HTTP date. Missing or unreadable values give
 * `fallbackMs`, so a 429 always pauses for something.
 */
export function retryAfterMs(header: string | null | undefined, fallbackMs = 1000, now = Date.now()): number {
	if (!header) return fallbackMs;
	const trimmed = header.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const at = Date.parse(trimmed);
	return Number.isNaN(at) ? fallbackMs : Math.max(0, at - now);
}

/** Deezer reports its quota with HTTP 200 and `{"error":{"code":4,...}}`. */
export function isDeezerQuotaError(body: unknown): boolean {
	if (typeof body !== "object" || body === null) return false;
	const error = (body as { error?: unknown }).error;
	return typeof error === "object" && error !== null && (error as { code?: unknown }).code === 4;
}
