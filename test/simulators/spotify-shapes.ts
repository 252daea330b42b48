import type { Catalog, TrackInfo } from "./catalog";
import { pageUrl } from "./http";
import type { Reply } from "./server";
import type { StatEvent } from "./stats";

export type SpotifyMode = "extended" | "development";

export type Json = Record<string, unknown>;

export interface Paging {
	href: string;
	items: Json[];
	limit: number;
	next: string | null;
	offset: number;
	previous: string | null;
	total: number;
}

/** Builds Web API objects on demand; in development mode the deprecated fields are left out. */
export class SpotifyShapes {
	base = "";
	mode: SpotifyMode = "extended";

	constructor(private readonly catalog: Catalog) {}

	get api(): string {
		return `${this.base}/v1`;
	}

	private get extended(): boolean {
		return this.mode === "extended";
	}

	private common(kind: "artist" | "album" | "track", id: string, path: string): Json {
		return {
			external_urls: { spotify: `https://open.spotify.com/${kind}/${id}` },
			href: `${this.api}/${path}/${id}`,
			id,
			type: kind,
			uri: `spotify:${kind}:${id}`
		};
	}

	simplifiedArtist(i: number): Json {
		return { ...this.common("artist", this.catalog.artistSpotifyId(i), "artists"), name: this.catalog.artistNameOf(i) };
	}

	artist(i: number): Json {
		const a = this.catalog.artist(i);
		const out: Json = { ...this.simplifiedArtist(i), images: images(a.imageHash) };
		if (this.extended) {
			out.followers = { href: null, total: a.followers };
			out.genres = a.genres;
			out.popularity = a.popularity;
		}
		return out;
	}

	simplifiedAlbum(j: number, group?: string): Json {
		const a = this.catalog.album(j);
		const out: Json = {
			...this.common("album", a.spotifyId, "albums"),
			album_type: a.albumType,
			total_tracks: a.trackCount,
			available_markets: ["DE", "FR", "GB", "US"],
			images: images(a.imageHash),
			name: a.name,
			release_date: a.releaseDate,
			release_date_precision: a.releaseDatePrecision,
			artists: [this.simplifiedArtist(a.artist)]
		};
		if (group) out.album_group = group;
		return out;
	}

	album(j: number): { body: Json; tracks: Paging } {
		const a = this.catalog.album(j);
		const tracksUrl = new URL(`${this.api}/albums/${a.spotifyId}/tracks`);
		const tracks = this.page(tracksUrl, this.albumTrackItems(j, 0, 50), 0, 50, a.trackCount);
		const body: Json = {
			...this.simplifiedAlbum(j),
			tracks,
			copyrights: [{ text: `© ${a.releaseDate.slice(0, 4)} ${a.label}`, type: "C" }],
			external_ids: { upc: a.upc }
		};
		if (this.extended) {
			body.genres = [];
			body.label = a.label;
			body.popularity = a.popularity;
		}
		return { body, tracks };
	}

	albumTrackItems(j: number, offset: number, limit: number): Json[] {
		const { start, end } = this.catalog.albumTrackRange(j);
		const items: Json[] = [];
		for (let k = start + offset; k < Math.min(end, start + offset + limit); k++) items.push(this.simplifiedTrack(this.catalog.track(k)));
		return items;
	}

	simplifiedTrack(t: TrackInfo): Json {
		const artists = [this.simplifiedArtist(t.artist)];
		if (t.featured >= 0) artists.push(this.simplifiedArtist(t.featured));
		return {
			...this.common("track", t.spotifyId, "tracks"),
			artists,
			available_markets: ["DE", "FR", "GB", "US"],
			disc_number: t.discNumber,
			duration_ms: t.durationMs,
			explicit: t.explicit,
			is_local: false,
			name: t.name,
			preview_url: this.extended ? `${this.base}/preview/${t.spotifyId}.mp3` : null,
			track_number: t.trackNumber
		};
	}

	track(k: number): Json {
		const t = this.catalog.track(k);
		const out: Json = { ...this.simplifiedTrack(t), album: this.simplifiedAlbum(t.album), external_ids: { isrc: t.isrc } };
		if (this.extended) out.popularity = t.popularity;
		return out;
	}

	audioFeatures(k: number): Json | null {
		const t = this.catalog.track(k);
		if (!t.features) return null;
		return {
			...t.features,
			type: "audio_features",
			id: t.spotifyId,
			uri: `spotify:track:${t.spotifyId}`,
			track_href: `${this.api}/tracks/${t.spotifyId}`,
			analysis_url: `${this.api}/audio-analysis/${t.spotifyId}`,
			duration_ms: t.durationMs
		};
	}

	page(url: URL, items: Json[], offset: number, limit: number, total: number): Paging {
		return {
			href: pageUrl(url, { offset, limit }),
			items,
			limit,
			next: offset + limit < total ? pageUrl(url, { offset: offset + limit, limit }) : null,
			offset,
			previous: offset > 0 ? pageUrl(url, { offset: Math.max(0, offset - limit), limit }) : null,
			total
		};
	}
}

// Spotify's image ids start with a per-size prefix; the rest is the entity's hash.
const IMAGE_SIZES = [
	{ size: 640, prefix: "ab67616d0000b273" },
	{ size: 300, prefix: "ab67616d00001e02" },
	{ size: 64, prefix: "ab67616d00004851" }
] as const;

function images(hash: string): Json[] {
	return IMAGE_SIZES.map(({ size, prefix }) => ({ url: `https://i.scdn.co/image/${prefix}${hash.slice(0, 24)}`, height: size, width: size }));
}

const EVENTS: Record<number, StatEvent> = { 400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "notFound", 429: "rateLimited" };

export function spotifyError(status: number, message: string, extra: Json = {}, headers?: Record<string, string>): Reply {
	return { status, body: { error: { status, message, ...extra } }, headers, event: EVENTS[status] };
}
