/** fastest-validator schemas of the insights service's actions. */
import { INSIGHT_TYPES, TONE_MODES } from "../../config/insights";
import { PERIODS } from "./periods";
import { idParam as userId } from "../users/params";

const id = { type: "string", min: 1, max: 200 } as const;
const limit = { type: "number", integer: true, min: 1, max: 200, default: 30, convert: true } as const;

export const ingestParams = {
	// A user id as the users service gives them out: anything else names nobody and must not start work.
	user_id: { ...userId, optional: true },
	/** Recompute every period from this date on (a repair); by default only what changed since the last run. */
	from: { type: "date", convert: true, optional: true }
} as const;

export const snapshotsParams = {
	user_id: { ...userId, optional: true },
	period: { type: "enum", values: [...PERIODS], optional: true },
	limit
} as const;

export const generateParams = {
	snapshot_id: id,
	insight_type: { type: "enum", values: [...INSIGHT_TYPES] },
	tone_mode: { type: "enum", values: [...TONE_MODES], default: "neutral" }
} as const;

export const insightParams = { id } as const;

export const userInsightsParams = {
	id,
	insight_type: { type: "enum", values: [...INSIGHT_TYPES], optional: true },
	snapshot_id: { ...id, optional: true },
	limit
} as const;
