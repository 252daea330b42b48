import { artistName, COUNTRIES, GENRES, labelName, titleName } from "./names";
import {
	ALBUM_TYPES,
	resolveCatalogOptions,
	type AlbumInfo,
	type AlbumType,
	type ArtistInfo,
	type AudioFeatureValues,
	type CatalogExpected,
	type CatalogOptions,
	type ResolvedCatalogOptions,
	type TrackInfo
} from "./catalog-types";
import { base62, floatBetween, hex, intBetween, pick, roundTo, streamFor, upperAlnum, type Rng } from "./prng";

export * from "./catalog-types";

// Deezer ids are plain offsets so they decode without a lookup table; kinds never share a range.
const DEEZER_ARTIST_BASE = 100_000;
const DEEZER_ALBUM_BASE = 10_000_000;
const DEEZER_TRACK_BASE = 1_000_000_000;

/** Related artists per artist, as Deezer's related list is short. */
const RELATED_MAX = 5;

// Stream tags keep each attribute family independent of the others.
const Stream = {
	Structure: 1,
	Artist: 2,
	Album: 3,
	Track: 4,
	ArtistId: 5,
	AlbumId: 6,
	TrackId: 7,
	ArtistName: 8,
	Registrant: 9,
	Malformed: 10
} as const;
type Stream = (typeof Stream)[keyof typeof Stream];


export function generateCatalog(options: CatalogOptions = {}): Catalog {
	return new Catalog(resolveCatalogOptions(options));
}

/**
 * Structure (who owns what, ids, ISRCs) is built up front in flat arrays; every other attribute is
 * recomputed from a per-entity PRNG stream when asked for, which keeps a 50k-track catalog small.
 */
export class Catalog {
	readonly artistCount: number;
	readonly albumCount: number;
	readonly trackCount: number;

	private readonly artistSid: string[];
	private readonly artistNames: string[];
	private readonly albumArtist: Int32Array;
	private readonly albumTypes: Uint8Array;
	private readonly albumYears: Uint16Array;
	private readonly albumTrackStart: Int32Array;
	private readonly albumSid: string[];
	private readonly trackAlbum: Int32Array;
	private readonly trackFeatured: Int32Array;
	private readonly trackSid: string[];
	private readonly trackIsrc: string[];
	private readonly appearsOnAlbums: number[][];
	private readonly artistBySid = new Map<string, number>();
	private readonly albumBySid = new Map<string, number>();
	private readonly trackBySid = new Map<string, number>();
	private readonly trackByIsrc = new Map<string, number>();
	private readonly lowerNames: string[];
	private readonly malformedSets: { artists: Set<number>; albums: Set<number>; tracks: Set<number> };
	private expectedCache: CatalogExpected | undefined;

	constructor(readonly options: ResolvedCatalogOptions) {
		const o = options;
		const rng = streamFor(o.seed, Stream.Structure);
		this.artistCount = o.artists;
		this.albumCount = this.artistCount * o.albumsPerArtist;
		this.albumArtist = new Int32Array(this.albumCount);
		this.albumTypes = new Uint8Array(this.albumCount);
		this.albumYears = new Uint16Array(this.albumCount);
		this.albumTrackStart = new Int32Array(this.albumCount + 1);
		const typeWeights = ALBUM_TYPES.map((t) => o.albumTypeWeights[t]);
		let tracks = 0;
		for (let j = 0; j < this.albumCount; j++) {
			this.albumArtist[j] = Math.floor(j / o.albumsPerArtist);
			this.albumTypes[j] = weightedIndex(rng, typeWeights);
			this.albumYears[j] = intBetween(rng, 1975, 2025);
			this.albumTrackStart[j] = tracks;
			const jitter = o.trackCountJitter > 0 ? intBetween(rng, -o.trackCountJitter, o.trackCountJitter) : 0;
			tracks += Math.max(1, o.tracksPerAlbum + jitter);
		}
		this.albumTrackStart[this.albumCount] = tracks;
		this.trackCount = tracks;
		this.trackAlbum = new Int32Array(tracks);
		for (let j = 0; j < this.albumCount; j++) this.trackAlbum.fill(j, this.albumTrackStart[j], this.albumTrackStart[j + 1]);
		this.trackFeatured = this.buildFeatures(rng);
		this.appearsOnAlbums = this.buildAppearsOn();

		this.artistSid = this.buildIds(Stream.ArtistId, this.artistCount, this.artistBySid);
		this.albumSid = this.buildIds(Stream.AlbumId, this.albumCount, this.albumBySid);
		this.trackSid = this.buildIds(Stream.TrackId, this.trackCount, this.trackBySid);
		this.artistNames = this.buildArtistNames();
		this.lowerNames = this.artistNames.map((n) => n.toLowerCase());
		this.trackIsrc = this.buildIsrcs();
		this.malformedSets = {
			artists: pickDistinct(streamFor(o.seed, Stream.Malformed, 1), o.malformedArtists, this.artistCount),
			albums: pickDistinct(streamFor(o.seed, Stream.Malformed, 2), o.malformedAlbums, this.albumCount),
			tracks: pickDistinct(streamFor(o.seed, Stream.Malformed, 3), o.malformedTracks, this.trackCount)
		};
	}

