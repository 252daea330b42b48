import type { TrackAlbum, TrackDoc } from "./model";

/** The public JSON shape of a track: provider ids and features, without bookkeeping fields. */
export interface TrackView {
	id: string;
	name: string;
	artists: string[];
	album?: TrackAlbum;
	isrc?: string;
	spotifyId?: string;
	deezerId?: string;
	durationMs?: number;
	previewUrl?: string;
	genre?: string;
	popularity?: number;
	tempo?: number;
	tempoAlt?: number;
	tempoSource?: string;
	tempoConfidence?: number;
	energy?: number;
	valence?: number;
	danceability?: number;
	key?: number;
	mode?: number;
}

export function trackView(doc: TrackDoc): TrackView {
	return {
		id: doc._id,
		name: doc.name,
		artists: doc.artists.map(a => a.name),
		album: doc.album,
		isrc: doc.isrc,
		spotifyId: doc.spotifyId,
		deezerId: doc.deezerId,
		durationMs: doc.durationMs,
		previewUrl: doc.previewUrl,
		genre: doc.genre,
		popularity: doc.popularity,
		tempo: doc.tempo,
		tempoAlt: doc.tempoAlt,
		tempoSource: doc.tempoSource,
		tempoConfidence: doc.tempoConfidence,
		energy: doc.energy,
		valence: doc.valence,
		danceability: doc.danceability,
		key: doc.key,
		mode: doc.mode
	};
}
