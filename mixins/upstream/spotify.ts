/**
 * Spotify Web API client for the crawler: client-credentials auth, every request through the
 * cluster-wide limiter, and automatic detection of what kind of app the credentials belong to.
 *
 * Development-mode apps (every new app since Feb 2026) cannot use the batch endpoints or audio
 * features and get small pages. The client starts optimistic, and the first 403 on a batch call
 * (or 400 on a 50-album page) moves it to per-item calls for good, remembered through `modeStore`.
 */
import type { Limiter } from "../rate-limit/types";
import { UnthrottledLimiter } from "../rate-limit/unthrottled";
import { call, chunks, type CallContext, type Parse } from "./call";
import { FatalError, NotFoundError, UpstreamError } from "./errors";
import { need, needObj, num, str } from "./json";
import { allPages, rebase, type Page } from "./paging";
import { parseAlbum, parseArtist, parseAudioFeatures, parseList, parsePage, parseTrack } from "./spotify-parse";
import type { AudioFeatures, CallObserver, CatalogClient, ProviderAlbum, ProviderArtist, ProviderTrack, SpotifyMode } from "./types";

export type SpotifyModeSetting = "auto" | "extended" | "development";

/** Where the detected mode is kept between restarts (and shared between nodes), if anywhere. */
export interface SpotifyModeStore {
	load(): Promise<SpotifyMode | undefined> | SpotifyMode | undefined;
	save(mode: SpotifyMode): Promise<void> | void;
}

export interface SpotifyClientOptions {
	/** Accounts service root; the token comes from POST `${accountsUrl}/api/token`. */
	accountsUrl: string;
	/** Web API root, e.g. https://api.spotify.com/v1. */
	apiUrl: string;
	clientId: string;
	clientSecret: string;
	/** The Web API's limiter. */
	limiter: Limiter;
	/** The accounts service's, for token requests (the users service's "spotify-accounts"). Default: none. */
	accountsLimiter?: Limiter;
	/** Per request, reading the body included. */
	timeoutMs: number;
	/** "auto" (default) detects the app's kind; the others skip detection and never switch. */
	mode?: SpotifyModeSetting;
	modeStore?: SpotifyModeStore;
	/**
	 * Release groups crawled per artist. Default "album,single,compilation": the artist's own
	 * releases; "appears_on" would pull in other artists' albums.
	 */
	includeGroups?: string;
	onCall?: CallObserver;
}

export const SPOTIFY_PUBLIC_API = "https://api.spotify.com/v1";

/** Page and batch sizes, the largest each kind of app accepts. */
export const SPOTIFY_LIMITS = {
	artistsBatch: 50,
	albumsBatch: 20,
	tracksBatch: 50,
	audioFeaturesBatch: 100,
	albumTracksPage: 50,
	artistAlbumsPage: { extended: 50, development: 10 },
	search: 10
} as const;

interface MultiGet<T> {
	/** Metrics names of the batch and the per-item endpoint. */
	endpoint: string;
	itemEndpoint: string;
	path: string;
	key: string;
	size: number;
	parse: Parse<T>;
}

const TOKEN_MARGIN_MS = 60_000;

/**
 * What a batch of ids gave: the items found, and the ids whose call failed (with why). Unknown ids
 * are in neither. One slow or broken item then costs its own job only, not its batch-mates'.
 */
export interface Settled<T> {
	items: T[];
	failed: Map<string, Error>;
}

function orThrow<T>(settled: Settled<T>): T[] {
	const first = settled.failed.values().next();
	if (!first.done) throw first.value;
	return settled.items;
}

export class SpotifyClient implements CatalogClient {
	private readonly ctx: CallContext;
	/**
	 * Token requests go to the accounts service, which the Web API's rate limit does not count:
	 * through the Web API's limiter they took its slots (with a client per worker service, a
	 * 4-node cluster's first tokens were 12 of a 50-call window).
	 */
	private readonly accountsCtx: CallContext;
	private readonly apiUrl: string;
	private readonly forced: boolean;
	private modeValue: SpotifyMode;
	private modeLoaded?: Promise<void>;
	private featuresAvailable = true;
	private token?: { value: string; expiresAt: number };
	private tokenRequest?: Promise<string>;

