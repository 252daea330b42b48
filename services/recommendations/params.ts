/** fastest-validator schemas of the recommendation endpoints; query-string values are converted. */
import { idParam } from "../users/params";

const id = { type: "string", min: 1, max: 100, trim: true } as const;
/** A user id as the users service gives them out: anything else names nobody, and must not start work. */
export const userIdParam = idParam;
const unit = { type: "number", min: 0, max: 1, optional: true } as const;

/** bpm, tolerance, halfDouble, minEnergy and genre: what selects tracks by tempo. */
export const tempoSelection = {
	bpm: { type: "number", min: 30, max: 300, convert: true },
	tolerance: { type: "number", min: 0, max: 30, default: 3, convert: true },
	halfDouble: { type: "boolean", default: false, convert: true },
	minEnergy: { ...unit, convert: true },
	genre: { type: "string", min: 1, max: 100, trim: true, optional: true }
} as const;

export const songsByBpmParams = {
	...tempoSelection,
	limit: { type: "number", integer: true, min: 1, max: 200, default: 50, convert: true },
	cursor: { type: "string", min: 1, max: 500, optional: true },
	excludeDisliked: { type: "boolean", default: true, convert: true }
} as const;

export const forUserParams = {
	id: userIdParam,
	limit: { type: "number", integer: true, min: 1, max: 100, default: 50, convert: true }
} as const;

/** A refresh may name genres and artists to build from instead of the stored preferences, and a size. */
const seedList = { type: "array", optional: true, min: 1, max: 5, items: { type: "string", trim: true, min: 1, max: 100, pattern: /^[^\p{C}]+$/u } } as const;
export const refreshParams = {
	$$strict: true,
	id: userIdParam,
	limit: { type: "number", integer: true, min: 1, max: 100, optional: true },
	seedGenres: seedList,
	seedArtists: seedList
} as const;

export const similarParams = {
	trackId: { ...id, optional: true },
	trackIds: { type: "array", items: id, min: 1, max: 10, optional: true },
	features: {
		type: "object",
		optional: true,
		strict: "remove",
		props: {
			tempo: { type: "number", min: 30, max: 300 },
			energy: unit,
			valence: unit,
			danceability: unit,
			key: { type: "number", integer: true, min: 0, max: 11, optional: true },
			mode: { type: "number", integer: true, min: 0, max: 1, optional: true },
			artists: { type: "array", items: { type: "string", min: 1, max: 200 }, max: 20, optional: true }
		}
	},
	limit: { type: "number", integer: true, min: 1, max: 100, default: 20, convert: true },
	halfDouble: { type: "boolean", default: true, convert: true }
} as const;

export interface SongsByBpmParams {
	bpm: number;
	tolerance: number;
	halfDouble: boolean;
	minEnergy?: number;
	genre?: string;
	limit: number;
	cursor?: string;
	excludeDisliked: boolean;
}

export interface SimilarParams {
	trackId?: string;
	trackIds?: string[];
	features?: { tempo: number; energy?: number; valence?: number; danceability?: number; key?: number; mode?: number; artists?: string[] };
	limit: number;
	halfDouble: boolean;
}
