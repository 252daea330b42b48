import type Redis from "ioredis";

/**
 * moleculer-web's per-IP counter, kept in Redis so the limit holds for the whole cluster rather
 * than per gateway node. Fixed windows aligned to the clock, so every node agrees on them. When
 * Redis does not answer, the node counts locally: a client is never refused because Redis is down.
 */
export function redisRateLimitStore(redis: Redis, prefix: string) {
	return class RedisRateLimitStore {
		resetTime: number;
		private local = new Map<string, number>();
		private localWindow = 0;

		constructor(private readonly windowMs: number) {
			this.resetTime = this.windowEnd();
		}

		private windowEnd(): number {
			return (Math.floor(Date.now() / this.windowMs) + 1) * this.windowMs;
		}

		async inc(key: string): Promise<number> {
			const end = this.windowEnd();
			this.resetTime = end;
			const redisKey = `${prefix}:api-rate:${end}:${key}`;
			try {
				const [[incErr, count]] = (await redis.multi().incr(redisKey).pexpireat(redisKey, end + 1000).exec()) ?? [[null, 0]];
				if (incErr) throw incErr;
				return Number(count);
			} catch {
				return this.incLocal(key, end);
			}
		}

		private incLocal(key: string, end: number): number {
			if (this.localWindow !== end) {
				this.local.clear();
				this.localWindow = end;
			}
			const count = (this.local.get(key) ?? 0) + 1;
			this.local.set(key, count);
			return count;
		}
	};
}
