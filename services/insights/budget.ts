/**
 * The per-user daily token budget. Every LLM call is charged what the server reported (input plus
 * output), invalid answers included; a call is refused when the tokens already used plus what it
 * could take would go over the budget. Days are UTC days.
 */
import { Errors } from "moleculer";
import type { Collection } from "../../mixins/store/types";
import type { UsageDoc } from "./model";
import { dayKey } from "./periods";

export class BudgetError extends Errors.MoleculerClientError {
	constructor(userId: string, used: number, wanted: number, budget: number) {
		super(
			`Daily LLM token budget reached: ${used} of ${budget} tokens used today (UTC), and this insight could take up to ${wanted} more; try again tomorrow`,
			429,
			"BUDGET_EXCEEDED",
			{ userId, used, wanted, budget }
		);
		this.name = "BudgetError";
	}
}

const usageId = (userId: string, day: string) => `${userId}|${day}`;

export async function tokensUsed(usage: Collection<UsageDoc>, userId: string, now: number): Promise<number> {
	return (await usage.findOne({ _id: usageId(userId, dayKey(now)) }))?.tokens ?? 0;
}

/** Throws a BudgetError unless `wanted` more tokens fit in today's budget. */
export async function assertBudget(usage: Collection<UsageDoc>, userId: string, wanted: number, budget: number, now: number): Promise<void> {
	const used = await tokensUsed(usage, userId, now);
	if (used + wanted > budget) throw new BudgetError(userId, used, wanted, budget);
}

export async function charge(usage: Collection<UsageDoc>, userId: string, tokens: number, now: number): Promise<number> {
	const day = dayKey(now);
	const doc = await usage.upsert({ _id: usageId(userId, day) }, { $inc: { tokens }, $set: { userId, day, updatedAt: now } });
	return doc.tokens;
}
