import { FatalError, NotFoundError, RateLimitedError, RetryableError, errorKind } from "../../../mixins/upstream/errors";
import { SpotifyClient, type SpotifyClientOptions } from "../../../mixins/upstream/spotify";
import { generateCatalog, startSpotifySimulator, type SpotifySimulator } from "../../simulators";
import { MemoryModeStore, PassThroughLimiter, rejectionOf } from "./helpers";

// 12 albums per artist: two pages of 10 in development mode. 60 tracks per album: two pages of 50.
const catalog = generateCatalog({ seed: 7, artists: 4, albumsPerArtist: 12, tracksPerAlbum: 60, audioFeaturesMissingRate: 0.2 });
const trackIds = (from: number, n: number): string[] => Array.from({ length: n }, (_, k) => catalog.trackSpotifyId(from + k));

let sim: SpotifySimulator;

function client(opts: Partial<SpotifyClientOptions> = {}): { spotify: SpotifyClient; limiter: PassThroughLimiter } {
	const limiter = new PassThroughLimiter("spotify");
	const spotify = new SpotifyClient({
		accountsUrl: sim.accountsUrl,
		apiUrl: sim.apiUrl,
		clientId: sim.clientId,
		clientSecret: sim.clientSecret,
		limiter,
		timeoutMs: 2000,
		...opts
	});
	return { spotify, limiter };
}

beforeAll(async () => {
	sim = await startSpotifySimulator({ catalog });
});
afterAll(() => sim.close());
beforeEach(() => {
	sim.setMode("extended");
	sim.setFaults({ errorRate: 0, timeoutRate: 0, malformedRate: 0, truncatedPageRate: 0, malformedIds: [] });
	sim.setRateLimit({ maxPerWindow: null });
	sim.resetStats();
});

describe("SpotifyClient: auth", () => {
	it("requests one token for many calls, concurrent ones included", async () => {
		const { spotify, limiter } = client();
		await Promise.all([0, 1, 2, 3].map(i => spotify.artist(catalog.artistSpotifyId(i))));
		await spotify.track(catalog.trackSpotifyId(0));
		await spotify.albumTracks(catalog.albumSpotifyId(0));
		expect(sim.counts["POST /api/token"]).toBe(1);
		expect(sim.stats().tokensIssued).toBe(1);
		// The API calls went through the limiter; the token request (the accounts service, which the
		// Web API's rate limit does not count) took none of its slots.
		expect(limiter.scheduled).toBe(4 + 1 + 2);
	});

	it("renews the token before it expires", async () => {
		const shortLived = await startSpotifySimulator({ catalog, tokenTtlSec: 2 });
		try {
			const { spotify } = client({ accountsUrl: shortLived.accountsUrl, apiUrl: shortLived.apiUrl });
			await spotify.artist(catalog.artistSpotifyId(0));
			// A 2 s token is renewed halfway; a 3600 s one a minute before it ends.
			await new Promise(resolve => setTimeout(resolve, 1100));
			await spotify.artist(catalog.artistSpotifyId(0));
			expect(shortLived.stats()).toMatchObject({ tokensIssued: 2, unauthorized: 0 });
		} finally {
			await shortLived.close();
		}
	});

	it("on 401 refreshes the token once and retries the call", async () => {
		const { spotify } = client();
		await spotify.artist(catalog.artistSpotifyId(0));
		sim.expireTokens();
		const artist = await spotify.artist(catalog.artistSpotifyId(1));
		expect(artist.id).toBe(catalog.artistSpotifyId(1));
		expect(sim.stats()).toMatchObject({ tokensIssued: 2, unauthorized: 1 });
		expect(sim.counts["GET /v1/artists/{id}"]).toBe(3);
	});

	it("gives up with a FatalError when the fresh token is refused too", async () => {
		const { spotify, limiter } = client();
		await spotify.artist(catalog.artistSpotifyId(0));
		// Every API call now meets a revoked token, as with an app that was disabled.
		limiter.beforeEach = () => sim.expireTokens();
		const err = await rejectionOf(spotify.artist(catalog.artistSpotifyId(1)));
		expect(err).toBeInstanceOf(FatalError);
		expect(err).toMatchObject({ status: 401, endpoint: "artist" });
		expect(sim.stats().unauthorized).toBe(2);
	});

	it("reports rejected credentials as a FatalError", async () => {
		const { spotify } = client({ clientSecret: "wrong" });
		const err = await rejectionOf(spotify.artist(catalog.artistSpotifyId(0)));
		expect(err).toBeInstanceOf(FatalError);
		expect((err as Error).message).toMatch(/client credentials rejected/);
		expect(sim.counts["GET /v1/artists/{id}"]).toBeUndefined();
	});
});

