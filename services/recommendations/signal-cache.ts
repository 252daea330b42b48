import { NO_SIGNALS, type UserSignals } from "./signals";

/**
 * Each signed-in user's signals (activity.userSignals: three store reads and a catalog call),
 * kept between requests. activity broadcasts `activity.signalsChanged` after a like, unlike,
 * dislike or skip and when it forgets a user, and every node drops that user's entry; liked
 * artists are read from the catalog, so entries with likes also go when the catalog changes. The
 * TTL bounds whatever an event could miss (a node that was partitioned away).
 */
export class SignalCache {
	private readonly entries = new Map<string, { signals: UserSignals; expires: number }>();
	/** Bumped by every drop: a read that started before one may hold what it dropped, and is not kept. */
	private version = 0;

	constructor(
		private readonly ttlMs: number,
		private readonly maxUsers = 10_000
	) {}

	/** The user's signals, read with `fetch` on a miss. NO_SIGNALS (activity not running) is never kept. */
	async get(userId: string, fetch: () => Promise<UserSignals>): Promise<UserSignals> {
		const hit = this.entries.get(userId);
		if (hit && hit.expires > Date.now()) return hit.signals;
		const version = this.version;
		const signals = await fetch();
		if (this.ttlMs > 0 && signals !== NO_SIGNALS && version === this.version) {
			// A Map iterates in insertion order: dropping the first key drops the oldest entry.
			if (!hit && this.entries.size >= this.maxUsers) this.entries.delete(this.entries.keys().next().value as string);
			this.entries.set(userId, { signals, expires: Date.now() + this.ttlMs });
		}
		return signals;
	}

	drop(userId: string): void {
		this.version++;
		this.entries.delete(userId);
	}

	/** The catalog changed: liked artists may have too. */
	dropLiking(): void {
		this.version++;
		for (const [userId, { signals }] of this.entries) if (signals.liked.length > 0) this.entries.delete(userId);
	}

	clear(): void {
		this.version++;
		this.entries.clear();
	}
}
