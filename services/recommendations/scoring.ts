import { normaliseKey, type TrackDoc } from "../catalog/model";
import { moodTarget, type Preferences } from "./preferences";
import { artistKeys, matchesArtist, type SignalIndex } from "./signals";

/** Why a track was recommended, for clients that explain their picks. */
export type Reason = "tempo" | "genre" | "favourite-artist" | "liked-artist" | "mood" | "liked";

export interface Scored {
	doc: TrackDoc;
	score: number;
	reasons: Reason[];
}

/**
 * How much each part of the blend weighs. Tempo fit and the user's stated artists and genres
 * dominate; feedback nudges (liked artists up, skips down); popularity only breaks ties.
 */
const WEIGHTS = { tempo: 0.3, genre: 0.2, favouriteArtist: 0.25, likedArtist: 0.2, mood: 0.15, liked: 0.05, popularity: 0.05, skip: 0.1 };
const MAX_PER_ARTIST = 3;

/** Distance from `bpm` to the nearest of the track's tempi, at the same, half or double time. */
export function tempoDistance(doc: Pick<TrackDoc, "tempo" | "tempoAlt">, bpm: number): number {
	let best = Infinity;
	for (const t of [doc.tempo, doc.tempoAlt]) {
		if (t === undefined) continue;
		for (const m of [1, 2, 0.5]) best = Math.min(best, Math.abs(t * m - bpm));
	}
	return best;
}

function genreMatches(genre: string | undefined, wanted: readonly string[]): boolean {
	if (!genre || wanted.length === 0) return false;
	const g = ` ${normaliseKey(genre)} `;
	return wanted.some(w => g.includes(` ${w} `));
}

export class RecommendationScorer {
	private readonly genres: string[];
	private readonly favourites: Set<string>;
	private readonly mood: { energy?: number; valence?: number };

	constructor(
		prefs: Preferences,
		private readonly signals: SignalIndex,
		/** The tempo to fit; undefined when tempo does not matter (a list by taste). */
		private readonly bpm: number | undefined,
		private readonly tolerance: number
	) {
		this.genres = prefs.genres.map(normaliseKey).filter(Boolean);
		this.favourites = artistKeys(prefs.artists);
		this.mood = moodTarget(prefs.moods);
	}

	/** The track's score in [−0.3, ~1.2], or null for a track the user disliked. */
	score(doc: TrackDoc): Scored | null {
		if (this.signals.isDisliked(doc._id)) return null;
		const reasons: Reason[] = [];
		let score = 0;
		const fit = this.bpm === undefined ? 0 : Math.max(0, 1 - tempoDistance(doc, this.bpm) / Math.max(1, this.tolerance));
		score += WEIGHTS.tempo * fit;
		if (fit > 0.5) reasons.push("tempo");
		if (genreMatches(doc.genre, this.genres)) {
			score += WEIGHTS.genre;
			reasons.push("genre");
		}
		const favourite = matchesArtist(doc, this.favourites);
		const liked = this.signals.byLikedArtist(doc);
		if (favourite) reasons.push("favourite-artist");
		if (liked) reasons.push("liked-artist");
		score += Math.max(favourite ? WEIGHTS.favouriteArtist : 0, liked ? WEIGHTS.likedArtist : 0) + (favourite && liked ? 0.05 : 0);
		const mood = this.moodFit(doc);
		if (mood !== undefined) {
			score += WEIGHTS.mood * mood;
			if (mood > 0.75) reasons.push("mood");
		}
		if (this.signals.isLiked(doc._id)) {
			score += WEIGHTS.liked;
			reasons.push("liked");
		}
		score += WEIGHTS.popularity * Math.min(1, Math.max(0, (doc.popularity ?? 0) / 100));
		score -= WEIGHTS.skip * Math.min(3, this.signals.skips(doc._id));
		return { doc, score: Math.round(score * 1000) / 1000, reasons };
	}

	/** How close energy and valence come to what the moods ask (1 = exactly); undefined without moods. */
	private moodFit(doc: TrackDoc): number | undefined {
		const parts: number[] = [];
		if (this.mood.energy !== undefined) parts.push(doc.energy === undefined ? 0.5 : 1 - Math.abs(doc.energy - this.mood.energy));
		if (this.mood.valence !== undefined) parts.push(doc.valence === undefined ? 0.5 : 1 - Math.abs(doc.valence - this.mood.valence));
		return parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : undefined;
	}

	/** The best `size` candidates, at most MAX_PER_ARTIST by one lead artist, so one artist cannot fill the list. */
	rank(candidates: readonly TrackDoc[], size: number): Scored[] {
		const seen = new Set<string>();
		const scored: Scored[] = [];
		for (const doc of candidates) {
			if (seen.has(doc._id)) continue;
			seen.add(doc._id);
			const s = this.score(doc);
			if (s) scored.push(s);
		}
		scored.sort((a, b) => b.score - a.score || (a.doc._id < b.doc._id ? -1 : 1));
		const perArtist = new Map<string, number>();
		const out: Scored[] = [];
		for (const s of scored) {
			const lead = normaliseKey(s.doc.artists[0]?.name ?? "");
			const n = perArtist.get(lead) ?? 0;
			if (n >= MAX_PER_ARTIST) continue;
			perArtist.set(lead, n + 1);
			out.push(s);
			if (out.length === size) break;
		}
		return out;
	}
}
