import type { AlbumType, Catalog, TrackInfo } from "./catalog";
import { GENRES } from "./names";
import type { Reply } from "./server";
import type { StatEvent } from "./stats";
import type { Json } from "./spotify-shapes";

const RECORD_TYPES: Record<AlbumType, string> = { album: "album", single: "single", compilation: "compile" };

/** Builds Deezer API objects on demand, with links pointing back at the simulator. */
export class DeezerShapes {
	base = "";

	constructor(private readonly catalog: Catalog) {}

	private pictures(kind: "artist" | "cover", id: number, hash: string): Json {
		const url = (size: number): string => `https://e-cdns-images.dzcdn.net/images/${kind}/${hash}/${size}x${size}-000000-80-0-0.jpg`;
		const prefix = kind === "artist" ? "picture" : "cover";
		return {
			[prefix]: `${this.base}/${kind === "artist" ? "artist" : "album"}/${id}/image`,
			[`${prefix}_small`]: url(56),
			[`${prefix}_medium`]: url(250),
			[`${prefix}_big`]: url(500),
			[`${prefix}_xl`]: url(1000)
		};
	}

	artistRef(i: number): Json {
		const id = this.catalog.deezerArtistId(i);
		return { id, name: this.catalog.artistNameOf(i), tracklist: `${this.base}/artist/${id}/top?limit=50`, type: "artist" };
	}

	artist(i: number): Json {
		const a = this.catalog.artist(i);
		return {
			id: a.deezerId,
			name: a.name,
			link: `https://www.deezer.com/artist/${a.deezerId}`,
			share: `https://www.deezer.com/artist/${a.deezerId}?utm_source=deezer`,
			...this.pictures("artist", a.deezerId, a.imageHash),
			nb_album: this.catalog.options.albumsPerArtist,
			nb_fan: a.fans,
			radio: true,
			tracklist: `${this.base}/artist/${a.deezerId}/top?limit=50`,
			type: "artist"
		};
	}

	private contributor(i: number, role: "Main" | "Featured"): Json {
		return { ...this.artist(i), role };
	}

	albumSummary(j: number): Json {
		const a = this.catalog.album(j);
		return {
			id: a.deezerId,
			title: a.name,
			link: `https://www.deezer.com/album/${a.deezerId}`,
			...this.pictures("cover", a.deezerId, a.imageHash),
			md5_image: a.imageHash,
			genre_id: this.categories(a.artist)[0]?.id ?? -1,
			fans: Math.round(a.popularity * 37),
			release_date: a.fullReleaseDate,
			record_type: RECORD_TYPES[a.albumType],
			tracklist: `${this.base}/album/${a.deezerId}/tracks`,
			explicit_lyrics: false,
			type: "album"
		};
	}

	/** Deezer's categories for an artist's genres, each once, in the artist's order. */
	categories(i: number): Array<{ id: number; name: string }> {
		const out: Array<{ id: number; name: string }> = [];
		for (const g of this.catalog.artist(i).genres) {
			const c = DEEZER_CATEGORIES[g as (typeof GENRES)[number]];
			if (c && !out.some((x) => x.id === c.id)) out.push(c);
		}
		return out;
	}

	/** Artists featured on album `j`'s Deezer tracks, in track order. */
	albumFeatured(j: number): number[] {
		const main = this.catalog.artistOfAlbum(j);
		return [...new Set(this.albumTracks(j).map((t) => t.featured).filter((f) => f >= 0 && f !== main))];
	}

	/** Tracks of album `j` that exist on Deezer. */
	albumTracks(j: number): TrackInfo[] {
		const { start, end } = this.catalog.albumTrackRange(j);
		const out: TrackInfo[] = [];
		for (let k = start; k < end; k++) {
			const t = this.catalog.track(k);
			if (t.onDeezer) out.push(t);
		}
		return out;
	}