	constructor(private readonly opts: SpotifyClientOptions) {
		if (!opts.clientId || !opts.clientSecret) throw new Error("SpotifyClient needs a client id and secret");
		if (!(opts.timeoutMs > 0)) throw new Error("SpotifyClient timeoutMs must be positive");
		for (const url of [opts.accountsUrl, opts.apiUrl]) new URL(url);
		this.apiUrl = opts.apiUrl.replace(/\/+$/, "");
		this.ctx = { provider: "spotify", limiter: opts.limiter, timeoutMs: opts.timeoutMs, onCall: opts.onCall };
		this.accountsCtx = { ...this.ctx, limiter: opts.accountsLimiter ?? new UnthrottledLimiter("spotify-accounts") };
		const setting = opts.mode ?? "auto";
		this.forced = setting !== "auto";
		this.modeValue = setting === "auto" ? "unknown" : setting;
	}

	get mode(): SpotifyMode {
		return this.modeValue;
	}

	get limiter(): Limiter {
		return this.opts.limiter;
	}

	async searchArtist(name: string): Promise<ProviderArtist[]> {
		const url = `${this.apiUrl}/search?q=${encodeURIComponent(name)}&type=artist&limit=${SPOTIFY_LIMITS.search}`;
		return this.get("search", url, body => parsePage(needObj(body, "search result").artists, parseArtist).items);
	}

	artist(id: string): Promise<ProviderArtist> {
		return this.get("artist", `${this.apiUrl}/artists/${encodeURIComponent(id)}`, parseArtist);
	}

	/** Unknown ids are left out of the result. */
	async artists(ids: readonly string[]): Promise<ProviderArtist[]> {
		return orThrow(await this.artistsSettled(ids));
	}

	/** Full artists (genres, popularity, images), 50 a call; an id whose call failed is under `failed`. */
	artistsSettled(ids: readonly string[]): Promise<Settled<ProviderArtist>> {
		return this.multiGet(ids, { endpoint: "artists", itemEndpoint: "artist", path: "artists", key: "artists", size: SPOTIFY_LIMITS.artistsBatch, parse: parseArtist });
	}

	/** Every album of the artist in `includeGroups`, all pages. */
	async artistAlbums(artistId: string): Promise<ProviderAlbum[]> {
		await this.loadMode();
		const groups = this.opts.includeGroups ?? "album,single,compilation";
		const first = (limit: number): string =>
			`${this.apiUrl}/artists/${encodeURIComponent(artistId)}/albums?include_groups=${groups}&limit=${limit}`;
		const fetchPage = (url: string): Promise<Page<ProviderAlbum>> => this.get("artist-albums", url, body => this.page(body, parseAlbum));
		const { extended, development } = SPOTIFY_LIMITS.artistAlbumsPage;
		if (this.modeValue === "development") return allPages(first(development), fetchPage);
		try {
			return await allPages(first(extended), fetchPage);
		} catch (err) {
			if (this.forced || !(err instanceof FatalError && err.status === 400)) throw err;
			// Only a development app rejects a limit of 50; if 10 also fails, the 400 meant something else.
			const albums = await allPages(first(development), fetchPage);
			await this.settle("development");
			return albums;
		}
	}

	album(id: string): Promise<ProviderAlbum> {
		return this.get("album", `${this.apiUrl}/albums/${encodeURIComponent(id)}`, parseAlbum);
	}

	/** Full albums (label, UPC, first 50 tracks). Unknown ids are left out. */
	async albums(ids: readonly string[]): Promise<ProviderAlbum[]> {
		return orThrow(await this.albumsSettled(ids));
	}

	albumsSettled(ids: readonly string[]): Promise<Settled<ProviderAlbum>> {
		return this.multiGet(ids, { endpoint: "albums", itemEndpoint: "album", path: "albums", key: "albums", size: SPOTIFY_LIMITS.albumsBatch, parse: parseAlbum });
	}

	/** Full albums whose `tracks` holds every track, paging past the 50 an album embeds. */
	async albumsWithTracks(ids: readonly string[]): Promise<ProviderAlbum[]> {
		return orThrow(await this.albumsWithTracksSettled(ids));
	}

	/** As albumsWithTracks, with an album whose batch or track pages failed under `failed`. */
	async albumsWithTracksSettled(ids: readonly string[]): Promise<Settled<ProviderAlbum>> {
		const { items, failed } = await this.albumsSettled(ids);
		const complete: ProviderAlbum[] = [];
		await Promise.all(
			items.map(async album => {
				const have = album.tracks ?? [];
				try {
					if (!(album.tracks && album.totalTracks !== undefined && have.length >= album.totalTracks)) {
						album.tracks = have.concat(await this.albumTracks(album.id, { offset: have.length }));
					}
					complete.push(album);
				} catch (err) {
					failed.set(album.id, err as Error);
				}
			})
		);
		return { items: complete, failed };
	}

