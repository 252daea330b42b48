import type Redis from "ioredis";

/*
 * Access tokens are checked without a call to `users`, so a deleted account's token would go on
 * working until it expires. The users service broadcasts `users.deleted` with the time its last
 * token expires; every gateway refuses that account's tokens until then. With Redis the list is
 * shared too, so a gateway that starts later (or missed the event) still knows it.
 */
export class RevokedUsers {
	private readonly until = new Map<string, number>();

	constructor(
		private readonly redis: Redis | undefined,
		private readonly redisKey: string
	) {}

	has(userId: string): boolean {
		const until = this.until.get(userId);
		if (until === undefined) return false;
		if (until > Date.now()) return true;
		this.until.delete(userId);
		return false;
	}

	async add(userId: string, untilMs: number): Promise<void> {
		this.until.set(userId, Math.max(untilMs, this.until.get(userId) ?? 0));
		if (!this.redis) return;
		try {
			await this.redis.multi().zadd(this.redisKey, untilMs, userId).zremrangebyscore(this.redisKey, 0, Date.now()).exec();
		} catch {
			// This node knows; the others got the event too.
		}
	}

	/** Loads what other gateways recorded, for a gateway that starts after a deletion. */
	async load(): Promise<void> {
		if (!this.redis) return;
		try {
			const flat = await this.redis.zrangebyscore(this.redisKey, Date.now(), "+inf", "WITHSCORES");
			for (let i = 0; i + 1 < flat.length; i += 2) this.until.set(flat[i], Number(flat[i + 1]));
		} catch {
			// Redis is down: the events still come.
		}
	}
}
