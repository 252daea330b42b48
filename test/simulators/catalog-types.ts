/** Catalog option and entity types, and how options are defaulted. */

export type AlbumType = "album" | "single" | "compilation";
export const ALBUM_TYPES: readonly AlbumType[] = ["album", "single", "compilation"];

export interface CatalogOptions {
	seed?: number;
	artists?: number;
	albumsPerArtist?: number;
	tracksPerAlbum?: number;
	/** Sizes the catalog by track count: `artists` becomes ceil(tracks / (albumsPerArtist * tracksPerAlbum)). */
	tracks?: number;
	/** Each album gets tracksPerAlbum ± this many tracks (at least 1); 0 keeps the total exact. */
	trackCountJitter?: number;
	albumTypeWeights?: Partial<Record<AlbumType, number>>;
	/** Fraction of tracks featuring a second, random artist of the catalog. */
	featureRate?: number;
	/** Every artist features on a track of the previous one, so crawling from any single seed reaches all. */
	connected?: boolean;
	/** Fraction of Deezer tracks whose `bpm` is 0 (unknown). */
	deezerBpmUnknownRate?: number;
	/** Fraction of tracks absent from Deezer (their ISRC lookup answers code 800). */
	deezerMissingRate?: number;
	/** Fraction of known Deezer bpms that are half or double the Spotify tempo. */
	bpmOctaveErrorRate?: number;
	/** Fraction of tracks whose Spotify audio features are null. */
	audioFeaturesMissingRate?: number;
	/** How many entities of each kind always answer broken JSON, on both providers. */
	malformedArtists?: number;
	malformedAlbums?: number;
	malformedTracks?: number;
}

export type ResolvedCatalogOptions = Required<Omit<CatalogOptions, "tracks" | "albumTypeWeights">> & {
	albumTypeWeights: Record<AlbumType, number>;
};

export interface ArtistInfo {
	index: number;
	spotifyId: string;
	deezerId: number;
	name: string;
	genres: string[];
	popularity: number;
	followers: number;
	fans: number;
	imageHash: string;
}

export interface AlbumInfo {
	index: number;
	artist: number;
	spotifyId: string;
	deezerId: number;
	name: string;
	albumType: AlbumType;
	/** Formatted to `releaseDatePrecision`, as Spotify does. */
	releaseDate: string;
	releaseDatePrecision: "year" | "month" | "day";
	/** Always a full date, as Deezer does. */
	fullReleaseDate: string;
	label: string;
	popularity: number;
	upc: string;
	imageHash: string;
	trackStart: number;
	trackCount: number;
}

export interface AudioFeatureValues {
	acousticness: number;
	danceability: number;
	energy: number;
	instrumentalness: number;
	key: number;
	liveness: number;
	loudness: number;
	mode: number;
	speechiness: number;
	tempo: number;
	time_signature: number;
	valence: number;
}

export interface TrackInfo {
	index: number;
	album: number;
	artist: number;
	/** Index of the featured artist, or -1. */
	featured: number;
	spotifyId: string;
	deezerId: number;
	isrc: string;
	name: string;
	trackNumber: number;
	discNumber: number;
	durationMs: number;
	explicit: boolean;
	popularity: number;
	tempo: number;
	/** Null when Spotify has no audio features for the track. */
	features: AudioFeatureValues | null;
	onDeezer: boolean;
	/** 0 when unknown or absent from Deezer. */
	deezerBpm: number;
	gain: number;
	rank: number;
}

export interface CatalogExpected {
	artists: number;
	albums: number;
	tracks: number;
	albumsByType: Record<AlbumType, number>;
	featuredTracks: number;
	/** Tracks with Spotify audio features (so a tempo). */
	spotifyTempo: number;
	deezerTracks: number;
	deezerMissing: number;
	/** Deezer tracks with bpm > 0. */
	deezerBpm: number;
	/** Deezer tracks with bpm 0. */
	deezerBpmUnknown: number;
	/** Tracks with a tempo from at least one provider. */
	anyTempo: number;
	malformed: { artists: number; albums: number; tracks: number };
}

export const CATALOG_DEFAULTS: ResolvedCatalogOptions = {
	seed: 1,
	artists: 50,
	albumsPerArtist: 4,
	tracksPerAlbum: 10,
	trackCountJitter: 0,
	albumTypeWeights: { album: 0.6, single: 0.3, compilation: 0.1 },
	featureRate: 0.1,
	connected: true,
	deezerBpmUnknownRate: 0.3,
	deezerMissingRate: 0.02,
	bpmOctaveErrorRate: 0,
	audioFeaturesMissingRate: 0,
	malformedArtists: 0,
	malformedAlbums: 0,
	malformedTracks: 0
};

export function resolveCatalogOptions(options: CatalogOptions = {}): ResolvedCatalogOptions {
	const { tracks, ...rest } = options;
	const merged: ResolvedCatalogOptions = {
		...CATALOG_DEFAULTS,
		...stripUndefined(rest),
		albumTypeWeights: { ...CATALOG_DEFAULTS.albumTypeWeights, ...stripUndefined(options.albumTypeWeights ?? {}) }
	};
	merged.artists = wholeAtLeast(merged.artists, 0);
	merged.albumsPerArtist = wholeAtLeast(merged.albumsPerArtist, 0);
	merged.tracksPerAlbum = wholeAtLeast(merged.tracksPerAlbum, 1);
	merged.trackCountJitter = wholeAtLeast(merged.trackCountJitter, 0);
	if (tracks !== undefined) {
		merged.artists = Math.max(1, Math.ceil(tracks / Math.max(1, merged.albumsPerArtist * merged.tracksPerAlbum)));
	}
	return merged;
}

function wholeAtLeast(value: number, min: number): number {
	return Number.isFinite(value) ? Math.max(min, Math.floor(value)) : min;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
