import type { ServiceBroker } from "moleculer";
import type { CrawlStatus } from "../../services/scheduler/stats";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { clientBroker, startNode, type NodeProcess } from "../harness/nodes";
import { eventually } from "../harness/ports";
import { pairUrls, upstreamEnv } from "../harness/upstream-env";
import { startNats, startRedis, type ServerProcess } from "../harness/servers";
import { artistDepths, startSimulators, type SimulatorPair } from "../simulators";

interface Counts {
	tracks: number;
	withTempo: number;
	featuresPending: number;
}

/**
 * Tracks a crawl from artist 0 must find: every album of every artist reached through featured
 * artists, leaving out `skipAlbums` (malformed ones), which also hide the artists featured on them.
 */
function expectedCrawl(sims: SimulatorPair, skipAlbums: Set<number> = new Set()): { tracks: number; artists: number[] } {
	const seen = new Set([0]);
	const queue = [0];
	let tracks = 0;
	while (queue.length) {
		const a = queue.shift() as number;
		for (const j of sims.catalog.artistAlbums(a)) {
			if (skipAlbums.has(j)) continue;
			const { start, end } = sims.catalog.albumTrackRange(j);
			tracks += end - start;
			for (let k = start; k < end; k++) {
				const f = sims.catalog.featuredOn(k);
				if (f >= 0 && !seen.has(f)) {
					seen.add(f);
					queue.push(f);
				}
			}
		}
	}
	return { tracks, artists: [...seen] };
}