	private buildFeatures(rng: Rng): Int32Array {
		const featured = new Int32Array(this.trackCount).fill(-1);
		const n = this.artistCount;
		if (n < 2) return featured;
		for (let k = 0; k < this.trackCount; k++) {
			if (rng() >= this.options.featureRate) continue;
			const main = this.albumArtist[this.trackAlbum[k]];
			const other = intBetween(rng, 0, n - 2);
			featured[k] = other >= main ? other + 1 : other;
		}
		if (this.options.connected && this.options.albumsPerArtist > 0) {
			for (let i = 0; i < n; i++) featured[this.albumTrackStart[i * this.options.albumsPerArtist]] = (i + 1) % n;
		}
		return featured;
	}

	private buildAppearsOn(): number[][] {
		const lists: number[][] = Array.from({ length: this.artistCount }, () => []);
		for (let k = 0; k < this.trackCount; k++) {
			const f = this.trackFeatured[k];
			if (f < 0) continue;
			const list = lists[f];
			const album = this.trackAlbum[k];
			// Tracks are grouped by album, so checking the last entry is enough to deduplicate.
			if (list[list.length - 1] !== album) list.push(album);
		}
		return lists;
	}

	private buildIds(stream: Stream, count: number, index: Map<string, number>): string[] {
		const ids = new Array<string>(count);
		const rng = streamFor(this.options.seed, stream);
		for (let i = 0; i < count; i++) {
			let id = base62(rng, 22);
			while (index.has(id)) id = base62(rng, 22);
			ids[i] = id;
			index.set(id, i);
		}
		return ids;
	}

	private buildArtistNames(): string[] {
		const used = new Set<string>();
		const names = new Array<string>(this.artistCount);
		for (let i = 0; i < this.artistCount; i++) {
			let name = artistName(streamFor(this.options.seed, Stream.ArtistName, i));
			// Unique names keep search answers unambiguous.
			if (used.has(name.toLowerCase())) name = `${name} ${i}`;
			used.add(name.toLowerCase());
			names[i] = name;
		}
		return names;
	}

	private buildIsrcs(): string[] {
		const isrcs = new Array<string>(this.trackCount);
		for (let i = 0; i < this.artistCount; i++) {
			const rng = streamFor(this.options.seed, Stream.Registrant, i);
			const prefix = pick(rng, COUNTRIES) + upperAlnum(rng, 3);
			let serial = intBetween(rng, 0, 99_999);
			for (const j of this.artistAlbums(i)) {
				const yy = String(this.albumYears[j] % 100).padStart(2, "0");
				for (let k = this.albumTrackStart[j]; k < this.albumTrackStart[j + 1]; k++) {
					let isrc: string;
					do {
						isrc = prefix + yy + String(serial % 100_000).padStart(5, "0");
						serial++;
					} while (this.trackByIsrc.has(isrc));
					isrcs[k] = isrc;
					this.trackByIsrc.set(isrc, k);
				}
			}
		}
		return isrcs;
	}

