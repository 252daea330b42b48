import { Errors } from "moleculer";
import type { Collection } from "../../mixins/store/types";
import type { LoginFailureDoc } from "./model";

/**
 * Login throttling per email, kept in the store so every node of a cluster sees the same count:
 * after `maxFailures` wrong passwords within `lockMs`, the email is locked for `lockMs`, right
 * password or not. It slows guessing one account's password; the per-IP limit of the gateway
 * covers guessing across many accounts. A lock is also a way to keep a user out for a while,
 * which is why it is short and lifts by itself.
 */
export class LoginThrottle {
	constructor(
		private readonly failures: Collection<LoginFailureDoc>,
		private readonly maxFailures: number,
		private readonly lockMs: number
	) {}

	/** Throws 429 while the email is locked. */
	async check(email: string): Promise<void> {
		if (this.maxFailures === 0) return;
		const doc = await this.failures.findOne({ _id: email });
		const now = Date.now();
		if (doc?.lockedUntil !== undefined && doc.lockedUntil > now) {
			const retryAfterSec = Math.ceil((doc.lockedUntil - now) / 1000);
			throw new Errors.MoleculerClientError(`Too many failed logins for this email; try again in ${retryAfterSec} s`, 429, "TOO_MANY_LOGIN_ATTEMPTS", {
				retryAfterSec
			});
		}
	}

	async failed(email: string): Promise<void> {
		if (this.maxFailures === 0) return;
		const now = Date.now();
		// Failures older than the lock period no longer count: start a new run.
		await this.failures.delete({ _id: email, firstAt: { $lt: now - this.lockMs } });
		const doc = await this.failures.upsert({ _id: email }, { $inc: { failures: 1 }, $setOnInsert: { firstAt: now } });
		if (doc.failures >= this.maxFailures) {
			await this.failures.update({ _id: email }, { $set: { lockedUntil: now + this.lockMs, failures: 0, firstAt: now } });
		}
	}

	async succeeded(email: string): Promise<void> {
		if (this.maxFailures === 0) return;
		await this.failures.delete({ _id: email });
	}

	async sweep(): Promise<number> {
		const cutoff = Date.now() - this.lockMs;
		return this.failures.delete({ firstAt: { $lt: cutoff }, $or: [{ lockedUntil: { $exists: false } }, { lockedUntil: { $lt: Date.now() } }] }, { multi: true });
	}
}