describeWithBinaries(["nats-server", "redis-server"], "a crawl across processes over NATS", () => {
	let nats: ServerProcess;
	let redis: ServerProcess;
	let sims: SimulatorPair;
	let client: ServiceBroker;
	const nodes: NodeProcess[] = [];
	let namespace = "";
	let n = 0;

	const env = () => ({
		NAMESPACE: namespace,
		TRANSPORTER: nats.url,
		REDIS_URL: redis.url,
		LIMITER_ID_PREFIX: namespace,
		HEARTBEAT_INTERVAL: "1",
		HEARTBEAT_TIMEOUT: "3",
		REQUEST_TIMEOUT: "5000",
		METRICS_ENABLED: "false",
		STORE_IN_MEMORY: "true",
		...upstreamEnv(pairUrls(sims)),
		JOB_LEASE_MS: "3000",
		JOB_BACKOFF_BASE_MS: "50",
		JOB_BACKOFF_MAX_MS: "500",
		JOB_MAX_ATTEMPTS: "8",
		WORKER_POLL_MS: "50",
		CRAWL_MAX_DEPTH: "20",
		CRAWLER_CONCURRENCY: "3"
	});
	const startData = () => nodes.push(startNode(`data-${n}`, { ...env(), SERVICES: "scheduler,catalog" }));
	const startWorker = (id: string, extra: Record<string, string> = {}) => {
		const node = startNode(`${id}-${n}`, { ...env(), ...extra, SERVICES: "artist-crawler,album-crawler,audio-feature" });
		nodes.push(node);
		return node;
	};
	const status = () => client.call<CrawlStatus, object>("scheduler.status", {});
	const untilIdle = () =>
		eventually(
			"the crawl to finish",
			async () => {
				const s = await status();
				return Object.values(s.tiers).every(t => t.queued + t.leased === 0) && s.done > 0 ? s : null;
			},
			120000,
			250
		);

	beforeAll(async () => {
		nats = await startNats();
		redis = await startRedis();
	});
	afterAll(async () => {
		await nats?.stop();
		await redis?.stop();
	});

	beforeEach(async () => {
		n++;
		namespace = `crawl-${n}`;
	});
	afterEach(async () => {
		await client?.stop();
		for (const node of nodes.splice(0)) {
			node.kill("SIGKILL");
			await node.exited();
		}
		await sims?.close();
	});

	async function startCluster(catalog: Parameters<typeof startSimulators>[0]) {
		sims = await startSimulators(catalog);
		startData();
		client = clientBroker(`client-${n}`, { NAMESPACE: namespace, TRANSPORTER: nats.url, HEARTBEAT_INTERVAL: "1", HEARTBEAT_TIMEOUT: "3" });
		await client.start();
		await client.waitForServices(["scheduler", "catalog"], 20000).catch(err => {
			throw new Error(`${(err as Error).message}\n${nodes.map(x => `--- ${x.nodeID}\n${x.output()}`).join("\n")}`);
		});
	}

	it("every track exactly once when a worker is killed with SIGKILL mid-crawl, another joins and a third stops on SIGTERM", async () => {
		await startCluster({ catalog: { seed: 21, artists: 12, albumsPerArtist: 4, tracksPerAlbum: 10 } });
		const victim = startWorker("w1");
		const leaver = startWorker("w2");
		await client.call("scheduler.seed", { artists: [sims.catalog.artist(0).name] });

		// A fresh limiter prefix holds calls for one Spotify window (30 s): it cannot know what an
		// earlier life of the cluster sent.
		await eventually("some progress", async () => (await status()).done >= 10, 60000).catch(async err => {
			throw new Error(`${(err as Error).message}\n${JSON.stringify(await status())}\n${nodes.map(x => `--- ${x.nodeID}\n${x.output().slice(-3000)}`).join("\n")}`);
		});
		victim.kill("SIGKILL");
		await victim.exited();
		startWorker("w3");
		// A worker told to stop finishes or gives back its jobs and exits cleanly.
		await eventually("more progress", async () => (await status()).done >= 40, 60000);
		leaver.kill("SIGTERM");
		expect(await leaver.exited()).toBe(0);

		const final = await untilIdle();
		expect(final.dead).toBe(0);
		const counts = await client.call<Counts, object>("catalog.counts", {});
		expect(counts.tracks).toBe(expectedCrawl(sims).tracks);
		expect(counts.featuresPending).toBe(0);
		expect(counts.withTempo).toBeGreaterThan(0);
		for (const node of nodes.filter(x => x !== victim && x !== leaver)) expect(node.child.exitCode).toBeNull();

		// Crawling again adds no duplicates.
		await client.call("scheduler.runTier", { tier: "low" });
		await untilIdle();
		expect((await client.call<Counts, object>("catalog.counts", {})).tracks).toBe(counts.tracks);
	}, 240000);

	it("the exact catalog when a worker holding discovery jobs is killed, with the depth limit at the farthest artist", async () => {
		await startCluster({ catalog: { seed: 2, artists: 12, albumsPerArtist: 2, tracksPerAlbum: 6, albumTypeWeights: { album: 0.7, single: 0.3, compilation: 0 } } });
		const depths = artistDepths(sims.catalog, [0]);
		const farthest = Math.max(...depths.values());
		expect(farthest).toBeGreaterThanOrEqual(2);
		// Every artist sits at the limit or inside it by its shortest path: any depth recorded too deep loses some.
		const depthEnv = { CRAWL_MAX_DEPTH: String(farthest) };
		const victim = startWorker("w1", depthEnv);
		await client.call("scheduler.seed", { artists: [sims.catalog.artist(0).name] });
		await eventually(
			"the victim to hold discovery jobs",
			async () => {
				const q = await client.call<{ oldestLeases: Array<{ type: string; leaseOwner?: string }> }, object>("scheduler.queue", { tier: "low", limit: 200 });
				return q.oldestLeases.some(j => j.type === "artist.discover" && j.leaseOwner === victim.nodeID);
			},
			60000,
			20
		);
		victim.kill("SIGKILL");
		await victim.exited();
		startWorker("w2", depthEnv);

		const final = await untilIdle();
		expect(final.dead).toBe(0);
		const expected = expectedCrawl(sims);
		expect(expected.artists.length).toBe(depths.size);
		const counts = await client.call<Counts & { artists: number }, object>("catalog.counts", {});
		expect(counts.artists).toBe(depths.size);
		expect(counts.tracks).toBe(expected.tracks);
		expect(counts.featuresPending).toBe(0);
	}, 240000);

	it("completes with 10% of upstream calls failing; a malformed album ends in dead-letter with a clear error", async () => {
		await startCluster({
			catalog: { seed: 33, artists: 8, albumsPerArtist: 3, tracksPerAlbum: 8, malformedAlbums: 1 },
			spotify: { faults: { errorRate: 0.1 } },
			deezer: { faults: { errorRate: 0.1 } }
		});
		startWorker("w1");
		startWorker("w2");
		await client.call("scheduler.seed", { artists: [sims.catalog.artist(0).name] });
		const final = await untilIdle();

		const badAlbums = new Set(sims.catalog.malformed.albums);
		const dead = await client.call<Array<{ type: string; entity: string; lastError: string; errors: Array<{ message: string }> }>, object>("scheduler.dead", {});
		const expected = expectedCrawl(sims, badAlbums);
		const reachableBad = [...badAlbums].filter(j => expected.artists.includes(sims.catalog.album(j).artist));
		expect(reachableBad.length).toBeGreaterThan(0);
		expect(final.dead).toBe(reachableBad.length);
		for (const job of dead) {
			expect(job.type).toBe("album.tracks");
			// The last attempt may also have met an injected 5xx; the malformed JSON is in the history.
			expect(job.errors.some(e => /malformed|JSON/i.test(e.message))).toBe(true);
			expect(job.errors.map(e => e.message)).toContain(job.lastError);
		}
		const counts = await client.call<Counts, object>("catalog.counts", {});
		expect(counts.tracks).toBe(expected.tracks);
		expect(sims.spotify.stats().faults.error + sims.deezer.stats().faults.error).toBeGreaterThan(0);
		for (const node of nodes) expect(node.child.exitCode).toBeNull();
	}, 240000);
});
