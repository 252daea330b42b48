import { DeezerClient, type DeezerClientOptions } from "../../../mixins/upstream/deezer";
import { FatalError, NotFoundError, RateLimitedError, RetryableError } from "../../../mixins/upstream/errors";
import { generateCatalog, startDeezerSimulator, type DeezerSimulator } from "../../simulators";
import { PassThroughLimiter, rejectionOf } from "./helpers";

const catalog = generateCatalog({ seed: 11, artists: 5, albumsPerArtist: 12, tracksPerAlbum: 30, deezerBpmUnknownRate: 0.3, deezerMissingRate: 0.1 });
const allTracks = Array.from({ length: catalog.trackCount }, (_, k) => catalog.track(k));
const withBpm = allTracks.find(t => t.onDeezer && t.deezerBpm > 0);
const bpmUnknown = allTracks.find(t => t.onDeezer && t.deezerBpm === 0);
const missing = allTracks.find(t => !t.onDeezer);

let sim: DeezerSimulator;

function client(opts: Partial<DeezerClientOptions> = {}): { deezer: DeezerClient; limiter: PassThroughLimiter } {
	const limiter = new PassThroughLimiter("deezer");
	return { deezer: new DeezerClient({ baseUrl: sim.url, limiter, timeoutMs: 2000, ...opts }), limiter };
}

beforeAll(async () => {
	// Deezer clamps large limits; the simulator does so at 10 to prove paging copes.
	sim = await startDeezerSimulator({ catalog, maxLimit: 10 });
});
afterAll(() => sim.close());
beforeEach(() => {
	sim.setFaults({ errorRate: 0, timeoutRate: 0, malformedRate: 0, truncatedPageRate: 0, malformedIds: [] });
	sim.setRateLimit({ maxPerWindow: null });
	sim.resetStats();
});

describe("DeezerClient: reads", () => {
	it("finds and reads artists", async () => {
		const { deezer } = client();
		const [found] = await deezer.searchArtist(catalog.artistNameOf(1));
		expect(found).toMatchObject({ provider: "deezer", id: String(catalog.deezerArtistId(1)), name: catalog.artistNameOf(1), albumCount: 12 });
		expect(await deezer.artist(found.id)).toEqual(found);
	});

	it("follows next to the end, even when Deezer clamps the page size", async () => {
		const { deezer } = client();
		const albums = await deezer.artistAlbums(String(catalog.deezerArtistId(2)));
		expect(albums.map(a => a.id)).toEqual(catalog.artistAlbums(2).map(j => String(catalog.deezerAlbumId(j))));
		expect(sim.counts["GET /artist/{id}/albums"]).toBe(2);

		const j = catalog.artistAlbums(2)[0];
		const tracks = await deezer.albumTracks(String(catalog.deezerAlbumId(j)));
		const { start, end } = catalog.albumTrackRange(j);
		const onDeezer = allTracks.slice(start, end).filter(t => t.onDeezer);
		expect(tracks.map(t => t.isrc)).toEqual(onDeezer.map(t => t.isrc));
		expect(sim.counts["GET /album/{id}/tracks"]).toBe(Math.ceil(onDeezer.length / 10));
	});

	it("reads a track's bpm as its tempo, and a bpm of 0 as no tempo", async () => {
		if (!withBpm || !bpmUnknown) throw new Error("catalog lacks the tracks this test needs");
		const { deezer } = client();
		const known = await deezer.track(String(withBpm.deezerId));
		expect(known).toMatchObject({ isrc: withBpm.isrc, tempo: withBpm.deezerBpm, durationMs: Math.round(withBpm.durationMs / 1000) * 1000 });
		const unknown = await deezer.track(String(bpmUnknown.deezerId));
		expect(unknown.tempo).toBeUndefined();
		expect("tempo" in unknown).toBe(false);
	});

	it("looks tracks up by ISRC, and reports code 800 as NotFoundError", async () => {
		if (!withBpm || !missing) throw new Error("catalog lacks the tracks this test needs");
		const { deezer } = client();
		const track = await deezer.trackByIsrc(withBpm.isrc.toLowerCase());
		expect(track).toMatchObject({ id: String(withBpm.deezerId), isrc: withBpm.isrc, tempo: withBpm.deezerBpm });
		expect(sim.counts["GET /track/isrc:{isrc}"]).toBe(1);
		const err = await rejectionOf(deezer.trackByIsrc(missing.isrc));
		expect(err).toBeInstanceOf(NotFoundError);
		expect(err).toMatchObject({ provider: "deezer", endpoint: "track-isrc" });
	});
});

describe("DeezerClient: failures", () => {
	it("turns code 4 into a cluster-wide pause and a RateLimitedError", async () => {
		const { deezer, limiter } = client({ quotaPauseMs: 5000 });
		sim.setRateLimit({ maxPerWindow: 1, windowMs: 5000 });
		await deezer.artist(String(catalog.deezerArtistId(0)));
		const err = await rejectionOf(deezer.artist(String(catalog.deezerArtistId(1))));
		expect(err).toBeInstanceOf(RateLimitedError);
		expect((err as RateLimitedError).retryAfterMs).toBe(5000);
		expect(limiter.rateLimitedCalls).toEqual([5000]);
	});

	it("throws RetryableError on server errors, malformed JSON and truncated pages", async () => {
		const { deezer } = client();
		sim.setFaults({ errorRate: 1 });
		for (let i = 0; i < 4; i++) expect(await rejectionOf(deezer.artist(String(catalog.deezerArtistId(0))))).toBeInstanceOf(RetryableError);

		sim.setFaults({ errorRate: 0, malformedRate: 1 });
		const malformed = await rejectionOf(deezer.artist(String(catalog.deezerArtistId(0))));
		expect(malformed).toBeInstanceOf(RetryableError);
		expect((malformed as Error).message).toMatch(/malformed JSON/);

		sim.setFaults({ malformedRate: 0, truncatedPageRate: 1 });
		const truncated = await rejectionOf(deezer.artistAlbums(String(catalog.deezerArtistId(0))));
		expect((truncated as Error).message).toMatch(/truncated page/);
	});

	it("treats Deezer's other error codes as fatal", async () => {
		const { deezer } = client();
		// The simulator answers a search without a query with code 501 (missing parameter).
		const err = await rejectionOf(deezer.searchArtist(""));
		expect(err).toBeInstanceOf(FatalError);
		expect((err as Error).message).toMatch(/code 501/);
	});
});