describe("SpotifyClient: reads and paging", () => {
	it("normalises artists, albums and tracks", async () => {
		const { spotify } = client();
		const [artist] = await spotify.searchArtist(catalog.artistNameOf(2));
		expect(artist).toMatchObject({ provider: "spotify", id: catalog.artistSpotifyId(2), name: catalog.artistNameOf(2), genres: catalog.artist(2).genres });
		const track = await spotify.track(catalog.trackSpotifyId(5));
		const info = catalog.track(5);
		expect(track).toEqual(
			expect.objectContaining({
				id: info.spotifyId,
				isrc: info.isrc,
				durationMs: info.durationMs,
				albumId: catalog.albumSpotifyId(info.album),
				popularity: info.popularity,
				trackNumber: info.trackNumber
			})
		);
		expect(track.artists[0]).toEqual({ id: catalog.artistSpotifyId(info.artist), name: catalog.artistNameOf(info.artist) });
		const [album] = await spotify.albums([catalog.albumSpotifyId(0)]);
		expect(album).toMatchObject({ id: catalog.albumSpotifyId(0), label: catalog.album(0).label, upc: catalog.album(0).upc, totalTracks: 60 });
		expect(album.tracks).toHaveLength(50);
	});

	it("follows next to the end of album track lists", async () => {
		const { spotify } = client();
		const tracks = await spotify.albumTracks(catalog.albumSpotifyId(1));
		expect(tracks.map(t => t.id)).toEqual(trackIds(60, 60));
		expect(tracks.every(t => t.albumId === catalog.albumSpotifyId(1))).toBe(true);
		expect(sim.counts["GET /v1/albums/{id}/tracks"]).toBe(2);
		const [full] = await spotify.albumsWithTracks([catalog.albumSpotifyId(1)]);
		expect(full.tracks?.map(t => t.id)).toEqual(trackIds(60, 60));
		expect(sim.counts["GET /v1/albums/{id}/tracks"]).toBe(3);
	});

	it("follows next through small development-mode album pages", async () => {
		sim.setMode("development");
		const { spotify } = client({ mode: "development" });
		const albums = await spotify.artistAlbums(catalog.artistSpotifyId(3));
		expect(albums.map(a => a.id).sort()).toEqual(catalog.artistAlbums(3).map(j => catalog.albumSpotifyId(j)).sort());
		expect(sim.counts["GET /v1/artists/{id}/albums"]).toBe(2);
	});

	it("leaves unknown ids out of multi-gets and reports single unknown ids as NotFoundError", async () => {
		const { spotify } = client();
		const tracks = await spotify.tracks([catalog.trackSpotifyId(0), "0000000000000000000000"]);
		expect(tracks.map(t => t.id)).toEqual([catalog.trackSpotifyId(0)]);
		const err = await rejectionOf(spotify.track("0000000000000000000000"));
		expect(err).toBeInstanceOf(NotFoundError);
		expect(errorKind(err)).toBe("not-found");
	});

	it("returns audio features in extended mode, skipping tracks without any", async () => {
		const { spotify } = client();
		const ids = trackIds(0, 120);
		const features = await spotify.audioFeatures(ids);
		const expected = ids.filter((_, k) => catalog.track(k).features !== null);
		expect(features?.map(f => f.trackId)).toEqual(expected);
		expect(features?.[0]).toMatchObject({ tempo: catalog.track(catalog.findTrackBySpotifyId(expected[0]) ?? 0).tempo });
		expect(sim.counts["GET /v1/audio-features"]).toBe(2);
	});
});

describe("SpotifyClient: development-mode detection", () => {
	it("switches to per-item calls on a batch 403, remembers it and reuses it after a restart", async () => {
		sim.setMode("development");
		const store = new MemoryModeStore();
		const { spotify } = client({ modeStore: store });
		expect(spotify.mode).toBe("unknown");
		const tracks = await spotify.tracks(trackIds(0, 3));
		expect(tracks.map(t => t.isrc)).toEqual([0, 1, 2].map(k => catalog.isrcOf(k)));
		expect(spotify.mode).toBe("development");
		expect(store.saved).toEqual(["development"]);
		expect(sim.counts["GET /v1/tracks"]).toBe(1);
		expect(sim.counts["GET /v1/tracks/{id}"]).toBe(3);

		await spotify.tracks(trackIds(3, 2));
		await spotify.albums([catalog.albumSpotifyId(0)]);
		expect(sim.counts["GET /v1/tracks"]).toBe(1);
		expect(sim.counts["GET /v1/albums"]).toBeUndefined();
		expect(await spotify.audioFeatures(trackIds(0, 3))).toBeNull();
		expect(sim.counts["GET /v1/audio-features"]).toBeUndefined();

		const restarted = client({ modeStore: store }).spotify;
		await restarted.tracks(trackIds(0, 2));
		expect(restarted.mode).toBe("development");
		expect(sim.counts["GET /v1/tracks"]).toBe(1);
	});

	it("switches when artist albums refuse a limit of 50, and pages by 10", async () => {
		sim.setMode("development");
		const { spotify } = client();
		const albums = await spotify.artistAlbums(catalog.artistSpotifyId(0));
		expect(albums).toHaveLength(12);
		expect(spotify.mode).toBe("development");
		expect(sim.stats().badRequest).toBe(1);
		expect(sim.counts["GET /v1/artists/{id}/albums"]).toBe(1 + 2);
	});

	it("settles on extended after a batch call works", async () => {
		const store = new MemoryModeStore();
		const { spotify } = client({ modeStore: store });
		await spotify.tracks(trackIds(0, 60));
		expect(spotify.mode).toBe("extended");
		expect(store.saved).toEqual(["extended"]);
		expect(sim.counts["GET /v1/tracks"]).toBe(2);
		expect(sim.counts["GET /v1/tracks/{id}"]).toBeUndefined();
	});

	it("never switches when the mode is forced", async () => {
		sim.setMode("development");
		const { spotify } = client({ mode: "extended" });
		const err = await rejectionOf(spotify.tracks(trackIds(0, 3)));
		expect(err).toBeInstanceOf(FatalError);
		expect(err).toMatchObject({ status: 403, endpoint: "tracks" });
		expect(spotify.mode).toBe("extended");
		expect(sim.counts["GET /v1/tracks/{id}"]).toBeUndefined();
	});
});

