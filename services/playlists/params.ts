import { tempoSelection } from "../recommendations/params";

/** POST /playlist/bpm/:bpm: the tempo selection plus how long, what to call it and whether to push it to Spotify. */
export const createParams = {
	...tempoSelection,
	duration: { type: "number", min: 1, max: 600, convert: true },
	name: { type: "string", min: 1, max: 100, trim: true, optional: true },
	description: { type: "string", max: 300, trim: true, optional: true },
	public: { type: "boolean", default: false, convert: true },
	spotify: { type: "boolean", default: true, convert: true }
} as const;

export interface CreateParams {
	bpm: number;
	tolerance: number;
	halfDouble: boolean;
	minEnergy?: number;
	genre?: string;
	/** Minutes. */
	duration: number;
	name?: string;
	description?: string;
	public: boolean;
	spotify: boolean;
}

export const idParam = { type: "string", min: 1, max: 100 } as const;
