/**
 * Deezer public API client. No key; the limit (about 50 requests per 5 s per IP) is enforced by
 * the limiter, and Deezer's habit of reporting errors inside HTTP 200 bodies is handled here.
 */
import type { Limiter } from "../rate-limit/types";
import { call, type CallContext, type Parse } from "./call";
import { FatalError, NotFoundError, RateLimitedError, RetryableError } from "./errors";
import { arr, bool, compact, id, need, needObj, num, obj, ShapeError, str, type Json } from "./json";
import { allPages, checkComplete, intParam, rebase, type Page } from "./paging";
import type { ArtistRef, CatalogClient, ProviderAlbum, ProviderArtist, ProviderTrack } from "./types";

export interface DeezerClientOptions {
	/** API root, e.g. https://api.deezer.com. */
	baseUrl: string;
	limiter: Limiter;
	/** Per request, reading the body included. */
	timeoutMs: number;
	/** How long the cluster stops calling Deezer after a quota error (code 4). Default 5000, Deezer's window. */
	quotaPauseMs?: number;
	/** Items asked for per list page. Default 100. */
	pageSize?: number;
	onCall?: (endpoint: string, ok: boolean) => void;
}

export const DEEZER_PUBLIC_API = "https://api.deezer.com";

/** Deezer's error codes that mean something to us; the rest are treated as fatal. */
const QUOTA = 4;
const SERVICE_BUSY = 700;
const DATA_NOT_FOUND = 800;

export class DeezerClient implements CatalogClient {
	private readonly ctx: CallContext;
	private readonly baseUrl: string;
	private readonly pageSize: number;
	private readonly quotaPauseMs: number;

	constructor(opts: DeezerClientOptions) {
		new URL(opts.baseUrl);
		if (!(opts.timeoutMs > 0)) throw new Error("DeezerClient timeoutMs must be positive");
		this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
		this.pageSize = opts.pageSize ?? 100;
		this.quotaPauseMs = opts.quotaPauseMs ?? 5000;
		this.ctx = { provider: "deezer", limiter: opts.limiter, timeoutMs: opts.timeoutMs, onCall: opts.onCall };
	}

	/** The first page of matches, best first. */
	searchArtist(name: string): Promise<ProviderArtist[]> {
		const url = `${this.baseUrl}/search/artist?q=${encodeURIComponent(name)}&limit=10`;
		return this.get("search", url, body => this.page(body, url, parseArtist).items);
	}

	artist(artistId: string): Promise<ProviderArtist> {
		return this.get("artist", `${this.baseUrl}/artist/${encodeURIComponent(artistId)}`, parseArtist);
	}

	/** Album summaries (no label, UPC or track list), all pages. */
	artistAlbums(artistId: string): Promise<ProviderAlbum[]> {
		return this.list("artist-albums", `/artist/${encodeURIComponent(artistId)}/albums`, parseAlbum);
	}

	/** The full album, with label, UPC and its tracks (summaries, without bpm). */
	album(albumId: string): Promise<ProviderAlbum> {
		return this.get("album", `${this.baseUrl}/album/${encodeURIComponent(albumId)}`, raw => parseAlbum(raw));
	}

	/** Artists Deezer calls similar to this one (its "related artists"), all pages. */
	relatedArtists(artistId: string): Promise<ProviderArtist[]> {
		return this.list("artist-related", `/artist/${encodeURIComponent(artistId)}/related`, parseArtist);
	}

	/** The full album with every track summary: its embedded list, or all pages when that is short. */
	async albumWithTracks(albumId: string): Promise<ProviderAlbum> {
		const album = await this.album(albumId);
		if (album.totalTracks !== undefined && (album.tracks?.length ?? 0) < album.totalTracks) album.tracks = await this.albumTracks(albumId);
		return album;
	}

	/** Track summaries (ISRC and preview, no bpm), all pages. */
	albumTracks(albumId: string): Promise<ProviderTrack[]> {
		return this.list("album-tracks", `/album/${encodeURIComponent(albumId)}/tracks`, raw => parseTrack(raw, albumId));
	}

	/** The detail call, the only one that carries `bpm` (as `tempo`, undefined when Deezer has none). */
	track(trackId: string): Promise<ProviderTrack> {
		return this.get("track", `${this.baseUrl}/track/${encodeURIComponent(trackId)}`, raw => parseTrack(raw));
	}

	/** Same detail as `track`, found by ISRC (undocumented but stable). NotFoundError when Deezer lacks it. */
	trackByIsrc(isrc: string): Promise<ProviderTrack> {
		return this.get("track-isrc", `${this.baseUrl}/track/isrc:${encodeURIComponent(isrc.toUpperCase())}`, raw => parseTrack(raw));
	}