	artist(i: number): ArtistInfo {
		const rng = streamFor(this.options.seed, Stream.Artist, i);
		const genres = new Set<string>();
		const genreCount = intBetween(rng, 1, 3);
		for (let g = 0; g < genreCount; g++) genres.add(pick(rng, GENRES));
		const followers = Math.floor(10 ** floatBetween(rng, 2, 7, 3));
		return {
			index: i,
			spotifyId: this.artistSid[i],
			deezerId: DEEZER_ARTIST_BASE + i,
			name: this.artistNames[i],
			genres: [...genres],
			popularity: intBetween(rng, 5, 95),
			followers,
			fans: Math.round(followers * 0.6),
			imageHash: hex(rng, 32)
		};
	}

	album(j: number): AlbumInfo {
		const rng = streamFor(this.options.seed, Stream.Album, j);
		const year = this.albumYears[j];
		const month = String(intBetween(rng, 1, 12)).padStart(2, "0");
		const day = String(intBetween(rng, 1, 28)).padStart(2, "0");
		const p = rng();
		const precision = p < 0.8 ? "day" : p < 0.85 ? "month" : "year";
		const full = `${year}-${month}-${day}`;
		const start = this.albumTrackStart[j];
		return {
			index: j,
			artist: this.albumArtist[j],
			spotifyId: this.albumSid[j],
			deezerId: DEEZER_ALBUM_BASE + j,
			name: titleName(rng),
			albumType: ALBUM_TYPES[this.albumTypes[j]],
			releaseDate: precision === "day" ? full : precision === "month" ? `${year}-${month}` : String(year),
			releaseDatePrecision: precision,
			fullReleaseDate: precision === "day" ? full : precision === "month" ? `${year}-${month}-01` : `${year}-01-01`,
			label: labelName(rng),
			popularity: intBetween(rng, 0, 90),
			upc: String(intBetween(rng, 100_000, 999_999)) + String(intBetween(rng, 100_000, 999_999)),
			imageHash: hex(rng, 32),
			trackStart: start,
			trackCount: this.albumTrackStart[j + 1] - start
		};
	}

	track(k: number): TrackInfo {
		const o = this.options;
		const rng = streamFor(o.seed, Stream.Track, k);
		// Every value is drawn in a fixed order whatever the options, so changing one rate never
		// reshuffles unrelated attributes.
		const durationMs = intBetween(rng, 120_000, 420_000);
		const explicit = rng() < 0.15;
		const popularity = intBetween(rng, 0, 90);
		const tempo = roundTo(60 + 140 * ((rng() + rng()) / 2), 3);
		const values: AudioFeatureValues = {
			acousticness: floatBetween(rng, 0, 1, 4),
			danceability: floatBetween(rng, 0.2, 0.98, 3),
			energy: floatBetween(rng, 0.05, 1, 3),
			instrumentalness: floatBetween(rng, 0, 1, 4),
			key: intBetween(rng, 0, 11),
			liveness: floatBetween(rng, 0.02, 0.6, 4),
			loudness: floatBetween(rng, -20, -2, 3),
			mode: rng() < 0.6 ? 1 : 0,
			speechiness: floatBetween(rng, 0.02, 0.4, 4),
			tempo,
			time_signature: pick(rng, [4, 4, 4, 4, 3, 5]),
			valence: floatBetween(rng, 0, 1, 3)
		};
		const featuresMissing = rng() < o.audioFeaturesMissingRate;
		const onDeezer = rng() >= o.deezerMissingRate;
		const bpmUnknown = rng() < o.deezerBpmUnknownRate;
		const octave = rng() < o.bpmOctaveErrorRate;
		const octaveUp = rng() < 0.5;
		const gain = floatBetween(rng, -16, -4, 1);
		const rank = intBetween(rng, 1000, 999_999);
		const name = titleName(rng);
		let deezerBpm = 0;
		if (onDeezer && !bpmUnknown) deezerBpm = roundTo(octave ? (octaveUp ? tempo * 2 : tempo / 2) : tempo, 1);
		const album = this.trackAlbum[k];
		return {
			index: k,
			album,
			artist: this.albumArtist[album],
			featured: this.trackFeatured[k],
			spotifyId: this.trackSid[k],
			deezerId: DEEZER_TRACK_BASE + k,
			isrc: this.trackIsrc[k],
			name,
			trackNumber: k - this.albumTrackStart[album] + 1,
			discNumber: 1,
			durationMs,
			explicit,
			popularity,
			tempo,
			features: featuresMissing ? null : values,
			onDeezer,
			deezerBpm,
			gain,
			rank
		};
	}

