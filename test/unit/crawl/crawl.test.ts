import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { serviceCatalog } from "../../../services";
import type { CrawlStatus } from "../../../services/scheduler/stats";
import { eventually } from "../../harness/ports";
import { pairUrls, upstreamEnv } from "../../harness/upstream-env";
import { artistDepths, deezerArtistDepths, featuredArtists, generateCatalog, reachableArtists, startSimulators, type CatalogOptions, type SimulatorPair } from "../../simulators";
import { canonicalGenre } from "../../../services/catalog/genres";
import { previewMp3 } from "../../simulators/previews";
import type { TrackView } from "../../../services/catalog/view";
import type { ArtistDoc } from "../../../services/catalog/model";
import type { Collection } from "../../../mixins/store/types";

const CRAWL_SERVICES = ["scheduler", "catalog", "artist-crawler", "album-crawler", "audio-feature"];
const CATALOG: CatalogOptions = { seed: 11, artists: 6, albumsPerArtist: 3, tracksPerAlbum: 8, albumTypeWeights: { album: 0.7, single: 0.3, compilation: 0 } };
/** Previews whose tempo is measured are real MP3s, shortened to keep the test quick. */
const PREVIEW_SECONDS = 15;

interface Counts {
	artists: number;
	albums: number;
	tracks: number;
	withTempo: number;
	withGenre: number;
	featuresPending: number;
	featuresUnavailable: number;
}

async function crawl(sims: SimulatorPair, mode: "extended" | "development", extraEnv: Record<string, string> = {}) {
	const broker = new ServiceBroker({ logger: false });
	attachConfig(
		broker,
		testConfig({
			...upstreamEnv(pairUrls(sims)),
			WORKER_POLL_MS: "20",
			CRAWL_MAX_DEPTH: "20",
			JOB_BACKOFF_BASE_MS: "10",
			JOB_BACKOFF_MAX_MS: "50",
			CRAWLER_CONCURRENCY: "4",
			ANALYSIS_WORKERS: "2",
			ANALYSIS_HOST_DELAY_MS: "1",
			...extraEnv
		})
	);
	sims.spotify.setMode(mode);
	for (const name of CRAWL_SERVICES) broker.createService(serviceCatalog[name] as ServiceSchema);
	await broker.start();
	return broker;
}

/** Every track in the catalog, through its paged list. */
async function allTracks(broker: ServiceBroker): Promise<TrackView[]> {
	const out: TrackView[] = [];
	let cursor: string | null = null;
	do {
		const page: { items: TrackView[]; nextCursor: string | null } = await broker.call("catalog.list", { limit: 100, ...(cursor ? { cursor } : {}) });
		out.push(...page.items);
		cursor = page.nextCursor;
	} while (cursor);
	return out;
}

async function untilIdle(broker: ServiceBroker): Promise<CrawlStatus> {
	return eventually(
		"the crawl to finish",
		async () => {
			const s = await broker.call<CrawlStatus, object>("scheduler.status", {});
			const pending = Object.values(s.tiers).reduce((n, t) => n + t.queued + t.leased, 0);
			return pending === 0 && s.done > 0 ? s : null;
		},
		60000,
		100
	);
}

