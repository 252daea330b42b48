/** fastest-validator schemas of the activity actions, and the checks they cannot express. */
import { Errors } from "moleculer";
import { ACTIVITY_TYPES, type ActivityContext } from "./model";
import { DAY_MS } from "./window";

/** User and track ids are store ids (UUIDs) or provider-style ids: no spaces, slashes or operators. */
export const idParam = { type: "string", min: 1, max: 100, pattern: /^[A-Za-z0-9_.:-]+$/ } as const;

/** Earliest `at` accepted: nothing was streamed to this service before 2000. */
export const EPOCH_FLOOR = Date.UTC(2000, 0, 1);

const msPlayed = { type: "number", integer: true, min: 0, max: DAY_MS, optional: true } as const;
const bpm = { type: "number", min: 20, max: 400, optional: true } as const;
const positionMs = { type: "number", integer: true, min: 0, max: DAY_MS, optional: true } as const;
const source = { type: "string", min: 1, max: 64, pattern: /^[A-Za-z0-9_.:/ -]+$/, optional: true } as const;

/** The context fields a client sends flat in a request body. */
export const contextFields = { bpm, positionMs, source } as const;

/** activity.record: any type, an optional past `at` (imports and backfills). */
export const recordParams = {
	userId: idParam,
	type: { type: "enum", values: [...ACTIVITY_TYPES] },
	trackId: idParam,
	at: { type: "number", integer: true, min: EPOCH_FLOOR, optional: true },
	msPlayed,
	context: { type: "object", optional: true, strict: "remove", props: contextFields }
} as const;

export const playParams = { $$strict: true, id: idParam, msPlayed, ...contextFields } as const;

export const FEEDBACK_TYPES = ["like", "dislike", "skip", "complete"] as const;
export const feedbackParams = { $$strict: true, songId: idParam, type: { type: "enum", values: [...FEEDBACK_TYPES] }, msPlayed, ...contextFields } as const;

export const ANALYTICS_TYPES = ["play", "like", "skip", "share"] as const;
/** POST /analytics/activity: `at` may date an event an offline client is catching up on (see ACTIVITY_MAX_AGE_MS). */
export const analyticsActivityParams = {
	$$strict: true,
	type: { type: "enum", values: [...ANALYTICS_TYPES] },
	trackId: idParam,
	at: { type: "number", integer: true, min: EPOCH_FLOOR, optional: true },
	msPlayed,
	...contextFields
} as const;

/** How far back a client may date an event it sends late. */
export const ACTIVITY_MAX_AGE_MS = 7 * DAY_MS;
/** Clock skew allowed for an `at` in the future. */
export const CLOCK_SKEW_MS = 60_000;

export const limitParam = (fallback: number, max: number) => ({ type: "number", integer: true, min: 1, max, default: fallback, convert: true }) as const;

/** What a client sends flat in a request body, gathered into an event's context. */
export interface ContextFields {
	bpm?: number;
	positionMs?: number;
	source?: string;
}

export function contextOf(p: ContextFields): ActivityContext | undefined {
	const c: ActivityContext = {};
	if (p.bpm !== undefined) c.bpm = p.bpm;
	if (p.positionMs !== undefined) c.positionMs = p.positionMs;
	if (p.source !== undefined) c.source = p.source;
	return Object.keys(c).length ? c : undefined;
}

/** A dated event must not lie in the future; one a client dates must also be recent (late delivery, not rewriting history). */
export function checkAt(at: number | undefined, now: number, maxAgeMs: number): void {
	if (at === undefined) return;
	let problem: string | undefined;
	if (at > now + CLOCK_SKEW_MS) problem = "must not lie in the future";
	else if (at < now - maxAgeMs) problem = `must lie within the last ${Math.round(maxAgeMs / DAY_MS)} days`;
	if (!problem) return;
	throw new Errors.ValidationError(`at ${problem}`, "VALIDATION_ERROR", [{ type: "at", field: "at", message: `The 'at' field (epoch ms) ${problem}.`, actual: at }]);
}