	/** Simplified tracks (no ISRC, no popularity), all pages from `offset`. */
	albumTracks(albumId: string, opts: { offset?: number } = {}): Promise<ProviderTrack[]> {
		const url = `${this.apiUrl}/albums/${encodeURIComponent(albumId)}/tracks?limit=${SPOTIFY_LIMITS.albumTracksPage}&offset=${opts.offset ?? 0}`;
		return allPages(url, next => this.get("album-tracks", next, body => this.page(body, raw => parseTrack(raw, albumId))));
	}

	track(id: string): Promise<ProviderTrack> {
		return this.get("track", `${this.apiUrl}/tracks/${encodeURIComponent(id)}`, body => parseTrack(body));
	}

	/** Full tracks, with ISRC. Unknown ids are left out. */
	async tracks(ids: readonly string[]): Promise<ProviderTrack[]> {
		return orThrow(await this.tracksSettled(ids));
	}

	tracksSettled(ids: readonly string[]): Promise<Settled<ProviderTrack>> {
		return this.multiGet(ids, { endpoint: "tracks", itemEndpoint: "track", path: "tracks", key: "tracks", size: SPOTIFY_LIMITS.tracksBatch, parse: raw => parseTrack(raw) });
	}

	/**
	 * Audio features of the tracks that have some, or null when this app cannot get any
	 * (development mode, or an app created after Nov 2024): the caller falls back to Deezer.
	 */
	async audioFeatures(ids: readonly string[]): Promise<AudioFeatures[] | null> {
		await this.loadMode();
		const out: AudioFeatures[] = [];
		for (const batch of chunks(ids, SPOTIFY_LIMITS.audioFeaturesBatch)) {
			if (this.modeValue === "development" || !this.featuresAvailable) return null;
			try {
				const url = `${this.apiUrl}/audio-features?ids=${batch.map(encodeURIComponent).join(",")}`;
				out.push(...(await this.get("audio-features", url, body => parseList(body, "audio_features", parseAudioFeatures))));
			} catch (err) {
				if (!(err instanceof FatalError && err.status === 403)) throw err;
				this.featuresAvailable = false;
				return null;
			}
		}
		return out;
	}

	/**
	 * Batch calls side by side (the limiter spaces them), the first alone while the mode is unknown
	 * so only one call finds it out. A batch that fails puts its ids under `failed`; the others still run.
	 */
	private async multiGet<T>(ids: readonly string[], spec: MultiGet<T>): Promise<Settled<T>> {
		await this.loadMode();
		const failed = new Map<string, Error>();
		const batches = chunks(ids, spec.size);
		const first = this.modeValue === "unknown" && batches.length > 1 ? [await this.oneBatch(batches.shift() as string[], spec, failed)] : [];
		const rest: T[][] = [];
		if (this.modeValue === "development") {
			// Per-item calls, a batch's worth at a time: a whole list at once would be a burst of hundreds.
			for (const batch of batches) rest.push(await this.oneBatch(batch, spec, failed));
		} else {
			rest.push(...(await Promise.all(batches.map(batch => this.oneBatch(batch, spec, failed)))));
		}
		return { items: [...first, ...rest].flat(), failed };
	}

	private async oneBatch<T>(batch: string[], spec: MultiGet<T>, failed: Map<string, Error>): Promise<T[]> {
		if (this.modeValue === "development") return this.perItem(batch, spec, false, failed);
		try {
			const url = `${this.apiUrl}/${spec.path}?ids=${batch.map(encodeURIComponent).join(",")}`;
			const items = await this.get(spec.endpoint, url, body => parseList(body, spec.key, spec.parse));
			await this.settle("extended");
			return items;
		} catch (err) {
			if (this.forced || !(err instanceof FatalError && err.status === 403)) {
				for (const id of batch) failed.set(id, err as Error);
				return [];
			}
			return this.perItem(batch, spec, true, failed);
		}
	}