describe("the crawl pipeline in one process", () => {
	let sims: SimulatorPair;
	let broker: ServiceBroker | undefined;

	beforeAll(() => {
		// The simulator encodes a preview the first time it is asked for (then keeps it on disk);
		// encoding them here keeps that time out of the crawls' own.
		const catalog = generateCatalog(CATALOG);
		for (let k = 0; k < catalog.trackCount; k++) {
			const t = catalog.track(k);
			if (t.onDeezer && t.deezerBpm === 0) previewMp3(catalog, k, PREVIEW_SECONDS);
		}
	}, 180000);

	beforeEach(async () => {
		sims = await startSimulators({
			catalog: CATALOG,
			// Rate limiting has its own tests; here it would only slow the crawl down.
			deezer: { maxPerWindow: 1_000_000, previewSeconds: PREVIEW_SECONDS }
		});
	});
	/** Replaces the simulators with a catalog of 12 artists whose featured artists span a few hops. */
	async function useTwelveArtists(): Promise<void> {
		await sims.close();
		const catalog: CatalogOptions = { seed: 2, artists: 12, albumsPerArtist: 2, tracksPerAlbum: 6, albumTypeWeights: { album: 0.7, single: 0.3, compilation: 0 } };
		sims = await startSimulators({ catalog, deezer: { maxPerWindow: 1_000_000 } });
	}

	afterEach(async () => {
		await broker?.stop();
		broker = undefined;
		await sims.close();
	});

	for (const mode of ["extended", "development"] as const) {
		it(`discovers every reachable track exactly once, with tempo from a provider or measured from its preview (${mode} app)`, async () => {
			const seed = sims.catalog.artist(0);
			const reachable = reachableArtists(sims.catalog, [0]);
			const tracks = reachable.flatMap(a => sims.catalog.artistAlbums(a)).flatMap(j => {
				const { start, end } = sims.catalog.albumTrackRange(j);
				return Array.from({ length: end - start }, (_, i) => sims.catalog.track(start + i));
			});
			const providerTempo = (t: (typeof tracks)[number]) => (mode === "extended" && t.features !== null) || (t.onDeezer && t.deezerBpm > 0);
			// Neither provider knows these; Deezer has their preview, which the analysis measures.
			const measurable = tracks.filter(t => !providerTempo(t) && t.onDeezer);
			// Two of them get a broken preview: they must end unavailable, with the reason.
			const broken = new Map(measurable.slice(0, 2).map((t, i) => [t, i === 0 ? ("corrupt" as const) : ("not-mp3" as const)]));
			sims.deezer.setPreviewFaults(Object.fromEntries([...broken].map(([t, fault]) => [String(t.deezerId), fault])));
			if (mode === "development") expect(measurable.length).toBeGreaterThan(5);
			broker = await crawl(sims, mode);
			await broker.call("scheduler.seed", { artists: [seed.name] });
			const status = await untilIdle(broker);
			expect(status.dead).toBe(0);
			expect(status.spotifyMode).toBe(mode);

			const expectedTracks = tracks.length;
			const measured = measurable.filter(t => !broken.has(t));
			const expectedTempo = tracks.filter(providerTempo).length + measured.length;
			const counts = await broker.call<Counts, object>("catalog.counts", {});
			expect(counts.artists).toBe(reachable.length);
			expect(counts.tracks).toBe(expectedTracks);
			expect(counts.withTempo).toBe(expectedTempo);
			expect(counts.featuresPending).toBe(0);
			expect(counts.featuresUnavailable).toBe(expectedTracks - expectedTempo);
			// Extended apps get every artist's genres (development apps get none): the seed's from
			// its search, the others' from the artists batch call.
			expect(counts.withGenre).toBe(mode === "extended" ? expectedTracks : 0);
			const artistCalls = sims.spotify.stats().byEndpoint[mode === "extended" ? "GET /v1/artists" : "GET /v1/artists/{id}"] ?? 0;
			expect(artistCalls).toBeGreaterThan(0);
			// At most one call per artist; on extended apps the seed's search already had its genres.
			expect(artistCalls).toBeLessThanOrEqual(mode === "extended" ? reachable.length - 1 : reachable.length);

			// Measured tempos are the truth, or its half or double with the truth kept in tempoAlt.
			const inCatalog = await allTracks(broker);
			const byIsrc = new Map(inCatalog.map(v => [v.isrc, v]));
			const near = (x: number | undefined, truth: number) => x !== undefined && Math.abs(x / truth - 1) <= 0.02;
			for (const t of tracks) {
				const v = byIsrc.get(t.isrc);
				const album = sims.catalog.album(t.album);
				expect(v?.album).toMatchObject({ name: album.name, releaseDate: album.releaseDate });
				expect(v?.album?.id).toEqual(expect.any(String));
				expect(v?.album?.coverUrl).toMatch(/^https:\/\//);
				if (mode === "extended") expect(v?.genre).toBe(canonicalGenre(sims.catalog.artist(t.artist).genres[0], "spotify"));
			}
			for (const t of measured) {
				const v = byIsrc.get(t.isrc);
				expect(v).toMatchObject({ tempoSource: "analysis" });
				expect(near(v?.tempo, t.tempo) || near(v?.tempoAlt, t.tempo)).toBe(true);
				expect(v?.tempoConfidence).toBeGreaterThanOrEqual(0.15);
			}
			expect(inCatalog.filter(v => v.tempoSource === "analysis")).toHaveLength(measured.length);
			for (const [t, fault] of broken) {
				const v = byIsrc.get(t.isrc);
				const doc = await broker.call<{ featuresStatus: string; featuresReason?: string; tempo?: number }, object>("catalog.get", { id: v?.id });
				expect(doc).toMatchObject({ featuresStatus: "unavailable" });
				expect(doc.tempo).toBeUndefined();
				expect(doc.featuresReason).toContain(fault === "corrupt" ? "corrupt" : "not-mp3");
			}

			// A second crawl of the same catalog adds nothing.
			await broker.call("scheduler.seed", { artists: [seed.name] });
			await broker.call("scheduler.runTier", { tier: "low" });
			await untilIdle(broker);
			expect(await broker.call("catalog.counts", {})).toEqual(counts);
		});
	}

	it("a shorter path to an artist found after a longer one lowers its depth and crawls what the longer one cut off", async () => {
		// Seed 2: artist 1 is one hop from artist 0, and the only way within two hops to some artists.
		await useTwelveArtists();
		const maxDepth = 2;
		const depths = artistDepths(sims.catalog, [0], maxDepth);
		const hop1 = [...depths].filter(([, d]) => d === 1).map(([a]) => a);
		const viaOnly = (b: number) => [...featuredArtists(sims.catalog, b)].filter(c => depths.get(c) === 2 && !hop1.some(x => x !== b && featuredArtists(sims.catalog, x).has(c)));
		const b = hop1.find(x => viaOnly(x).length > 0);
		if (b === undefined) throw new Error("the catalog has no artist that is the only short path to another");

		broker = await crawl(sims, "extended", { CRAWL_MAX_DEPTH: String(maxDepth), ANALYSIS_ENABLED: "false" });
		// The longer path arrives first: artist b at depth 2, so what it features (depth 3) is cut off.
		await broker.call("scheduler.enqueue", { jobs: [{ type: "artist.discover", entity: `spotify:${sims.catalog.artist(b).spotifyId}`, payload: { depth: maxDepth } }] });
		await untilIdle(broker);
		expect((await broker.call<Counts, object>("catalog.counts", {})).artists).toBe(1);
		// Then the shorter one, from the seed (given by name): b is one hop away.
		await broker.call("scheduler.seed", { artists: [sims.catalog.artist(0).name] });
		const status = await untilIdle(broker);
		expect(status.dead).toBe(0);

		const expected = [...depths.keys()];
		const tracks = expected.flatMap(a => sims.catalog.artistAlbums(a)).reduce((n, j) => n + sims.catalog.albumTrackRange(j).end - sims.catalog.albumTrackRange(j).start, 0);
		const counts = await broker.call<Counts, object>("catalog.counts", {});
		expect(counts.artists).toBe(expected.length);
		expect(counts.tracks).toBe(tracks);
		expect(counts.featuresPending).toBe(0);
		// Every artist's albums were listed once, b's twice (once per depth); the name seed added no crawl of its own.
		expect(sims.spotify.stats().byEndpoint["GET /v1/artists/{id}/albums"]).toBe(expected.length + 1);
		// The catalog records each artist's shortest path too, b's lowered from the first one.
		const stored = await (broker.getLocalService("catalog") as unknown as { artists(): Collection<ArtistDoc> }).artists().find({});
		expect(new Map(stored.map(a => [a.spotifyId, a.depth]))).toEqual(new Map(expected.map(a => [sims.catalog.artist(a).spotifyId, depths.get(a)])));
	});

	it("crawls on Deezer alone (no Spotify keys): every artist within the depth bound through contributors and related artists, with album genres", async () => {
		await useTwelveArtists();
		const maxDepth = 2;
		const depths = deezerArtistDepths(sims.catalog, [0], maxDepth);
		// The bound matters: some artists are further away than it.
		expect(deezerArtistDepths(sims.catalog, [0]).size).toBeGreaterThan(depths.size);
		broker = await crawl(sims, "extended", { SPOTIFY_CLIENT_ID: "", SPOTIFY_CLIENT_SECRET: "", CRAWL_MAX_DEPTH: String(maxDepth), ANALYSIS_ENABLED: "false" });
		await broker.call("scheduler.seed", { artists: [sims.catalog.artist(0).name] });
		const status = await untilIdle(broker);
		expect(status.dead).toBe(0);
		expect(sims.spotify.stats().total).toBe(0);

		const reached = [...depths.keys()];
		const tracks = reached.flatMap(a => sims.catalog.artistAlbums(a)).flatMap(j => {
			const { start, end } = sims.catalog.albumTrackRange(j);
			return Array.from({ length: end - start }, (_, i) => sims.catalog.track(start + i)).filter(t => t.onDeezer);
		});
		const counts = await broker.call<Counts, object>("catalog.counts", {});
		expect(counts.artists).toBe(reached.length);
		expect(counts.tracks).toBe(tracks.length);
		// Every simulated album has Deezer genres.
		expect(counts.withGenre / counts.tracks).toBeGreaterThanOrEqual(0.95);
		expect(counts.withTempo).toBe(tracks.filter(t => t.deezerBpm > 0).length);
		const inCatalog = await allTracks(broker);
		const byIsrc = new Map(inCatalog.map(v => [v.isrc, v]));
		for (const t of tracks) {
			const v = byIsrc.get(t.isrc);
			expect(v?.album).toMatchObject({ name: sims.catalog.album(t.album).name, releaseDate: sims.catalog.album(t.album).fullReleaseDate });
			// Deezer's categories in the one vocabulary: "Electro" is electronic music, "Rap/Hip Hop" hip hop.
			expect(v?.genre).not.toMatch(/[A-Z/]/);
			if (t.featured >= 0) expect(v?.artists).toContain(sims.catalog.artist(t.featured).name);
		}
		// Related artists are asked for only where they can still be followed (depth < the bound).
		const related = sims.deezer.stats().byEndpoint["GET /artist/{id}/related"] ?? 0;
		expect(related).toBeGreaterThanOrEqual(reached.filter(a => (depths.get(a) ?? 0) < maxDepth).length);

		// A second crawl adds nothing.
		await broker.call("scheduler.seed", { artists: [sims.catalog.artist(0).name] });
		await broker.call("scheduler.runTier", { tier: "low" });
		await untilIdle(broker);
		expect(await broker.call("catalog.counts", {})).toEqual(counts);
	});

	it("crawl status shows the Spotify mode SPOTIFY_MODE forces", async () => {
		broker = await crawl(sims, "extended", { SPOTIFY_MODE: "extended", ANALYSIS_ENABLED: "false" });
		expect((await broker.call<CrawlStatus, object>("scheduler.status", {})).spotifyMode).toBe("extended");
	});

	it("tempo queries answer from the tempo index, with half/double matching", async () => {
		broker = await crawl(sims, "extended");
		await broker.call("scheduler.seed", { artists: [sims.catalog.artist(0).name] });
		await untilIdle(broker);
		const all = await broker.call<Array<{ tempo: number }>, object>("catalog.byTempo", { bpm: 120, tolerance: 30, limit: 200 });
		expect(all.length).toBeGreaterThan(0);
		const near = await broker.call<Array<{ tempo: number; tempoAlt?: number }>, object>("catalog.byTempo", { bpm: 170, tolerance: 5, halfDouble: true, limit: 200 });
		for (const t of near) {
			const ok = [170, 85, 340].some(target => Math.abs(t.tempo - target) <= 5 * (target / 170) + 1e-9);
			expect(ok).toBe(true);
		}
	});
});
