/**
 * Spotify Web API objects to domain types. Fields that development-mode apps no longer receive
 * (popularity, followers, genres, label, preview URLs in multi-gets) are optional throughout.
 */
import { arr, bool, compact, id, need, needObj, num, obj, ShapeError, str, type Json } from "./json";
import { checkComplete, type Page } from "./paging";
import type { ArtistRef, AudioFeatures, ProviderAlbum, ProviderArtist, ProviderTrack } from "./types";

function artistRefs(value: unknown): ArtistRef[] {
	return arr(value).flatMap(a => {
		const o = obj(a);
		const ref = o && id(o.id);
		return ref ? [{ id: ref, name: str(o.name) ?? "" }] : [];
	});
}

export function parseArtist(value: unknown): ProviderArtist {
	const a = needObj(value, "artist");
	const genres = arr(a.genres).filter((g): g is string => typeof g === "string");
	return compact({
		provider: "spotify",
		id: need(id(a.id), "artist id"),
		name: str(a.name) ?? "",
		genres: Array.isArray(a.genres) ? genres : undefined,
		popularity: num(a.popularity),
		followers: num(obj(a.followers)?.total),
		imageUrl: str(obj(arr(a.images)[0])?.url)
	});
}

/** Simplified (album track lists) or full tracks; `albumId` fills in what simplified ones lack. */
export function parseTrack(value: unknown, albumId?: string): ProviderTrack {
	const t = needObj(value, "track");
	const album = obj(t.album);
	return compact({
		provider: "spotify",
		id: need(id(t.id), "track id"),
		name: str(t.name) ?? "",
		isrc: str(obj(t.external_ids)?.isrc)?.toUpperCase(),
		durationMs: num(t.duration_ms) ?? 0,
		artists: artistRefs(t.artists),
		albumId: id(album?.id) ?? albumId,
		trackNumber: num(t.track_number),
		discNumber: num(t.disc_number),
		explicit: bool(t.explicit),
		previewUrl: str(t.preview_url),
		popularity: num(t.popularity),
		releaseDate: str(album?.release_date)
	});
}

export function parsePage<T>(value: unknown, item: (raw: unknown) => T): Page<T> {
	const p = needObj(value, "paging object");
	if (!Array.isArray(p.items)) throw new ShapeError("paging object without items");
	const page: Page<T> = {
		items: p.items.filter(x => x !== null).map(item),
		next: str(p.next),
		total: num(p.total),
		offset: num(p.offset) ?? 0,
		limit: num(p.limit) ?? p.items.length
	};
	// Checked on the raw items: a null entry is Spotify's answer, not a cut page.
	checkComplete({ ...page, items: p.items });
	return page;
}

export function parseAlbum(value: unknown): ProviderAlbum {
	const a = needObj(value, "album");
	const albumId = need(id(a.id), "album id");
	const tracks = obj(a.tracks) ? parsePage(a.tracks, raw => parseTrack(raw, albumId)).items : undefined;
	return compact({
		provider: "spotify",
		id: albumId,
		name: str(a.name) ?? "",
		albumType: str(a.album_type)?.toLowerCase(),
		releaseDate: str(a.release_date),
		totalTracks: num(a.total_tracks),
		artists: artistRefs(a.artists),
		label: str(a.label),
		upc: str(obj(a.external_ids)?.upc),
		genres: Array.isArray(a.genres) && a.genres.length > 0 ? a.genres.filter((g): g is string => typeof g === "string") : undefined,
		imageUrl: str(obj(arr(a.images)[0])?.url),
		tracks
	});
}

export function parseAudioFeatures(value: unknown): AudioFeatures {
	const f = needObj(value, "audio features");
	const field = (name: string): number => need(num(f[name]), `audio features ${name}`);
	return {
		trackId: need(id(f.id), "audio features id"),
		tempo: field("tempo"),
		energy: field("energy"),
		valence: field("valence"),
		danceability: field("danceability"),
		loudness: field("loudness"),
		key: field("key"),
		mode: field("mode"),
		timeSignature: field("time_signature")
	};
}

/** A multi-get body `{ [key]: [obj | null, ...] }`; nulls (unknown ids) are dropped. */
export function parseList<T>(value: unknown, key: string, item: (raw: unknown) => T): T[] {
	const body: Json = needObj(value, `${key} list`);
	if (!Array.isArray(body[key])) throw new ShapeError(`missing ${key}`);
	return arr(body[key]).filter(x => x !== null).map(item);
}
