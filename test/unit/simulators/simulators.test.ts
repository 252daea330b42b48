import {
	generateCatalog,
	minimalDeezerCalls,
	minimalSpotifyCalls,
	parseSimulatorArgs,
	reachableArtists,
	startSimulators,
	type SimulatorPair
} from "../../simulators";
import { getJson, requestToken, type DeezerErrorBody } from "./helpers";

describe("synthetic catalog", () => {
	it("is deterministic for a seed and differs across seeds", () => {
		const a = generateCatalog({ seed: 5, artists: 12 });
		const b = generateCatalog({ seed: 5, artists: 12 });
		const c = generateCatalog({ seed: 6, artists: 12 });
		for (let k = 0; k < a.trackCount; k++) expect(a.track(k)).toEqual(b.track(k));
		for (let j = 0; j < a.albumCount; j++) expect(a.album(j)).toEqual(b.album(j));
		for (let i = 0; i < a.artistCount; i++) expect(a.artist(i)).toEqual(b.artist(i));
		expect(c.track(0).spotifyId).not.toBe(a.track(0).spotifyId);
		expect(c.track(0).isrc).not.toBe(a.track(0).isrc);
	});

	// How fast it generates is bench:crawl's business: a loaded CI machine is no stopwatch.
	it("sizes 50k tracks, with well-formed unique ids and ISRCs", () => {
		const catalog = generateCatalog({ seed: 9, tracks: 50_000, albumsPerArtist: 10, tracksPerAlbum: 10 });
		expect(catalog.trackCount).toBe(50_000);
		expect(catalog.expected.tracks).toBe(50_000);
		const isrcs = new Set<string>();
		const ids = new Set<string>();
		for (let k = 0; k < catalog.trackCount; k += 7) {
			const t = catalog.track(k);
			expect(t.isrc).toMatch(/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/);
			expect(t.spotifyId).toMatch(/^[0-9A-Za-z]{22}$/);
			expect(t.tempo).toBeGreaterThanOrEqual(60);
			expect(t.tempo).toBeLessThanOrEqual(200);
			isrcs.add(t.isrc);
			ids.add(t.spotifyId);
		}
		expect(isrcs.size).toBe(Math.ceil(50_000 / 7));
		expect(ids.size).toBe(isrcs.size);
	});

	it("leaves about the configured share of Deezer bpms unknown and tracks missing", () => {
		const catalog = generateCatalog({ seed: 2, artists: 100, albumsPerArtist: 10, tracksPerAlbum: 10, deezerMissingRate: 0.05 });
		const e = catalog.expected;
		expect(e.deezerBpmUnknown / e.deezerTracks).toBeGreaterThan(0.27);
		expect(e.deezerBpmUnknown / e.deezerTracks).toBeLessThan(0.33);
		expect(e.deezerMissing / e.tracks).toBeGreaterThan(0.04);
		expect(e.deezerMissing / e.tracks).toBeLessThan(0.06);
		let zero = 0;
		for (let k = 0; k < catalog.trackCount; k++) if (catalog.track(k).onDeezer && catalog.track(k).deezerBpm === 0) zero++;
		expect(zero).toBe(e.deezerBpmUnknown);
		expect(e.anyTempo).toBe(e.tracks);
	});

	it("links artists through featured tracks so a few seeds reach everyone", () => {
		const connected = generateCatalog({ seed: 3, artists: 30 });
		expect(reachableArtists(connected, [0])).toHaveLength(30);
		const isolated = generateCatalog({ seed: 3, artists: 30, connected: false, featureRate: 0 });
		expect(reachableArtists(isolated, [0, 4])).toEqual([0, 4]);
		expect(connected.expected.featuredTracks).toBeGreaterThanOrEqual(30);
	});

	it("computes the minimal number of upstream calls per mode", () => {
		const catalog = generateCatalog({ seed: 1, artists: 10, albumsPerArtist: 12, tracksPerAlbum: 60 });
		const ext = minimalSpotifyCalls(catalog, "extended");
		expect(ext).toMatchObject({ artists: 1, artistAlbumPages: 10, albums: 6, extraAlbumTrackPages: 120, tracks: 144, audioFeatures: 72 });
		const dev = minimalSpotifyCalls(catalog, "development");
		expect(dev).toMatchObject({ artists: 10, artistAlbumPages: 20, albums: 120, extraAlbumTrackPages: 120, tracks: 7200, audioFeatures: 0 });
		expect(minimalDeezerCalls(catalog).isrcLookups).toBe(7200);
	});

	it("picks permanently malformed entities deterministically", () => {
		const a = generateCatalog({ seed: 4, malformedTracks: 3, malformedAlbums: 1 });
		const b = generateCatalog({ seed: 4, malformedTracks: 3, malformedAlbums: 1 });
		expect(a.malformed.tracks).toHaveLength(3);
		expect(a.malformed).toEqual(b.malformed);
		expect(a.expected.malformed).toEqual({ artists: 0, albums: 1, tracks: 3 });
	});
});