describe("SpotifyClient: failures", () => {
	it("on 429 pauses the limiter for Retry-After and throws RateLimitedError", async () => {
		const { spotify, limiter } = client();
		sim.setRateLimit({ maxPerWindow: 1, windowMs: 30_000 });
		await spotify.artist(catalog.artistSpotifyId(0));
		const err = await rejectionOf(spotify.artist(catalog.artistSpotifyId(1)));
		expect(err).toBeInstanceOf(RateLimitedError);
		expect((err as RateLimitedError).retryAfterMs).toBe(30_000);
		expect(limiter.rateLimitedCalls).toEqual([30_000]);
		expect(errorKind(err)).toBe("rate-limited");
	});

	it("throws RetryableError on 5xx, malformed JSON, truncated pages and timeouts", async () => {
		const { spotify } = client({ timeoutMs: 300 });
		await spotify.artist(catalog.artistSpotifyId(0));

		sim.setFaults({ errorRate: 1 });
		const server = await rejectionOf(spotify.artist(catalog.artistSpotifyId(0)));
		expect(server).toBeInstanceOf(RetryableError);
		expect((server as RetryableError).status).toBeGreaterThanOrEqual(500);

		sim.setFaults({ errorRate: 0, malformedRate: 1 });
		const malformed = await rejectionOf(spotify.artist(catalog.artistSpotifyId(0)));
		expect(malformed).toBeInstanceOf(RetryableError);
		expect((malformed as Error).message).toMatch(/malformed JSON/);

		sim.setFaults({ malformedRate: 0, truncatedPageRate: 1 });
		const truncated = await rejectionOf(spotify.albumTracks(catalog.albumSpotifyId(0)));
		expect(truncated).toBeInstanceOf(RetryableError);
		expect((truncated as Error).message).toMatch(/truncated page/);

		sim.setFaults({ truncatedPageRate: 0, timeoutRate: 1, timeoutMs: 5000 });
		const timeout = await rejectionOf(spotify.artist(catalog.artistSpotifyId(0)));
		expect(timeout).toBeInstanceOf(RetryableError);
		expect((timeout as Error).message).toMatch(/timed out after 300 ms/);
	});

	it("retries a malformed id with the same outcome: the scheduler decides when to give up", async () => {
		const { spotify } = client();
		sim.setFaults({ malformedIds: [catalog.trackSpotifyId(4)] });
		expect(await rejectionOf(spotify.track(catalog.trackSpotifyId(4)))).toBeInstanceOf(RetryableError);
		expect(await rejectionOf(spotify.tracks(trackIds(0, 5)))).toBeInstanceOf(RetryableError);
		expect((await spotify.tracks(trackIds(5, 5))).length).toBe(5);
	});
});

describe("SpotifyClient: one bad item in a batch", () => {
	it("per item (development mode), a failing id costs only itself: the rest of the batch comes back", async () => {
		sim.setMode("development");
		const ids = trackIds(0, 60);
		sim.setFaults({ malformedIds: [ids[7]] });
		const { spotify } = client({ mode: "development" });
		const { items, failed } = await spotify.tracksSettled(ids);
		expect(items.map(t => t.id)).toEqual(ids.filter(id => id !== ids[7]));
		expect([...failed.keys()]).toEqual([ids[7]]);
		expect(errorKind(failed.get(ids[7]))).toBe("retryable");
		// The throwing form still throws, so callers that need everything see the failure.
		await expect(spotify.tracks(ids)).rejects.toThrow(/malformed/);
	});

	it("in batches (extended mode), a failing batch fails its own ids and the next batch still runs", async () => {
		const ids = trackIds(0, 100);
		sim.setFaults({ malformedIds: [ids[3]] });
		const { spotify } = client({ mode: "extended" });
		const { items, failed } = await spotify.tracksSettled(ids);
		expect(items.map(t => t.id)).toEqual(ids.slice(50));
		expect([...failed.keys()].sort()).toEqual(ids.slice(0, 50).sort());
	});
});
