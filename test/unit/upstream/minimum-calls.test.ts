import { callsPer1000Tracks, minimumCalls } from "../../../mixins/upstream/minimum-calls";
import { SpotifyClient, type SpotifyModeSetting } from "../../../mixins/upstream/spotify";
import type { AudioFeatures, ProviderTrack } from "../../../mixins/upstream/types";
import { generateCatalog, minimalSpotifyCalls, startSpotifySimulator, type SpotifySimulator } from "../../simulators";
import { apiRequests, PassThroughLimiter } from "./helpers";

// 11 albums: two album pages in development mode. 52 tracks: one extra track page per album.
const shape = { artists: 3, albumsPerArtist: 11, tracksPerAlbum: 52 };
const catalog = generateCatalog({ seed: 5, ...shape, audioFeaturesMissingRate: 0.1 });
const artistIds = Array.from({ length: shape.artists }, (_, i) => catalog.artistSpotifyId(i));

/** The cheapest full crawl the client allows: batch what can be batched, page only where needed. */
async function fullCrawl(spotify: SpotifyClient): Promise<{ tracks: ProviderTrack[]; features: AudioFeatures[] | null }> {
	await spotify.artists(artistIds);
	const lists = await Promise.all(artistIds.map(id => spotify.artistAlbums(id)));
	const albums = await spotify.albumsWithTracks(lists.flat().map(a => a.id));
	const trackIds = albums.flatMap(a => a.tracks ?? []).map(t => t.id);
	const tracks = await spotify.tracks(trackIds);
	return { tracks, features: await spotify.audioFeatures(trackIds) };
}

describe("minimumCalls", () => {
	let sim: SpotifySimulator;
	beforeAll(async () => {
		sim = await startSpotifySimulator({ catalog });
	});
	afterAll(() => sim.close());

	async function crawl(simMode: "extended" | "development", clientMode: SpotifyModeSetting): Promise<{ calls: number; tracks: ProviderTrack[]; features: AudioFeatures[] | null }> {
		sim.setMode(simMode);
		sim.resetStats();
		const spotify = new SpotifyClient({
			accountsUrl: sim.accountsUrl,
			apiUrl: sim.apiUrl,
			clientId: sim.clientId,
			clientSecret: sim.clientSecret,
			limiter: new PassThroughLimiter(),
			timeoutMs: 5000,
			mode: clientMode
		});
		const result = await fullCrawl(spotify);
		expect(spotify.mode).toBe(simMode);
		return { calls: apiRequests(sim.counts), ...result };
	}

	it("matches the calls of a full crawl by an extended-quota app", async () => {
		const { calls, tracks, features } = await crawl("extended", "auto");
		const minimum = minimumCalls({ ...shape, mode: "extended" });
		expect(minimum).toMatchObject({ artists: 1, artistAlbums: 3, albums: 2, albumTracks: 33, tracks: 35, audioFeatures: 18, total: 92 });
		expect(calls).toBe(minimum.total);
		expect(minimum.total).toBe(minimalSpotifyCalls(catalog, "extended").total);
		expect(tracks).toHaveLength(catalog.trackCount);
		expect(tracks.every(t => t.isrc && t.popularity !== undefined)).toBe(true);
		expect(features).toHaveLength(catalog.expected.spotifyTempo);
	});

	it("matches the calls of a full crawl by a development-mode app", async () => {
		const { calls, tracks, features } = await crawl("development", "development");
		const minimum = minimumCalls({ ...shape, mode: "development" });
		expect(minimum).toMatchObject({ artists: 3, artistAlbums: 6, albums: 33, albumTracks: 33, tracks: 1716, audioFeatures: 0 });
		expect(calls).toBe(minimum.total);
		expect(minimum.total).toBe(minimalSpotifyCalls(catalog, "development").total);
		expect(tracks.every(t => t.isrc)).toBe(true);
		expect(features).toBeNull();
	});

	it("costs one refused batch call more when the client has to find out it is in development mode", async () => {
		const { calls } = await crawl("development", "auto");
		expect(calls).toBe(minimumCalls({ ...shape, mode: "development" }).total + 1);
		expect(sim.stats().forbidden).toBe(1);
	});

	it("reports calls per 1000 tracks", () => {
		const tracks = shape.artists * shape.albumsPerArtist * shape.tracksPerAlbum;
		expect(callsPer1000Tracks(minimumCalls({ ...shape, mode: "extended" }).total, tracks)).toBeCloseTo(53.6, 1);
		expect(minimumCalls({ artists: 2, albumsPerArtist: 0, tracksPerAlbum: 10, mode: "development", searches: 2 })).toMatchObject({ artistAlbums: 2, searches: 2, total: 6 });
	});
});
