import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { serviceCatalog } from "../../../services";
import type { CrawlStatus } from "../../../services/scheduler/stats";
import { eventually } from "../../harness/ports";
import { pairUrls, upstreamEnv } from "../../harness/upstream-env";
import { reachableArtists, startSimulators, type SimulatorPair } from "../../simulators";

const CRAWL_SERVICES = ["scheduler", "catalog", "artist-crawler", "album-crawler", "audio-feature"];

interface Counts {
	artists: number;
	albums: number;
	tracks: number;
	withTempo: number;
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
			...extraEnv
		})
	);
	sims.spotify.setMode(mode);
	for (const name of CRAWL_SERVICES) broker.createService(serviceCatalog[name] as ServiceSchema);
	await broker.start();
	return broker;
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

	beforeEach(async () => {
		sims = await startSimulators({ catalog: { seed: 11, artists: 6, albumsPerArtist: 3, tracksPerAlbum: 8, albumTypeWeights: { album: 0.7, single: 0.3, compilation: 0 } },
			// Rate limiting has its own tests; here it would only slow the crawl down.
			deezer: { maxPerWindow: 1_000_000 }
		});
	});
	afterEach(async () => {
		await broker?.stop();
		broker = undefined;
		await sims.close();
	});

	for (const mode of ["extended", "development"] as const) {
		it(`discovers every reachable track exactly once, with tempo where a provider has one (${mode} app)`, async () => {
			const seed = sims.catalog.artist(0);
			broker = await crawl(sims, mode);
			await broker.call("scheduler.seed", { artists: [seed.name] });
			const status = await untilIdle(broker);
			expect(status.dead).toBe(0);
			expect(status.spotifyMode).toBe(mode);

			const reachable = reachableArtists(sims.catalog, [0]);
			let expectedTracks = 0;
			let expectedTempo = 0;
			for (const a of reachable) {
				for (const j of sims.catalog.artistAlbums(a)) {
					const { start, end } = sims.catalog.albumTrackRange(j);
					for (let k = start; k < end; k++) {
						expectedTracks++;
						const t = sims.catalog.track(k);
						const spotifyHasTempo = mode === "extended" && t.features !== null;
						const deezerHasTempo = t.onDeezer && t.deezerBpm > 0;
						if (spotifyHasTempo || deezerHasTempo) expectedTempo++;
					}
				}
			}
			const counts = await broker.call<Counts, object>("catalog.counts", {});
			expect(counts.artists).toBe(reachable.length);
			expect(counts.tracks).toBe(expectedTracks);
			expect(counts.withTempo).toBe(expectedTempo);
			expect(counts.featuresPending).toBe(0);
			expect(counts.featuresUnavailable).toBe(expectedTracks - expectedTempo);

			// A second crawl of the same catalog adds nothing.
			await broker.call("scheduler.seed", { artists: [seed.name] });
			await broker.call("scheduler.runTier", { tier: "low" });
			await untilIdle(broker);
			expect(await broker.call("catalog.counts", {})).toEqual(counts);
		});
	}

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