	/** Albums whose main artist is `i`, in catalog order. */
	artistAlbums(i: number): number[] {
		const per = this.options.albumsPerArtist;
		return Array.from({ length: per }, (_, n) => i * per + n);
	}

	/**
	 * Artists a streaming service would call similar to `i` (Deezer's related artists): those
	 * sharing its first genre, nearest in the catalog first, at most RELATED_MAX.
	 */
	relatedArtists(i: number): number[] {
		const genre = this.artist(i).genres[0];
		const out: number[] = [];
		for (let d = 1; d < this.artistCount && out.length < RELATED_MAX; d++) {
			for (const j of [i + d, i - d]) {
				if (j >= 0 && j < this.artistCount && out.length < RELATED_MAX && this.artist(j).genres[0] === genre) out.push(j);
			}
		}
		return out;
	}

	/** Albums of other artists with a track featuring `i` (Spotify's `appears_on` group). */
	appearsOn(i: number): readonly number[] {
		return this.appearsOnAlbums[i];
	}

	albumTrackRange(j: number): { start: number; end: number } {
		return { start: this.albumTrackStart[j], end: this.albumTrackStart[j + 1] };
	}

	albumTrackCount(j: number): number {
		return this.albumTrackStart[j + 1] - this.albumTrackStart[j];
	}

	albumOf(k: number): number {
		return this.trackAlbum[k];
	}

	artistOfAlbum(j: number): number {
		return this.albumArtist[j];
	}

	featuredOn(k: number): number {
		return this.trackFeatured[k];
	}

	albumTypeOf(j: number): AlbumType {
		return ALBUM_TYPES[this.albumTypes[j]];
	}

	artistSpotifyId(i: number): string {
		return this.artistSid[i];
	}

	albumSpotifyId(j: number): string {
		return this.albumSid[j];
	}

	trackSpotifyId(k: number): string {
		return this.trackSid[k];
	}

	isrcOf(k: number): string {
		return this.trackIsrc[k];
	}

	artistNameOf(i: number): string {
		return this.artistNames[i];
	}

	findArtistBySpotifyId(id: string): number | undefined {
		return this.artistBySid.get(id);
	}

	findAlbumBySpotifyId(id: string): number | undefined {
		return this.albumBySid.get(id);
	}

	findTrackBySpotifyId(id: string): number | undefined {
		return this.trackBySid.get(id);
	}

	findTrackByIsrc(isrc: string): number | undefined {
		return this.trackByIsrc.get(isrc.toUpperCase());
	}

	findArtistByDeezerId(id: string): number | undefined {
		return decodeDeezer(id, DEEZER_ARTIST_BASE, this.artistCount);
	}

	findAlbumByDeezerId(id: string): number | undefined {
		return decodeDeezer(id, DEEZER_ALBUM_BASE, this.albumCount);
	}

	findTrackByDeezerId(id: string): number | undefined {
		return decodeDeezer(id, DEEZER_TRACK_BASE, this.trackCount);
	}

	deezerArtistId(i: number): number {
		return DEEZER_ARTIST_BASE + i;
	}

	deezerAlbumId(j: number): number {
		return DEEZER_ALBUM_BASE + j;
	}

	deezerTrackId(k: number): number {
		return DEEZER_TRACK_BASE + k;
	}

