/**
 * What the connectors hand to the rest of cratedigger: small provider-neutral shapes, so the
 * crawler and the enrichment chain never read Spotify's or Deezer's raw JSON.
 */

export type Provider = "spotify" | "deezer";

/** Ids are strings for both providers (Deezer's numeric ids are converted). */
export interface ArtistRef {
	id: string;
	name: string;
}

export interface ProviderArtist {
	provider: Provider;
	id: string;
	name: string;
	/** Spotify only, and missing on development-mode apps. */
	genres?: string[];
	popularity?: number;
	/** Spotify followers, Deezer fans. */
	followers?: number;
	imageUrl?: string;
	/** Deezer reports it with the artist; Spotify does not. */
	albumCount?: number;
}

export interface ProviderAlbum {
	provider: Provider;
	id: string;
	name: string;
	/** "album", "single", "compilation", "ep"... as the provider spells it, lower-cased. */
	albumType?: string;
	/** As given: "2024", "2024-05" or "2024-05-17". */
	releaseDate?: string;
	totalTracks?: number;
	artists: ArtistRef[];
	label?: string;
	upc?: string;
	/** As the provider names them (Deezer's album genres; Spotify's, where it still sends any). */
	genres?: string[];
	/** The largest cover image. */
	imageUrl?: string;
	/**
	 * The first page of tracks when the album came from a detail or batch call (Spotify embeds up
	 * to 50). When shorter than `totalTracks`, fetch the rest with `albumTracks(id, {offset})`.
	 */
	tracks?: ProviderTrack[];
}

export interface ProviderTrack {
	provider: Provider;
	id: string;
	name: string;
	/** Missing from Spotify's simplified tracks (album track lists); present on full tracks. */
	isrc?: string;
	durationMs: number;
	artists: ArtistRef[];
	albumId?: string;
	trackNumber?: number;
	discNumber?: number;
	explicit?: boolean;
	/** A 30 s MP3. Spotify leaves it out of multi-get responses on development-mode apps. */
	previewUrl?: string;
	/** Spotify's 0–100 popularity. */
	popularity?: number;
	/** Deezer's rank, an unbounded play-count-like score. */
	rank?: number;
	/** Deezer's `bpm` from the track detail call; undefined when Deezer has none (it reports 0). */
	tempo?: number;
	/** Deezer's replay gain in dB. */
	gain?: number;
	releaseDate?: string;
}

/** Spotify's audio features, in Spotify's units (tempo in BPM, loudness in dB, key as pitch class). */
export interface AudioFeatures {
	trackId: string;
	tempo: number;
	energy: number;
	valence: number;
	danceability: number;
	loudness: number;
	/** Pitch class 0–11, -1 when not detected. */
	key: number;
	/** 1 major, 0 minor. */
	mode: number;
	timeSignature: number;
}

/**
 * What both providers' clients offer for walking a catalog, so a crawler can take either.
 * (`Pick<SpotifyClient & DeezerClient, ...>` does not work: the classes' private members clash.)
 */
export interface CatalogClient {
	searchArtist(name: string): Promise<ProviderArtist[]>;
	artist(id: string): Promise<ProviderArtist>;
	artistAlbums(artistId: string): Promise<ProviderAlbum[]>;
	albumTracks(albumId: string): Promise<ProviderTrack[]>;
}

/** What a Spotify app may do. "unknown" until a batch call or the config settles it. */
export type SpotifyMode = "unknown" | "extended" | "development";

/** Reports each HTTP call a connector makes, for metrics. */
export type CallObserver = (endpoint: string, ok: boolean) => void;
