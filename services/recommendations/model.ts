import type { Doc } from "../../mixins/store/types";
import type { TrackView } from "../catalog/view";
import type { Reason } from "./scoring";

export interface RecommendedTrack extends TrackView {
	score: number;
	reasons: Reason[];
}

/** What the recommendation was built from, so a client can show it and a developer can debug it. */
export interface RecommendationBasis {
	targetBpm: number;
	bpmFrom: "cadence" | "liked" | "default";
	genres: string[];
	artists: string[];
	moods: string[];
	likedArtists: number;
	excluded: number;
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
