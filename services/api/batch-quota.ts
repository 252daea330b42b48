import { Errors } from "moleculer";
import type { WindowCounter } from "./rate-limit-store";

/*
 * Per-user limits on batch work (actions that declare `batch`): how many items a user submits per
 * hour (cluster-wide with Redis), and how many batch calls of theirs one gateway node runs at
 * once. A single account could otherwise queue tens of thousands of jobs in a few minutes.
 */

export interface BatchLimits {
	itemsPerHour: number;
	concurrent: number;
}

function tooMany(message: string, type: string, retryAfterSec: number): Errors.MoleculerClientError {
	return new Errors.MoleculerClientError(message, 429, type, { retryAfterSec });
}

export class BatchQuota {
	private readonly running = new Map<string, number>();

	constructor(
		private readonly limits: BatchLimits,
		private readonly hourly: WindowCounter
	) {}

	/** Admits one batch call of `items` items for `userId`, or throws a 429; the returned function ends it. */
	async admit(userId: string, items: number): Promise<() => void> {
		const { itemsPerHour, concurrent } = this.limits;
		if (concurrent > 0 && (this.running.get(userId) ?? 0) >= concurrent) {
			throw tooMany(`At most ${concurrent} batch requests of one user run at once; wait for one to finish`, "BATCH_BUSY", 5);
		}
		// The slot is taken before anything is awaited, so concurrent calls cannot all pass the check.
		this.running.set(userId, (this.running.get(userId) ?? 0) + 1);
		let ended = false;
		const end = () => {
			if (ended) return;
			ended = true;
			const left = (this.running.get(userId) ?? 1) - 1;
			if (left > 0) this.running.set(userId, left);
			else this.running.delete(userId);
		};
		if (itemsPerHour > 0) {
			const count = await this.hourly.add(userId, items);
			if (count > itemsPerHour) {
				end();
				await this.hourly.add(userId, -items);
				const retryAfterSec = Math.max(1, Math.ceil((this.hourly.windowEnd() - Date.now()) / 1000));
				throw tooMany(`This request would take you past ${itemsPerHour} batch items this hour`, "BATCH_QUOTA_EXCEEDED", retryAfterSec);
			}
		}
		return end;
	}
}

/** How many items a call submits: the length of the list its action names in `batch.items`, else 1. */
export function batchItems(params: unknown, itemsParam: string): number {
	const list = typeof params === "object" && params !== null ? (params as Record<string, unknown>)[itemsParam] : undefined;
	return Array.isArray(list) ? Math.max(1, list.length) : 1;
}