	/**
	 * One request per id. When probing (a batch just got 403), the first item goes alone: if it
	 * works the app is in development mode; if it is refused too, the 403 was about something else
	 * and nothing is remembered.
	 */
	private async perItem<T>(ids: string[], spec: MultiGet<T>, probing: boolean, failed: Map<string, Error>): Promise<T[]> {
		const one = async (id: string): Promise<T | undefined> => {
			try {
				return await this.get(spec.itemEndpoint, `${this.apiUrl}/${spec.path}/${encodeURIComponent(id)}`, spec.parse);
			} catch (err) {
				// A batch answers null for an unknown id; per item, the same answer is a 404.
				if (!(err instanceof NotFoundError)) failed.set(id, err as Error);
				return undefined;
			}
		};
		const results: (T | undefined)[] = [];
		let rest = ids;
		if (probing && ids.length > 0) {
			results.push(await one(ids[0]));
			const refused = failed.get(ids[0]);
			// Refused too: the 403 was about something else, and nothing is remembered.
			if (refused) {
				for (const id of ids.slice(1)) failed.set(id, refused);
				return [];
			}
			await this.settle("development");
			rest = ids.slice(1);
		}
		// The limiter's concurrency cap (SPOTIFY_MAX_CONCURRENT) spreads these out cluster-wide.
		results.push(...(await Promise.all(rest.map(one))));
		return results.filter((r): r is T => r !== undefined);
	}

	/** A page whose `next` stays on the configured API root. */
	private page<T>(body: unknown, item: Parse<T>): Page<T> {
		const page = parsePage(body, item);
		if (page.next !== undefined) page.next = rebase(page.next, SPOTIFY_PUBLIC_API, this.apiUrl);
		return page;
	}

	/** An authenticated GET; a 401 gets one fresh token and one more try. */
	private async get<T>(endpoint: string, url: string, parse: Parse<T>): Promise<T> {
		for (let attempt = 0; ; attempt++) {
			const token = await this.accessToken();
			try {
				return await call(this.ctx, endpoint, url, parse, { headers: { authorization: `Bearer ${token}` } });
			} catch (err) {
				// Tokens can be revoked or expire early; a second 401 with a fresh one is a real failure.
				if (attempt > 0 || !(err instanceof UpstreamError && err.status === 401)) throw err;
				if (this.token?.value === token) this.token = undefined;
			}
		}
	}

	/** The cached token, or one shared request for a new one however many callers are waiting. */
	private accessToken(): Promise<string> {
		if (this.token && Date.now() < this.token.expiresAt) return Promise.resolve(this.token.value);
		this.tokenRequest ??= this.requestToken().finally(() => {
			this.tokenRequest = undefined;
		});
		return this.tokenRequest;
	}

	private async requestToken(): Promise<string> {
		const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString("base64");
		const url = `${this.opts.accountsUrl.replace(/\/+$/, "")}/api/token`;
		try {
			const { value, ttlMs } = await call(this.accountsCtx, "token", url, parseToken, {
				method: "POST",
				headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
				body: "grant_type=client_credentials"
			});
			// Renew a minute early (half the lifetime for short-lived tokens) so no call carries a dying token.
			this.token = { value, expiresAt: Date.now() + ttlMs - Math.min(TOKEN_MARGIN_MS, ttlMs / 2) };
			return value;
		} catch (err) {
			if (err instanceof FatalError && (err.status === 400 || err.status === 401)) {
				throw new FatalError(`client credentials rejected (${err.message})`, { provider: "spotify", endpoint: "token", status: err.status, cause: err });
			}
			throw err;
		}
	}

	private loadMode(): Promise<void> {
		const store = this.opts.modeStore;
		if (this.forced || !store) return Promise.resolve();
		this.modeLoaded ??= (async () => {
			try {
				const saved = await store.load();
				if (saved && saved !== "unknown" && this.modeValue === "unknown") this.modeValue = saved;
			} catch {
				// Without the remembered mode the client detects it again, at the cost of one call.
			}
		})();
		return this.modeLoaded;
	}

	private async settle(mode: SpotifyMode): Promise<void> {
		if (this.forced || this.modeValue === mode) return;
		this.modeValue = mode;
		try {
			await this.opts.modeStore?.save(mode);
		} catch {
			// Not remembering only costs a probe after a restart; it must not fail the call that found out.
		}
	}
}

function parseToken(body: unknown): { value: string; ttlMs: number } {
	const b = needObj(body, "token response");
	return { value: need(str(b.access_token), "access_token"), ttlMs: (num(b.expires_in) ?? 3600) * 1000 };
}