	album(j: number): Json {
		const a = this.catalog.album(j);
		const tracks = this.albumTracks(j);
		return {
			...this.albumSummary(j),
			upc: a.upc,
			share: `https://www.deezer.com/album/${a.deezerId}?utm_source=deezer`,
			genres: { data: this.categories(a.artist).map((g) => ({ ...g, picture: `${this.base}/genre/${g.id}/image`, type: "genre" })) },
			label: a.label,
			nb_tracks: tracks.length,
			duration: tracks.reduce((sum, t) => sum + Math.round(t.durationMs / 1000), 0),
			available: true,
			explicit_content_lyrics: 0,
			explicit_content_cover: 0,
			// Deezer lists everyone credited on the album: its artist, then those featured on its tracks.
			contributors: [this.contributor(a.artist, "Main"), ...this.albumFeatured(j).map((i) => this.contributor(i, "Featured"))],
			artist: { ...this.artistRef(a.artist), ...this.pictures("artist", this.catalog.deezerArtistId(a.artist), this.catalog.artist(a.artist).imageHash) },
			tracks: { data: tracks.map((t) => this.trackSummary(t)) }
		};
	}

	/** The shape of album track lists: no bpm, gain or contributors (only the detail call has those). */
	trackSummary(t: TrackInfo): Json {
		const version = /\s*(\(.*\))$/.exec(t.name);
		return {
			id: t.deezerId,
			readable: true,
			title: t.name,
			title_short: version ? t.name.slice(0, version.index) : t.name,
			title_version: version ? version[1] : "",
			isrc: t.isrc,
			link: `https://www.deezer.com/track/${t.deezerId}`,
			duration: Math.round(t.durationMs / 1000),
			track_position: t.trackNumber,
			disk_number: t.discNumber,
			rank: t.rank,
			explicit_lyrics: t.explicit,
			explicit_content_lyrics: t.explicit ? 1 : 0,
			explicit_content_cover: 0,
			preview: `${this.base}/preview/${t.deezerId}.mp3`,
			md5_image: this.catalog.album(t.album).imageHash,
			artist: this.artistRef(t.artist),
			type: "track"
		};
	}

	track(t: TrackInfo): Json {
		const a = this.catalog.album(t.album);
		const contributors = [this.contributor(t.artist, "Main")];
		if (t.featured >= 0) contributors.push(this.contributor(t.featured, "Featured"));
		return {
			...this.trackSummary(t),
			share: `https://www.deezer.com/track/${t.deezerId}?utm_source=deezer`,
			release_date: a.fullReleaseDate,
			bpm: t.deezerBpm,
			gain: t.gain,
			available_countries: ["BE", "DE", "FR", "GB", "US"],
			contributors,
			artist: this.artist(t.artist),
			album: {
				id: a.deezerId,
				title: a.name,
				link: `https://www.deezer.com/album/${a.deezerId}`,
				...this.pictures("cover", a.deezerId, a.imageHash),
				md5_image: a.imageHash,
				release_date: a.fullReleaseDate,
				tracklist: `${this.base}/album/${a.deezerId}/tracks`,
				type: "album"
			}
		};
	}
}

/**
 * Deezer files albums under a few dozen broad categories (GET /genre), not Spotify's fine genres;
 * these are its real ids and names for the simulated artists' genres.
 */
const ELECTRO = { id: 106, name: "Electro" };
const DEEZER_CATEGORIES: Record<(typeof GENRES)[number], { id: number; name: string }> = {
	house: ELECTRO,
	techno: ELECTRO,
	"deep house": ELECTRO,
	"drum and bass": ELECTRO,
	trance: ELECTRO,
	dubstep: ELECTRO,
	"uk garage": ELECTRO,
	electro: ELECTRO,
	ambient: ELECTRO,
	disco: { id: 113, name: "Dance" },
	"indie rock": { id: 85, name: "Alternative" },
	synthpop: { id: 132, name: "Pop" },
	"hip hop": { id: 116, name: "Rap/Hip Hop" },
	jazz: { id: 129, name: "Jazz" },
	funk: { id: 169, name: "Soul & Funk" },
	"neo soul": { id: 165, name: "R&B" }
};

const EVENTS: Record<number, StatEvent> = { 4: "rateLimited", 500: "badRequest", 501: "badRequest", 800: "notFound" };

/** Deezer reports errors in the body, usually with HTTP 200. */
export function deezerError(type: string, message: string, code: number, status = 200): Reply {
	return { status, body: { error: { type, message, code } }, event: EVENTS[code] };
}

export const NO_DATA = (): Reply => deezerError("DataException", "no data", 800);
