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

/**
 * A user's list: preferences (genres, artists, moods, cadence) from users, feedback from activity,
 * candidates from the catalog around the target tempo (narrow and wide windows, half and double
 * time, and each favourite genre), ranked by RecommendationScorer.
 */
export async function computeRecommendations(
	call: Caller,
	userId: string,
	defaultBpm: number
): Promise<{ items: RecommendedTrack[]; basis: RecommendationBasis }> {
	const prefs = parsePreferences(await required("users", () => call<unknown>("users.get", { id: userId })));
	const signals = new SignalIndex(await fetchSignals(call, userId));
	let likedTempos: number[] = [];
	if (prefs.cadence === undefined && signals.signals.liked.length) {
		const liked = await call<TrackDoc[]>("catalog.getMany", { ids: signals.signals.liked.slice(0, 100) });
		likedTempos = liked.map(d => d.tempo).filter((t): t is number => t !== undefined);
	}
	const target = targetBpm(prefs, likedTempos, defaultBpm);
	const tolerance = target.from === "cadence" ? 4 : 8;
	const { bpm } = target;
	const candidates = await byTempo(call, [
		{ bpm, tolerance: 1.5, halfDouble: false, limit: 150 },
		{ bpm, tolerance, halfDouble: false, limit: 150 },
		{ bpm, tolerance, halfDouble: true, limit: 100 },
		...prefs.genres.slice(0, 3).map(genre => ({ bpm, tolerance, halfDouble: true, genre, limit: 60 }))
	]);
	const ranked = new RecommendationScorer(prefs, signals, bpm, tolerance).rank(candidates, RECOMMENDATION_SIZE);
	return {
		items: ranked.map(s => ({ ...trackView(s.doc), score: s.score, reasons: s.reasons })),
		basis: {
			targetBpm: bpm,
			bpmFrom: target.from,
			genres: prefs.genres,
			artists: prefs.artists,
			moods: prefs.moods,
			likedArtists: signals.signals.likedArtists.length,
			excluded: signals.signals.disliked.length
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