describe("Spotify and Deezer share ISRCs", () => {
	let sims: SimulatorPair;
	beforeAll(async () => {
		sims = await startSimulators({ catalog: { seed: 11, artists: 6, deezerMissingRate: 0.2 }, deezer: { maxPerWindow: Infinity } });
	});
	afterAll(() => sims.close());

	it("matches every Spotify track to its Deezer twin by ISRC", async () => {
		const token = String((await requestToken(sims.spotify)).body.access_token);
		const headers = { authorization: `Bearer ${token}` };
		const c = sims.catalog;
		const ids = Array.from({ length: 40 }, (_, k) => c.trackSpotifyId(k));
		const tracks = await getJson<{ tracks: { id: string; external_ids: { isrc: string } }[] }>(`${sims.spotify.apiUrl}/tracks?ids=${ids.join(",")}`, headers);
		expect(tracks.status).toBe(200);
		let missing = 0;
		for (const [k, t] of tracks.body.tracks.entries()) {
			const dz = await getJson<{ id: number; isrc: string; bpm: number } & Partial<DeezerErrorBody>>(`${sims.deezer.url}/track/isrc:${t.external_ids.isrc}`);
			expect(dz.status).toBe(200);
			if (!c.track(k).onDeezer) {
				expect(dz.body.error?.code).toBe(800);
				missing++;
				continue;
			}
			expect(dz.body.isrc).toBe(t.external_ids.isrc);
			expect(dz.body.id).toBe(c.deezerTrackId(k));
			expect(dz.body.bpm).toBe(c.track(k).deezerBpm);
		}
		expect(missing).toBe(Array.from({ length: 40 }, (_, k) => c.track(k)).filter((t) => !t.onDeezer).length);
	});
});

describe("CLI options", () => {
	it("reads argv over env, kebab or camel case, with per-provider fault overrides", () => {
		const opts = parseSimulatorArgs(
			["--seed", "7", "--tracks=50000", "--mode=development", "--error-rate", "0.1", "--deezerErrorRate=0.2", "--malformed-ids", "a,b", "--connected"],
			{ SIM_SEED: "3", SIM_SPOTIFY_MAX_PER_WINDOW: "100", SIM_DEEZER_WINDOW_MS: "1000" }
		);
		expect(opts.catalog).toEqual({ seed: 7, tracks: 50_000, connected: true });
		expect(opts.spotify).toMatchObject({ mode: "development", maxPerWindow: 100, faults: { errorRate: 0.1, malformedIds: ["a", "b"] } });
		expect(opts.deezer).toMatchObject({ windowMs: 1000, faults: { errorRate: 0.2, malformedIds: ["a", "b"] } });
	});

	it("rejects unknown options and bad values", () => {
		expect(() => parseSimulatorArgs(["--sede", "1"])).toThrow(/unknown/);
		expect(() => parseSimulatorArgs(["--seed", "x"])).toThrow(/number/);
		expect(() => parseSimulatorArgs(["--mode", "free"])).toThrow(/mode/);
	});
});
