import type { TrackDoc } from "../catalog/model";
import { artistKeys, matchesArtist } from "./signals";

/** What "similar to" means: a track's features, or features a client gives directly. */
export interface FeatureVector {
	tempo?: number;
	energy?: number;
	valence?: number;
	danceability?: number;
	/** Pitch class 0-11 (C = 0), as Spotify reports it. */
	key?: number;
	/** 1 major, 0 minor. */
	mode?: number;
	/** Artist names or provider ids. */
	artists?: string[];
}

/** The position of a key on the Camelot wheel (1-12, A = minor, B = major), used by DJs for harmonic mixing. */
export function camelot(key: number, mode: number): { n: number; minor: boolean } {
	const pitch = mode === 0 ? (key + 3) % 12 : key;
	return { n: (((pitch * 7) % 12) + 7) % 12 + 1, minor: mode === 0 };
}

/** Steps around the wheel plus one for a major/minor change: 0 same key, 1 a harmonic neighbour, up to 7. */
export function keyDistance(a: { key: number; mode: number }, b: { key: number; mode: number }): number {
	const x = camelot(a.key, a.mode);
	const y = camelot(b.key, b.mode);
	const d = Math.abs(x.n - y.n);
	return Math.min(d, 12 - d) + (x.minor === y.minor ? 0 : 1);
}

const validKey = (v: { key?: number; mode?: number }): v is { key: number; mode: number } =>
	v.key !== undefined && v.key >= 0 && v.key <= 11 && (v.mode === 0 || v.mode === 1);

/** A track's features as a seed vector. */
export function vectorOf(doc: TrackDoc): FeatureVector {
	return {
		tempo: doc.tempo,
		energy: doc.energy,
		valence: doc.valence,
		danceability: doc.danceability,
		key: doc.key,
		mode: doc.mode,
		artists: doc.artists.map(a => a.name)
	};
}

/** The mean of several seeds: numbers averaged, the key of the first seed that has one, every artist. */
export function centroid(vectors: readonly FeatureVector[]): FeatureVector {
	const mean = (pick: (v: FeatureVector) => number | undefined): number | undefined => {
		const xs = vectors.map(pick).filter((x): x is number => x !== undefined);
		return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
	};
	const keyed = vectors.find(validKey);
	return {
		tempo: mean(v => v.tempo),
		energy: mean(v => v.energy),
		valence: mean(v => v.valence),
		danceability: mean(v => v.danceability),
		key: keyed?.key,
		mode: keyed?.mode,
		artists: [...new Set(vectors.flatMap(v => v.artists ?? []))]
	};
}

/** Each feature's weight and the difference that counts as one unit of distance. */
const SCALE = {
	tempo: { weight: 1, unit: 0.04 },
	energy: { weight: 0.6, unit: 0.2 },
	valence: { weight: 0.3, unit: 0.25 },
	danceability: { weight: 0.3, unit: 0.25 },
	key: { weight: 0.5, unit: 2 }
};
/** Distance counted for a feature one side does not have: worse than a close match, better than a far one. */
const UNKNOWN = 0.75;
/** Half- or double-time fits a running step but is not the same feel. */
const OCTAVE_PENALTY = 0.5;
const SAME_ARTIST_BONUS = 0.75;

export class Similarity {
	private readonly artists: Set<string>;

	constructor(private readonly seed: FeatureVector) {
		this.artists = artistKeys(seed.artists ?? []);
	}

	/** Smaller is nearer; can be negative for a same-artist track that matches on everything. */
	distance(doc: TrackDoc): number {
		const s = this.seed;
		let d = 0;
		if (s.tempo !== undefined) d += SCALE.tempo.weight * this.tempoUnits(doc, s.tempo);
		d += this.numeric(SCALE.energy, s.energy, doc.energy);
		if (s.valence !== undefined && doc.valence !== undefined) d += this.numeric(SCALE.valence, s.valence, doc.valence);
		if (s.danceability !== undefined && doc.danceability !== undefined) d += this.numeric(SCALE.danceability, s.danceability, doc.danceability);
		if (validKey(s)) d += SCALE.key.weight * (validKey(doc) ? keyDistance(s, doc) / SCALE.key.unit : UNKNOWN);
		if (matchesArtist(doc, this.artists)) d -= SAME_ARTIST_BONUS;
		return Math.round(d * 1000) / 1000;
	}

	private tempoUnits(doc: TrackDoc, target: number): number {
		let best = Infinity;
		for (const t of [doc.tempo, doc.tempoAlt]) {
			if (t === undefined) continue;
			for (const m of [1, 2, 0.5]) best = Math.min(best, Math.abs(t * m - target) / target / SCALE.tempo.unit + (m === 1 ? 0 : OCTAVE_PENALTY));
		}
		return best === Infinity ? UNKNOWN : best;
	}

	private numeric(scale: { weight: number; unit: number }, a: number | undefined, b: number | undefined): number {
		if (a === undefined) return 0;
		return scale.weight * (b === undefined ? UNKNOWN : Math.abs(a - b) / scale.unit);
	}
}
