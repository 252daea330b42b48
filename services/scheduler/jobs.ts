import type { Doc } from "../../mixins/store/types";

export const TIERS = ["high", "medium", "low"] as const;
export type Tier = (typeof TIERS)[number];

export type JobState = "queued" | "leased" | "done" | "dead";

/** What the scheduler knows of a failure; error classes lose their type crossing nodes, `kind` survives. */
export type FailureKind = "retryable" | "rate-limited" | "not-found" | "fatal";

/**
 * Where a job waits: `q|<tier>|<type>` while queued, else its state. Leases ask for exact lanes
 * through an index, so an idle worker polling an empty lane costs next to nothing even when
 * another lane holds 100k jobs.
 */
export function laneOf(state: JobState, tier: Tier, type: string): string {
	return state === "queued" ? `q|${tier}|${type}` : state;
}

export interface JobDoc extends Doc {
	/** Unique: type plus entity, so enqueueing twice is harmless. */
	key: string;
	type: string;
	entity: string;
	payload: Record<string, unknown>;
	tier: Tier;
	state: JobState;
	lane: string;
	/** Epoch ms before which the job is not leased (backoff, rate limits). */
	runAt: number;
	attempts: number;
	/**
	 * Hops from a seed along the shortest path found so far (payload.depth, mirrored here so a
	 * shallower rediscovery can lower it atomically). Absent for jobs without a depth.
	 */
	depth?: number;
	/** Set when a shallower path arrived while the job was leased: it runs again once finished. */
	rerun?: boolean;
	/** Leases that ran out in a row (a worker died or hung); not failures of the job. */
	expiries?: number;
	leaseOwner?: string;
	leaseToken?: string;
	leaseUntil?: number;
	lastError?: string;
	lastErrorKind?: FailureKind;
	/** The last few failures, oldest first. */
	errors?: Array<{ at: number; kind: FailureKind; message: string }>;
	outcome?: string;
	createdAt: number;
	updatedAt: number;
	doneAt?: number;
}

/** The view of a job a worker gets from a lease. */
export interface LeasedJob {
	id: string;
	key: string;
	type: string;
	entity: string;
	payload: Record<string, unknown>;
	attempts: number;
	token: string;
	leaseUntil: number;
}

export function jobKey(type: string, entity: string): string {
	return `${type}:${entity}`;
}

/** Exponential backoff with full jitter in its upper half: spreads retries of a failed batch. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
	const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
	return Math.round(exp / 2 + random() * (exp / 2));
}

/*
 * Weighted rotation of tier order: out of every 10 leases, 6 look at high first, 3 at medium and 1
 * at low. Each lease falls through to the other tiers when its first choice is empty, so no
 * capacity idles, and the low tier gets at least a tenth whenever it has work: it never starves.
 */
const ROTATION: Tier[][] = [
	["high", "medium", "low"],
	["high", "medium", "low"],
	["medium", "high", "low"],
	["high", "medium", "low"],
	["low", "high", "medium"],
	["high", "medium", "low"],
	["medium", "high", "low"],
	["high", "medium", "low"],
	["medium", "high", "low"],
	["high", "low", "medium"]
];

export function tierOrder(turn: number): Tier[] {
	return ROTATION[turn % ROTATION.length];
}

export function toLeased(job: JobDoc): LeasedJob {
	return {
		id: job._id,
		key: job.key,
		type: job.type,
		entity: job.entity,
		payload: job.payload,
		attempts: job.attempts,
		token: job.leaseToken ?? "",
		leaseUntil: job.leaseUntil ?? 0
	};
}

/** The depth a job's payload carries, when it carries one. */
export function depthOf(payload: Record<string, unknown> | undefined): number | undefined {
	const d = payload?.depth;
	return typeof d === "number" && Number.isFinite(d) ? d : undefined;
}
