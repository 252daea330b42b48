import { Errors } from "moleculer";
import type { TrackDoc } from "../catalog/model";
import { trackView, type TrackView } from "../catalog/view";
import { notFound } from "../shared/access";
import type { RecommendationBasis, RecommendedTrack } from "./model";
import type { SimilarParams } from "./params";
import { parsePreferences, targetBpm } from "./preferences";
import { RecommendationScorer } from "./scoring";
import { fetchSignals, isMissingService, SignalIndex, type Caller } from "./signals";
import { centroid, Similarity, vectorOf, type FeatureVector } from "./similarity";
import type { TempoSelection } from "./tempo-page";

/** Tracks kept per user; GET's `limit` slices this. */
export const RECOMMENDATION_SIZE = 100;

type TempoQuery = TempoSelection & { limit: number };

async function byTempo(call: Caller, queries: TempoQuery[]): Promise<TrackDoc[]> {
	const pages = await Promise.all(queries.filter(q => q.bpm >= 30 && q.bpm <= 300).map(q => call<TrackDoc[]>("catalog.byTempo", { ...q, offset: 0 })));
	return pages.flat();
}

/** A dependency the answer cannot do without, as a 503 rather than the broker's "service not found" 404. */
async function required<T>(name: string, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (err) {
		if (isMissingService(err)) throw new Errors.MoleculerError(`The ${name} service is not available; try again shortly`, 503, "SERVICE_UNAVAILABLE");
		throw err;
	}
}

/** What a refresh may ask for instead of the stored preferences (seed 003's seed_genres and seed_artists). */
export interface RecommendationSeeds {
	genres?: string[];
	artists?: string[];
	/** How many tracks to keep (RECOMMENDATION_SIZE by default). */
	limit?: number;
}

/** Tempo windows that together cover every tempo the catalog holds (30–300 BPM). */
const ALL_TEMPI: Array<{ bpm: number; tolerance: number }> = [
	{ bpm: 60, tolerance: 30 },
	{ bpm: 120, tolerance: 30 },
	{ bpm: 180, tolerance: 30 },
	{ bpm: 240, tolerance: 30 },
	{ bpm: 285, tolerance: 15 }
];

/** A genre's tracks at any tempo. */
function byGenre(call: Caller, genre: string, perWindow: number): Promise<TrackDoc[]> {
	return byTempo(call, ALL_TEMPI.map(w => ({ ...w, halfDouble: false, genre, limit: perWindow })));
}

/** Tracks whose title or artists hold the artist's name, most popular first (the scorer keeps the artist's own). */
async function byArtist(call: Caller, artist: string, limit: number): Promise<TrackDoc[]> {
	const found = await call<{ items: Array<{ id: string }> }>("catalog.search", { q: artist, limit });
	return found.items.length ? call<TrackDoc[]>("catalog.getMany", { ids: found.items.map(t => t.id) }) : [];
}

/**
 * A user's list: preferences (genres, artists, moods, cadence) from users, feedback from activity,
 * ranked by RecommendationScorer. A runner's cadence anchors the candidates at a tempo (narrow and
 * wide windows, half and double time, each favourite genre). Without one, the list follows taste:
 * the favourite genres at every tempo, the favourite and liked artists' tracks, the tempo of liked
 * tracks only as a nudge; only a user with no taste to go on gets the default tempo.
 */
