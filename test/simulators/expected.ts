import type { Catalog } from "./catalog";
import type { SpotifyMode } from "./spotify-shapes";

/** Artists a crawl reaches from `seeds` by following featured artists on the seeds' own albums. */
export function reachableArtists(catalog: Catalog, seeds: readonly number[], maxDepth = Infinity): number[] {
	return [...artistDepths(catalog, seeds, maxDepth).keys()].sort((a, b) => a - b);
}

/** Each artist reachable from the seeds through featured artists, with its shortest hop count (≤ maxDepth). */
export function artistDepths(catalog: Catalog, seeds: readonly number[], maxDepth = Infinity): Map<number, number> {
	return depthsBy(seeds, maxDepth, (i) => featuredArtists(catalog, i));
}

/**
 * The same for a crawl on Deezer alone, which meets an artist's neighbours as the contributors of
 * its Deezer tracks (and albums) and as its related artists.
 */
export function deezerArtistDepths(catalog: Catalog, seeds: readonly number[], maxDepth = Infinity): Map<number, number> {
	return depthsBy(seeds, maxDepth, (i) => deezerNeighbours(catalog, i));
}

/** The artists a Deezer crawl of `artist` discovers: featured on its Deezer tracks, and related. */
export function deezerNeighbours(catalog: Catalog, artist: number): Set<number> {
	const out = new Set<number>(catalog.relatedArtists(artist));
	for (const j of catalog.artistAlbums(artist)) {
		const { start, end } = catalog.albumTrackRange(j);
		for (let k = start; k < end; k++) {
			const f = catalog.featuredOn(k);
			if (f >= 0 && f !== artist && catalog.track(k).onDeezer) out.add(f);
		}
	}
	out.delete(artist);
	return out;
}

function depthsBy(seeds: readonly number[], maxDepth: number, neighbours: (i: number) => Iterable<number>): Map<number, number> {
	const depth = new Map<number, number>(seeds.map((s) => [s, 0]));
	const queue = [...depth.keys()];
	while (queue.length > 0) {
		const i = queue.shift() as number;
		const d = depth.get(i) as number;
		if (d >= maxDepth) continue;
		for (const f of neighbours(i)) {
			if (!depth.has(f)) {
				depth.set(f, d + 1);
				queue.push(f);
			}
		}
	}
	return depth;
}

/** The artists featured on an artist's tracks. */
export function featuredArtists(catalog: Catalog, artist: number): Set<number> {
	const out = new Set<number>();
	for (const j of catalog.artistAlbums(artist)) {
		const { start, end } = catalog.albumTrackRange(j);
		for (let k = start; k < end; k++) {
			const f = catalog.featuredOn(k);
			if (f >= 0 && f !== artist) out.add(f);
		}
	}
	return out;
}

export interface SpotifyCallPlan {
	mode: SpotifyMode;
	/** Artist objects: `/artists?ids=` by 50, or one `/artists/{id}` each in development mode. */
	artists: number;
	/** `/artists/{id}/albums?include_groups=album,single,compilation` at the mode's largest limit. */
	artistAlbumPages: number;
	/** Album objects (each embeds its first 50 tracks): `/albums?ids=` by 20, or one each. */
	albums: number;
	/** `/albums/{id}/tracks?limit=50&offset=50…` for albums longer than 50 tracks. */
	extraAlbumTrackPages: number;
	/** Full tracks for their ISRC: `/tracks?ids=` by 50, or one `/tracks/{id}` each. */
	tracks: number;
	/** `/audio-features?ids=` by 100; none in development mode. */
	audioFeatures: number;
	total: number;
}

/**
 * The fewest Spotify calls that crawl every album and track of `artists` (default: all) and get
 * each track's ISRC and, where allowed, its tempo. Assumes no faults, no 429s and no token refresh.
 */
export function minimalSpotifyCalls(catalog: Catalog, mode: SpotifyMode, artists?: readonly number[]): SpotifyCallPlan {
	const ext = mode === "extended";
	const who = artists ?? Array.from({ length: catalog.artistCount }, (_, i) => i);
	let artistAlbumPages = 0;
	let albumCount = 0;
	let extraAlbumTrackPages = 0;
	let trackCount = 0;
	for (const i of who) {
		const albums = catalog.artistAlbums(i);
		// An artist without albums still costs one (empty) page.
		artistAlbumPages += Math.max(1, Math.ceil(albums.length / (ext ? 50 : 10)));
		albumCount += albums.length;
		for (const j of albums) {
			const n = catalog.albumTrackCount(j);
			trackCount += n;
			extraAlbumTrackPages += Math.max(0, Math.ceil(n / 50) - 1);
		}
	}
	const plan = {
		mode,
		artists: ext ? Math.ceil(who.length / 50) : who.length,
		artistAlbumPages,
		albums: ext ? Math.ceil(albumCount / 20) : albumCount,
		extraAlbumTrackPages,
		tracks: ext ? Math.ceil(trackCount / 50) : trackCount,
		audioFeatures: ext ? Math.ceil(trackCount / 100) : 0
	};
	const total = plan.artists + plan.artistAlbumPages + plan.albums + plan.extraAlbumTrackPages + plan.tracks + plan.audioFeatures;
	return { ...plan, total };
}

export interface DeezerCallPlan {
	/** One `/track/isrc:{isrc}` per track found on Spotify (misses answer code 800 and still count). */
	isrcLookups: number;
	/**
	 * A Deezer-only crawl: `/artist/{id}/albums` pages and one `/artist/{id}/related` page per
	 * artist, one `/album/{id}` per album, one `/track/{id}` per Deezer track (for its contributors
	 * and bpm). The related page is left out for artists at the depth bound, whose neighbours are
	 * not followed: pass `related: false` for such a crawl.
	 */
	nativeCrawl: number;
}

export function minimalDeezerCalls(catalog: Catalog, maxLimit = 100, artists?: readonly number[], related = true): DeezerCallPlan {
	const who = artists ?? Array.from({ length: catalog.artistCount }, (_, i) => i);
	let isrcLookups = 0;
	let nativeCrawl = 0;
	for (const i of who) {
		const albums = catalog.artistAlbums(i);
		nativeCrawl += Math.max(1, Math.ceil(albums.length / maxLimit)) + albums.length + (related ? 1 : 0);
		for (const j of albums) {
			const { start, end } = catalog.albumTrackRange(j);
			isrcLookups += end - start;
			for (let k = start; k < end; k++) if (catalog.track(k).onDeezer) nativeCrawl++;
		}
	}
	return { isrcLookups, nativeCrawl };
}