	private list<T>(endpoint: string, path: string, item: Parse<T>): Promise<T[]> {
		const first = `${this.baseUrl}${path}?index=0&limit=${this.pageSize}`;
		return allPages(first, url => this.get(endpoint, url, body => this.page(body, url, item)));
	}

	private page<T>(body: unknown, url: string, item: Parse<T>): Page<T> {
		const p = needObj(body, "list");
		if (!Array.isArray(p.data)) throw new ShapeError("list without data");
		const next = str(p.next);
		const offset = intParam(url, "index") ?? 0;
		// Deezer clamps `limit` silently; the next link's index tells how many this page really holds.
		const nextIndex = next === undefined ? undefined : intParam(next, "index");
		const limit = nextIndex !== undefined ? nextIndex - offset : (intParam(url, "limit") ?? p.data.length);
		checkComplete({ items: p.data, next, total: num(p.total), offset, limit });
		return {
			items: p.data.map(item),
			next: next === undefined ? undefined : rebase(next, DEEZER_PUBLIC_API, this.baseUrl),
			total: num(p.total),
			offset,
			limit
		};
	}

	private get<T>(endpoint: string, url: string, parse: Parse<T>): Promise<T> {
		return call(this.ctx, endpoint, url, body => parse(this.unwrap(endpoint, body)));
	}

	/** Deezer answers most errors with HTTP 200 and `{"error": {code, message}}`. */
	private unwrap(endpoint: string, body: unknown): unknown {
		const error = obj(obj(body)?.error);
		if (!error) return body;
		const code = num(error.code);
		const message = `code ${code ?? "?"} ${str(error.type) ?? ""}: ${str(error.message) ?? ""}`.trim();
		const init = { provider: "deezer", endpoint };
		// The call wrapper pauses the limiter on a RateLimitedError.
		if (code === QUOTA) throw new RateLimitedError(message, { ...init, retryAfterMs: this.quotaPauseMs });
		if (code === DATA_NOT_FOUND) throw new NotFoundError(message, init);
		if (code === SERVICE_BUSY) throw new RetryableError(message, init);
		throw new FatalError(message, init);
	}
}

function artistRef(value: unknown): ArtistRef[] {
	const a = obj(value);
	const ref = a && id(a.id);
	return ref ? [{ id: ref, name: str(a.name) ?? "" }] : [];
}

function parseArtist(value: unknown): ProviderArtist {
	const a = needObj(value, "artist");
	return compact({
		provider: "deezer",
		id: need(id(a.id), "artist id"),
		name: str(a.name) ?? "",
		followers: num(a.nb_fan),
		imageUrl: str(a.picture_xl) ?? str(a.picture_big) ?? str(a.picture),
		albumCount: num(a.nb_album)
	});
}

function parseAlbum(value: unknown): ProviderAlbum {
	const a = needObj(value, "album");
	const albumId = need(id(a.id), "album id");
	const contributors = arr(a.contributors).flatMap(artistRef);
	const trackList = obj(a.tracks);
	const genres = arr(obj(a.genres)?.data).flatMap(g => str(obj(g)?.name) ?? []);
	return compact({
		provider: "deezer",
		id: albumId,
		name: str(a.title) ?? "",
		albumType: str(a.record_type)?.toLowerCase(),
		releaseDate: str(a.release_date),
		totalTracks: num(a.nb_tracks),
		artists: contributors.length > 0 ? contributors : artistRef(a.artist),
		label: str(a.label),
		upc: str(a.upc),
		genres: genres.length > 0 ? genres : undefined,
		imageUrl: str(a.cover_xl) ?? str(a.cover_big) ?? str(a.cover),
		tracks: trackList ? arr(trackList.data).map(t => parseTrack(t, albumId)) : undefined
	});
}

function parseTrack(value: unknown, albumId?: string): ProviderTrack {
	const t: Json = needObj(value, "track");
	const contributors = arr(t.contributors).flatMap(artistRef);
	const bpm = num(t.bpm);
	const duration = num(t.duration);
	const album = obj(t.album);
	return compact({
		provider: "deezer",
		id: need(id(t.id), "track id"),
		name: str(t.title) ?? "",
		isrc: str(t.isrc)?.toUpperCase(),
		durationMs: duration === undefined ? 0 : duration * 1000,
		artists: contributors.length > 0 ? contributors : artistRef(t.artist),
		albumId: id(album?.id) ?? albumId,
		trackNumber: num(t.track_position),
		discNumber: num(t.disk_number),
		explicit: bool(t.explicit_lyrics),
		previewUrl: str(t.preview) || undefined,
		rank: num(t.rank),
		// Deezer reports 0 when it has no tempo; 0 BPM is never a real answer.
		tempo: bpm !== undefined && bpm > 0 ? bpm : undefined,
		gain: num(t.gain),
		releaseDate: str(t.release_date)
	});
}