	/** Artist indices matching a free-text or `artist:"..."` query: exact names first, then substrings. */
	searchArtists(query: string): number[] {
		const q = query.replace(/artist:/gi, "").replace(/["']/g, "").trim().toLowerCase();
		if (!q) return [];
		const exact: number[] = [];
		const partial: number[] = [];
		this.lowerNames.forEach((name, i) => {
			if (name === q) exact.push(i);
			else if (name.includes(q)) partial.push(i);
		});
		return exact.concat(partial);
	}

	isMalformedArtist(i: number): boolean {
		return this.malformedSets.artists.has(i);
	}

	isMalformedAlbum(j: number): boolean {
		return this.malformedSets.albums.has(j);
	}

	isMalformedTrack(k: number): boolean {
		return this.malformedSets.tracks.has(k);
	}

	/** Ids that always answer broken JSON, for tests and benchmark bookkeeping. */
	get malformed(): { artists: number[]; albums: number[]; tracks: number[]; spotifyIds: string[]; deezerIds: number[] } {
		const artists = [...this.malformedSets.artists].sort((a, b) => a - b);
		const albums = [...this.malformedSets.albums].sort((a, b) => a - b);
		const tracks = [...this.malformedSets.tracks].sort((a, b) => a - b);
		return {
			artists,
			albums,
			tracks,
			spotifyIds: [
				...artists.map((i) => this.artistSid[i]),
				...albums.map((j) => this.albumSid[j]),
				...tracks.map((k) => this.trackSid[k])
			],
			deezerIds: [
				...artists.map((i) => this.deezerArtistId(i)),
				...albums.map((j) => this.deezerAlbumId(j)),
				...tracks.map((k) => this.deezerTrackId(k))
			]
		};
	}

	/** Totals a test or benchmark can check a full crawl against. Malformed entities are not excluded. */
	get expected(): CatalogExpected {
		if (this.expectedCache) return this.expectedCache;
		const albumsByType: Record<AlbumType, number> = { album: 0, single: 0, compilation: 0 };
		for (let j = 0; j < this.albumCount; j++) albumsByType[ALBUM_TYPES[this.albumTypes[j]]]++;
		let featuredTracks = 0;
		let spotifyTempo = 0;
		let deezerTracks = 0;
		let deezerBpm = 0;
		let anyTempo = 0;
		for (let k = 0; k < this.trackCount; k++) {
			const t = this.track(k);
			if (t.featured >= 0) featuredTracks++;
			if (t.features) spotifyTempo++;
			if (t.onDeezer) deezerTracks++;
			if (t.deezerBpm > 0) deezerBpm++;
			if (t.features || t.deezerBpm > 0) anyTempo++;
		}
		this.expectedCache = {
			artists: this.artistCount,
			albums: this.albumCount,
			tracks: this.trackCount,
			albumsByType,
			featuredTracks,
			spotifyTempo,
			deezerTracks,
			deezerMissing: this.trackCount - deezerTracks,
			deezerBpm,
			deezerBpmUnknown: deezerTracks - deezerBpm,
			anyTempo,
			malformed: {
				artists: this.malformedSets.artists.size,
				albums: this.malformedSets.albums.size,
				tracks: this.malformedSets.tracks.size
			}
		};
		return this.expectedCache;
	}
}

function decodeDeezer(id: string, base: number, count: number): number | undefined {
	if (!/^\d{1,15}$/.test(id)) return undefined;
	const index = Number(id) - base;
	return index >= 0 && index < count ? index : undefined;
}

function weightedIndex(rng: Rng, weights: readonly number[]): number {
	const total = weights.reduce((a, b) => a + Math.max(0, b), 0);
	if (total <= 0) return 0;
	let r = rng() * total;
	for (let i = 0; i < weights.length; i++) {
		r -= Math.max(0, weights[i]);
		if (r < 0) return i;
	}
	return weights.length - 1;
}

function pickDistinct(rng: Rng, wanted: number, count: number): Set<number> {
	const out = new Set<number>();
	const n = Math.min(Math.max(0, Math.floor(wanted)), count);
	while (out.size < n) out.add(Math.floor(rng() * count));
	return out;
}
