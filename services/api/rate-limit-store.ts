import type Redis from "ioredis";

/**
 * Counts per key in fixed windows aligned to the clock, so every node agrees on them: in Redis
 * when there is one (cluster-wide), locally otherwise. When Redis does not answer, the node
 * counts locally: a client is never refused because Redis is down.
 */
export class WindowCounter {
	private local = new Map<string, number>();
	private localWindow = 0;

	constructor(
		private readonly redis: Redis | undefined,
		private readonly keyPrefix: string,
		readonly windowMs: number
	) {}

	windowEnd(): number {
		return (Math.floor(Date.now() / this.windowMs) + 1) * this.windowMs;
	}

	/** Adds `by` to the key's count in the current window and returns the new count. */
	async add(key: string, by = 1): Promise<number> {
		const end = this.windowEnd();
		if (this.redis) {
			const redisKey = `${this.keyPrefix}:${end}:${key}`;
			try {
				const [[incErr, count]] = (await this.redis.multi().incrby(redisKey, by).pexpireat(redisKey, end + 1000).exec()) ?? [[null, 0]];
				if (incErr) throw incErr;
				return Number(count);
			} catch {
				// Redis is down: count here.
			}
		}
		if (this.localWindow !== end) {
			this.local.clear();
			this.localWindow = end;
		}
		const count = (this.local.get(key) ?? 0) + by;
		this.local.set(key, count);
		return count;
	}
}

/** moleculer-web's per-IP counter, kept in Redis so the limit holds for the whole cluster rather than per gateway node. */
export function redisRateLimitStore(redis: Redis, prefix: string) {
	return class RedisRateLimitStore {
		resetTime: number;
		private readonly counter: WindowCounter;

		constructor(windowMs: number) {
			this.counter = new WindowCounter(redis, `${prefix}:api-rate`, windowMs);
			this.resetTime = this.counter.windowEnd();
		}

		async inc(key: string): Promise<number> {
			this.resetTime = this.counter.windowEnd();
			return this.counter.add(key);
		}
	};
}