export async function computeRecommendations(
	call: Caller,
	userId: string,
	defaultBpm: number,
	seeds: RecommendationSeeds = {}
): Promise<{ items: RecommendedTrack[]; basis: RecommendationBasis }> {
	const stored = parsePreferences(await required("users", () => call<unknown>("users.get", { id: userId })));
	const prefs = { ...stored, genres: seeds.genres ?? stored.genres, artists: seeds.artists ?? stored.artists };
	const signals = new SignalIndex(await fetchSignals(call, userId));
	let likedTempos: number[] = [];
	if (prefs.cadence === undefined && signals.signals.liked.length) {
		const liked = await call<TrackDoc[]>("catalog.getMany", { ids: signals.signals.liked.slice(0, 100) });
		likedTempos = liked.map(d => d.tempo).filter((t): t is number => t !== undefined);
	}
	const target = targetBpm(prefs, likedTempos, defaultBpm);
	const artists = [...prefs.artists.slice(0, 5), ...signals.signals.likedArtists.slice(0, 3)];
	const byTaste = target.from !== "cadence" && (prefs.genres.length > 0 || artists.length > 0);
	const size = seeds.limit ?? RECOMMENDATION_SIZE;
	let candidates: TrackDoc[];
	let tempo: number | undefined = target.bpm;
	let tolerance = target.from === "cadence" ? 4 : 8;
	if (byTaste) {
		tempo = target.from === "liked" ? target.bpm : undefined;
		tolerance = 12;
		const pages = await Promise.all([
			...prefs.genres.slice(0, 3).map(genre => byGenre(call, genre, 40)),
			...artists.map(artist => byArtist(call, artist, 50)),
			...(tempo !== undefined ? [byTempo(call, [{ bpm: tempo, tolerance, halfDouble: true, limit: 100 }])] : [])
		]);
		candidates = pages.flat();
	} else {
		const bpm = target.bpm;
		candidates = await byTempo(call, [
			{ bpm, tolerance: 1.5, halfDouble: false, limit: 150 },
			{ bpm, tolerance, halfDouble: false, limit: 150 },
			{ bpm, tolerance, halfDouble: true, limit: 100 },
			...prefs.genres.slice(0, 3).map(genre => ({ bpm, tolerance, halfDouble: true, genre, limit: 60 }))
		]);
	}
	const ranked = new RecommendationScorer(prefs, signals, tempo, tolerance).rank(candidates, size);
	return {
		items: ranked.map(s => ({ ...trackView(s.doc), score: s.score, reasons: s.reasons })),
		basis: {
			targetBpm: tempo ?? null,
			bpmFrom: byTaste && tempo === undefined ? "taste" : target.from,
			genres: prefs.genres,
			artists: prefs.artists,
			moods: prefs.moods,
			likedArtists: signals.signals.likedArtists.length,
			excluded: signals.signals.disliked.length,
			...(seeds.genres || seeds.artists ? { seeds: { genres: seeds.genres ?? [], artists: seeds.artists ?? [] } } : {})
		}
	};
}

export interface SimilarResult {
	seed: FeatureVector & { trackIds?: string[] };
	count: number;
	items: Array<TrackView & { distance: number }>;
}

function invalid(message: string, field: string): Errors.ValidationError {
	return new Errors.ValidationError(message, "VALIDATION_ERROR", [{ type: "required", field, message }]);
}

async function seedOf(call: Caller, p: SimilarParams): Promise<{ vector: FeatureVector; ids: string[] }> {
	const given = [p.trackId, p.trackIds, p.features].filter(x => x !== undefined).length;
	if (given !== 1) throw invalid("Give exactly one of 'trackId', 'trackIds' or 'features'.", "trackId");
	if (p.features) return { vector: p.features, ids: [] };
	const ids = [...new Set(p.trackIds ?? [p.trackId as string])];
	const docs = await call<TrackDoc[]>("catalog.getMany", { ids });
	const missing = ids.find(id => !docs.some(d => d._id === id));
	if (missing !== undefined) throw notFound("Track", missing);
	const vector = centroid(docs.map(vectorOf));
	if (vector.tempo === undefined) {
		throw new Errors.MoleculerClientError("The seed track has no tempo yet; try again once its features are in", 409, "NO_TEMPO", { ids });
	}
	return { vector, ids };
}

/** The nearest tracks to a seed by tempo, energy, key and artist (Similarity), the seeds left out. */
export async function findSimilar(call: Caller, p: SimilarParams): Promise<SimilarResult> {
	const { vector, ids } = await seedOf(call, p);
	const tempo = vector.tempo as number;
	const tolerance = Math.min(30, Math.max(3, tempo * 0.06));
	const windows: TempoQuery[] = [
		{ bpm: tempo, tolerance: 2, halfDouble: false, limit: 150 },
		{ bpm: tempo, tolerance, halfDouble: false, limit: 150 }
	];
	if (p.halfDouble) windows.push({ bpm: tempo / 2, tolerance: tolerance / 2, halfDouble: false, limit: 50 }, { bpm: tempo * 2, tolerance: Math.min(30, tolerance * 2), halfDouble: false, limit: 50 });
	const seeds = new Set(ids);
	const seen = new Set<string>();
	const similarity = new Similarity(vector);
	const scored: Array<{ doc: TrackDoc; distance: number }> = [];
	for (const doc of await byTempo(call, windows)) {
		if (seeds.has(doc._id) || seen.has(doc._id)) continue;
		seen.add(doc._id);
		scored.push({ doc, distance: similarity.distance(doc) });
	}
	scored.sort((a, b) => a.distance - b.distance || (a.doc._id < b.doc._id ? -1 : 1));
	const items = scored.slice(0, p.limit).map(s => ({ ...trackView(s.doc), distance: s.distance }));
	return { seed: ids.length ? { ...vector, trackIds: ids } : vector, count: items.length, items };
}
