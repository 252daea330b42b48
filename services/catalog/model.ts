import type { Doc } from "../../mixins/store/types";

export type Provider = "spotify" | "deezer";

/** Per-provider identity and when that provider last told us about the entity. */
export interface ProviderRef {
	id: string;
	fetchedAt: number;
}

export interface ArtistDoc extends Doc {
	name: string;
	nameKey: string;
	spotifyId?: string;
	deezerId?: string;
	providers: Partial<Record<Provider, ProviderRef>>;
	genres?: string[];
	/** Hops from a seed artist along the shortest path found so far (a shorter one lowers it). */
	depth?: number;
	lastCrawledAt?: number;
	fetchedAt: number;
}

export interface AlbumDoc extends Doc {
	name: string;
	spotifyId?: string;
	deezerId?: string;
	providers: Partial<Record<Provider, ProviderRef>>;
	artistNames: string[];
	albumType?: string;
	releaseDate?: string;
	totalTracks?: number;
	/** Canonical (catalog/genres.ts). */
	genres?: string[];
	coverUrl?: string;
	tracksFetchedAt?: number;
	fetchedAt: number;
}

/** The album as a track carries it, copied when the track is saved so every track list shows it. */
export interface TrackAlbum {
	/** The album's catalog id. */
	id: string;
	name: string;
	releaseDate?: string;
	coverUrl?: string;
}

export type FeaturesStatus = "pending" | "done" | "unavailable";
export type TempoSource = "spotify" | "deezer" | "analysis";

export interface TrackFeatures {
	tempo?: number;
	/** The half- or double-time reading, kept so half/double queries still find the track. */
	tempoAlt?: number;
	tempoSource?: TempoSource;
	tempoConfidence?: number;
	/** Which estimator and version measured the tempo, when tempoSource is "analysis". */
	tempoAlgorithm?: string;
	energy?: number;
	valence?: number;
	danceability?: number;
	loudness?: number;
	key?: number;
	mode?: number;
	timeSignature?: number;
}

export interface TrackDoc extends Doc, TrackFeatures {
	name: string;
	isrc?: string;
	spotifyId?: string;
	deezerId?: string;
	providers: Partial<Record<Provider, ProviderRef>>;
	artists: Array<{ name: string; spotifyId?: string; deezerId?: string }>;
	artistKey: string;
	titleKey: string;
	albumSpotifyId?: string;
	albumDeezerId?: string;
	album?: TrackAlbum;
	durationMs?: number;
	previewUrl?: string;
	popularity?: number;
	/** Canonical (catalog/genres.ts): the album's first genre, else the first artist's. */
	genre?: string;
	/** Normalised words of the title and artists, for search. */
	words?: string[];
	/** Title without bracketed mix names, for matching tracklist lines. */
	bareTitleKey?: string;
	featuresStatus: FeaturesStatus;
	featuresReason?: string;
	featuresAt?: number;
	fetchedAt: number;
	updatedAt: number;
}

/** What crawlers hand to catalog.upsertTracks. */
export interface TrackInput {
	provider: Provider;
	id: string;
	name: string;
	isrc?: string;
	artists: Array<{ id?: string; name: string }>;
	albumId?: string;
	durationMs?: number;
	previewUrl?: string;
	popularity?: number;
	tempo?: number;
	/** Filled from the album's genres, else the first artist's, when the crawler does not know it. */
	genre?: string;
}

export interface ArtistInput {
	provider: Provider;
	id: string;
	name: string;
	genres?: string[];
	depth?: number;
}

export interface AlbumInput {
	provider: Provider;
	id: string;
	name: string;
	artists: Array<{ id?: string; name: string }>;
	albumType?: string;
	releaseDate?: string;
	totalTracks?: number;
	genres?: string[];
	imageUrl?: string;
}

/** Lower-case, accents and punctuation stripped: "Beyoncé - Halo (Remix)" and "beyonce halo remix" meet. */
export function normaliseKey(text: string): string {
	return text
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/&/g, " and ")
		.replace(/[^a-z0-9]+/g, " ")
		.trim();
}

export const providerIdField = (p: Provider) => (p === "spotify" ? "spotifyId" : "deezerId") as "spotifyId" | "deezerId";
