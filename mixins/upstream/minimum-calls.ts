/**
 * The fewest Spotify Web API calls a full crawl of a catalog can make, the yardstick the benchmark
 * reports real call counts against.
 *
 * A full crawl, starting from known artist ids, gets: each artist; each artist's album list; each
 * album in full (label, UPC) with its complete track list; each track in full (ISRC, popularity);
 * and, where the app may, each track's audio features. The cheapest route is:
 *
 * | step            | extended quota                   | development mode              |
 * |-----------------|----------------------------------|-------------------------------|
 * | artists         | ceil(A / 50) batch calls         | A calls                       |
 * | album lists     | ceil(N / 50) pages per artist    | ceil(N / 10) pages per artist |
 * | albums          | ceil(A·N / 20) batch calls       | A·N calls                     |
 * | more tracks     | ceil((T − 50) / 50) per album    | same                          |
 * | full tracks     | ceil(A·N·T / 50) batch calls     | A·N·T calls                   |
 * | audio features  | ceil(A·N·T / 100) batch calls    | none (not available)          |
 *
 * (a full album embeds its first 50 tracks, so album track pages are only needed past that).
 * The token request goes to the accounts service, not the Web API, and is not counted.
 */
import type { SpotifyMode } from "./types";

export interface CatalogShape {
	artists: number;
	/** Albums in the crawled release groups, per artist. */
	albumsPerArtist: number;
	tracksPerAlbum: number;
	mode: Exclude<SpotifyMode, "unknown">;
	/** Artist searches made to find the seeds, one call each. Default 0. */
	searches?: number;
	/** Whether audio features are fetched (extended apps only). Default true. */
	audioFeatures?: boolean;
}

export interface MinimumCalls {
	total: number;
	artists: number;
	artistAlbums: number;
	albums: number;
	albumTracks: number;
	tracks: number;
	audioFeatures: number;
	searches: number;
}

const ceilDiv = (n: number, d: number): number => Math.ceil(n / d);

export function minimumCalls(shape: CatalogShape): MinimumCalls {
	const { artists: a, albumsPerArtist: n, tracksPerAlbum: t, mode } = shape;
	const ext = mode === "extended";
	const albums = a * n;
	const tracks = albums * t;
	const parts = {
		searches: shape.searches ?? 0,
		artists: ext ? ceilDiv(a, 50) : a,
		// Even an artist without albums costs one (empty) page.
		artistAlbums: a * Math.max(1, ceilDiv(n, ext ? 50 : 10)),
		albums: ext ? ceilDiv(albums, 20) : albums,
		albumTracks: albums * Math.max(0, ceilDiv(t - 50, 50)),
		tracks: ext ? ceilDiv(tracks, 50) : tracks,
		audioFeatures: ext && shape.audioFeatures !== false ? ceilDiv(tracks, 100) : 0
	};
	const total = Object.values(parts).reduce((sum, x) => sum + x, 0);
	return { total, ...parts };
}

/** Calls per 1000 tracks, the unit the benchmark reports in. */
export function callsPer1000Tracks(calls: number, tracks: number): number {
	return tracks > 0 ? (calls * 1000) / tracks : 0;
}
