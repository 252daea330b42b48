import type { LimiterSettings } from "./types";

/** Local wall-clock time with sub-millisecond precision, in epoch ms. */
export function clock(): number {
	return performance.timeOrigin + performance.now();
}

/** Starts more than this far ahead are not reserved: the caller is told to ask again later. */
export const LOOKAHEAD_MS = 1000;

/** How soon to ask again when calls that have not ended yet fill the limit or the concurrency cap. */
export const POLL_MS = 20;

export interface ReserveRequest {
	name: string;
	/** The settings this node believes in; the shared store applies Redis' overrides itself. */
	settings: LimiterSettings;
	weight: number;
	token: string;
	/** Jobs of this limiter running on this node now. */
	runningHere: number;
	/** Live nodes running a service that uses this limiter (this one included). */
	nodes: number;
	/** This node's place among them, for its share of the budget. */
	rank: number;
	/** How many of the other nodes are known to use local shares because Redis failed them. */
	peersInFallback: number;
}

export type Reservation =
	/** Start at `startAt` (local epoch ms); `settings` are the ones that applied. */
	| { kind: "ok"; startAt: number; settings: LimiterSettings }
	| { kind: "paused"; until: number }
	/** Nothing reserved; ask again at `until`. */
	| { kind: "wait"; until: number }
	/** The call weighs more than the whole window allows. */
	| { kind: "never"; settings: LimiterSettings };

/** Where reservations come from: Redis (shared) or this process (local and fallback). */
export interface LimiterStore {
	readonly kind: "shared" | "local";
	reserve(req: ReserveRequest): Promise<Reservation>;
	/** Gives back a reservation that will not be used. */
	cancel(name: string, token: string, weight: number): Promise<void>;
	/** The call ended: it leaves the concurrency cap, and counts for one more window. */
	finish(name: string, token: string, weight: number, windowMs: number): Promise<void>;
	/** Extends the pause of `name`; resolves with its end (local epoch ms) and the ms added. */
	pause(name: string, durationMs: number): Promise<{ until: number; extendedMs: number }>;
	/** The end of the pause in force, or 0. */
	pausedUntil(name: string): Promise<number>;
	/** Weight started in the last `windowMs` and the end of the pause in force (or 0), for status reports. */
	usage(name: string, windowMs: number): Promise<{ used: number; pausedUntil: number }>;
}

/** Redis did not answer in time, or the connection is down: the node must fall back. */
export class RedisDownError extends Error {
	override readonly name = "RedisDownError";
}

/** Redis answered with an error from a script: the limiter's keys need rebuilding. */
export class LimiterScriptError extends Error {
	override readonly name = "LimiterScriptError";
}

/** Thrown to callers whose job could not run. */
export class LimiterError extends Error {
	override readonly name = "LimiterError";
	constructor(
		message: string,
		readonly code: "LIMITER_STOPPED" | "LIMITER_JOB_EXPIRED" | "LIMITER_WEIGHT_TOO_HIGH"
	) {
		super(message);
	}
}
