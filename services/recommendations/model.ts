import type { Doc } from "../../mixins/store/types";
import type { TrackView } from "../catalog/view";
import type { Reason } from "./scoring";

export interface RecommendedTrack extends TrackView {
	score: number;
	reasons: Reason[];
}

/** What the recommendation was built from, so a client can show it and a developer can debug it. */
export interface RecommendationBasis {
	/** The tempo aimed at; null when the list follows taste alone (no cadence, no liked tracks). */
	targetBpm: number | null;
	/** "taste": favourite genres and artists at every tempo, for people who are not running. */
	bpmFrom: "cadence" | "liked" | "default" | "taste";
	genres: string[];
	artists: string[];
	moods: string[];
	likedArtists: number;
	excluded: number;
	/** The genres and artists a refresh asked for in place of the stored preferences. */
	seeds?: { genres: string[]; artists: string[] };
}

/** One user's computed list, kept until `expiresAt`; `_id` is the user id. */
export interface RecommendationDoc extends Doc {
	userId: string;
	items: RecommendedTrack[];
	basis: RecommendationBasis;
	generatedAt: number;
	expiresAt: number;
}

export interface RecommendationView {
	userId: string;
	generatedAt: string;
	expiresAt: string;
	cached: boolean;
	basis: RecommendationBasis;
	count: number;
	items: RecommendedTrack[];
}

export function recommendationView(doc: RecommendationDoc, cached: boolean, limit: number): RecommendationView {
	const items = doc.items.slice(0, limit);
	return {
		userId: doc.userId,
		generatedAt: new Date(doc.generatedAt).toISOString(),
		expiresAt: new Date(doc.expiresAt).toISOString(),
		cached,
		basis: doc.basis,
		count: items.length,
		items
	};
}
