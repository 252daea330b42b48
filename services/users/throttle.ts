import { Errors } from "moleculer";
import type { Collection } from "../../mixins/store/types";
import type { LoginFailureDoc } from "./model";

/**
 * Password-guess throttling per account key (the email), kept in the store so every node of a
 * cluster sees the same count. Logins and password changes (their `currentPassword`) share it:
 * both are guesses at one password. Each attempt is counted atomically *before* the password is
 * checked, so a burst of concurrent guesses cannot all pass the check while the first ones are
 * still hashing: after `maxAttempts` attempts within `lockMs` that did not succeed, the key is
 * locked for `lockMs`, right password or not. It slows guessing one account's password; the per-IP
 * limit of the gateway covers guessing across many accounts. A lock is also a way to keep a user
 * out for a while, which is why it is short and lifts by itself.
 */
export class LoginThrottle {
	constructor(
		private readonly failures: Collection<LoginFailureDoc>,
		private readonly maxAttempts: number,
		private readonly lockMs: number
	) {}

	/** Counts one attempt; throws 429 while the key is locked or once this attempt is one too many. */
	async attempt(key: string): Promise<void> {
		if (this.maxAttempts === 0) return;
		const now = Date.now();
		// Attempts older than the lock period no longer count: start a new run.
		await this.failures.delete({ _id: key, firstAt: { $lt: now - this.lockMs }, $or: [{ lockedUntil: { $exists: false } }, { lockedUntil: { $lt: now } }] });
		const doc = await this.failures.upsert({ _id: key }, { $inc: { failures: 1 }, $setOnInsert: { firstAt: now } });
		if (doc.lockedUntil !== undefined && doc.lockedUntil > now) throw locked(doc.lockedUntil - now);
		if (doc.failures > this.maxAttempts) {
			await this.lock(key, now);
			throw locked(this.lockMs);
		}
	}

	/** The attempt was wrong: the key locks now if it has had its last one. */
	async failed(key: string): Promise<void> {
		if (this.maxAttempts === 0) return;
		const doc = await this.failures.findOne({ _id: key });
		if (doc && doc.failures >= this.maxAttempts && !(doc.lockedUntil !== undefined && doc.lockedUntil > Date.now())) await this.lock(key, Date.now());
	}

	async succeeded(key: string): Promise<void> {
		if (this.maxAttempts === 0) return;
		await this.failures.delete({ _id: key });
	}

	async sweep(): Promise<number> {
		const cutoff = Date.now() - this.lockMs;
		return this.failures.delete({ firstAt: { $lt: cutoff }, $or: [{ lockedUntil: { $exists: false } }, { lockedUntil: { $lt: Date.now() } }] }, { multi: true });
	}

	private async lock(key: string, now: number): Promise<void> {
		await this.failures.update({ _id: key }, { $set: { lockedUntil: now + this.lockMs, failures: 0, firstAt: now } });
	}
}

function locked(ms: number): Errors.MoleculerClientError {
	const retryAfterSec = Math.max(1, Math.ceil(ms / 1000));
	return new Errors.MoleculerClientError(`Too many password attempts for this account; try again in ${retryAfterSec} s`, 429, "TOO_MANY_LOGIN_ATTEMPTS", { retryAfterSec });
}
