/**
 * npm run bench:crawl — crawls a simulated catalog (50k tracks by default) with the upstreams
 * unlimited, once in one process and once as 1 scheduler/catalog node plus 2 worker processes over
 * NATS, in each Spotify mode, and prints tracks/s, upstream calls per 1000 tracks next to the
 * theoretical minimum, and the largest RSS of any node.
 *
 * BENCH_TRACKS (50000), BENCH_MODES (extended,development), BENCH_TOPOLOGIES (single,cluster).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig, type Env } from "../config";
import { minimumCalls } from "../mixins/upstream/minimum-calls";
import { serviceCatalog } from "../services";
import type { NodeInfo } from "../services/ops.service";
import type { CrawlStatus } from "../services/scheduler/stats";
import { clientBroker, startNode, type NodeProcess } from "../test/harness/nodes";
import { sleep } from "../test/harness/ports";
import { startNats } from "../test/harness/servers";
import { upstreamEnv } from "../test/harness/upstream-env";
import { generateCatalog, type CatalogOptions } from "../test/simulators/catalog";

type Mode = "extended" | "development";
type Topology = "single" | "cluster";

const TRACKS = Number(process.env.BENCH_TRACKS ?? 50000);
const MODES = (process.env.BENCH_MODES ?? "extended,development").split(",") as Mode[];
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? "single,cluster").split(",") as Topology[];
const TRACKS_PER_ALBUM = 10;
const ALBUMS_PER_ARTIST = 20;
const ARTISTS = Math.max(1, Math.round(TRACKS / (TRACKS_PER_ALBUM * ALBUMS_PER_ARTIST)));
const CATALOG: CatalogOptions = { seed: 7, artists: ARTISTS, albumsPerArtist: ALBUMS_PER_ARTIST, tracksPerAlbum: TRACKS_PER_ALBUM, trackCountJitter: 0 };
const CRAWL_SERVICES = ["scheduler", "catalog", "artist-crawler", "album-crawler", "audio-feature"];

interface Sims {
	child: ChildProcess;
	spotifyApi: string;
	spotifyAccounts: string;
	spotify: string;
	deezer: string;
	clientId: string;
	clientSecret: string;
}

interface SimStats {
	total: number;
	byEndpoint: Record<string, number>;
}

async function startSims(mode: Mode): Promise<Sims> {
	const cli = path.join(__dirname, "../test/simulators/cli.js");
	const args = [
		cli,
		"--seed", String(CATALOG.seed),
		"--artists", String(ARTISTS),
		"--albums-per-artist", String(ALBUMS_PER_ARTIST),
		"--tracks-per-album", String(TRACKS_PER_ALBUM),
		"--mode", mode,
		"--deezer-max-per-window", "100000000"
	];
	const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
	const line = await new Promise<string>((resolve, reject) => {
		const rl = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
		rl.once("line", resolve);
		child.once("exit", code => reject(new Error(`simulators exited with ${code}`)));
	});
	return { child, ...(JSON.parse(line) as Omit<Sims, "child">) };
}

async function simStats(base: string): Promise<SimStats> {
	return (await (await fetch(`${base}/__sim/stats`)).json()) as SimStats;
}

function crawlEnv(sims: Sims): Env {
	return {
		...upstreamEnv(sims),
		DEEZER_WINDOW_MS: "1000",
		WORKER_POLL_MS: "50",
		CRAWL_MAX_DEPTH: "0",
		CRAWL_MAX_ARTISTS: String(ARTISTS * 2),
		CRAWL_STATUS_LOG_MS: "0",
		STORE_IN_MEMORY: "true",
		METRICS_ENABLED: "false",
		LOG_LEVEL: "warn",
		REQUEST_TIMEOUT: "60000",
		// This measures the crawl; tempo analysis of previews has its own benchmark (bench:tempo).
		ANALYSIS_ENABLED: "false"
	};
}

async function waitForIdle(broker: ServiceBroker, sampleRss: () => Promise<void>): Promise<void> {
	for (;;) {
		await sleep(1000);
		await sampleRss();
		const s = await broker.call<CrawlStatus, object>("scheduler.status", {});
		const pending = Object.values(s.tiers).reduce((n, t) => n + t.queued + t.leased, 0);
		if (pending === 0 && s.done > 0) return;
	}
}

interface Row {
	mode: Mode;
	topology: Topology;
	tracks: number;
	seconds: number;
	spotifyCalls: number;
	deezerCalls: number;
	maxRssMb: number;
}

async function runOnce(mode: Mode, topology: Topology): Promise<Row> {
	const sims = await startSims(mode);
	const catalog = generateCatalog(CATALOG);
	const seeds = Array.from({ length: catalog.artistCount }, (_, i) => ({ type: "artist.discover", entity: `spotify:${catalog.artist(i).spotifyId}`, payload: { depth: 0 } }));
	const env = crawlEnv(sims);
	let broker: ServiceBroker;
	const nodes: NodeProcess[] = [];
	let maxRss = 0;
	let sampleRss: () => Promise<void>;
	let stopNats = async () => undefined as void;

	if (topology === "single") {
		broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig(env));
		for (const name of CRAWL_SERVICES) broker.createService(serviceCatalog[name] as ServiceSchema);
		await broker.start();
		sampleRss = async () => {
			maxRss = Math.max(maxRss, process.memoryUsage().rss);
		};
	} else {
		const nats = await startNats();
		stopNats = () => nats.stop();
		const clusterEnv = { ...env, TRANSPORTER: nats.url, NAMESPACE: `bench-${mode}` };
		nodes.push(startNode("bench-data", { ...clusterEnv, SERVICES: "scheduler,catalog" }));
		nodes.push(startNode("bench-w1", { ...clusterEnv, SERVICES: "artist-crawler,album-crawler,audio-feature" }));
		nodes.push(startNode("bench-w2", { ...clusterEnv, SERVICES: "artist-crawler,album-crawler,audio-feature" }));
		broker = clientBroker("bench-client", { TRANSPORTER: nats.url, NAMESPACE: `bench-${mode}`, REQUEST_TIMEOUT: "60000" });
		await broker.start();
		await broker.waitForServices(["scheduler", "catalog", "artist-crawler", "album-crawler", "audio-feature"], 30000);
		sampleRss = async () => {
			for (const n of nodes) {
				const info = await broker.call<NodeInfo, object>("ops.info", {}, { nodeID: n.nodeID }).catch(() => undefined);
				if (info) maxRss = Math.max(maxRss, info.rssMb * 1048576);
			}
		};
	}

	const started = Date.now();
	try {
		for (let i = 0; i < seeds.length; i += 1000) await broker.call("scheduler.enqueue", { jobs: seeds.slice(i, i + 1000) });
		await waitForIdle(broker, sampleRss);
	} catch (err) {
		for (const n of nodes) console.error(`--- ${n.nodeID} (exit ${n.child.exitCode ?? n.child.signalCode ?? "running"})\n${n.output().slice(-4000)}`);
		throw err;
	}
	const seconds = (Date.now() - started) / 1000;
	const counts = await broker.call<{ tracks: number }, object>("catalog.counts", {});
	const spotify = await simStats(sims.spotify);
	const deezer = await simStats(sims.deezer);
	const tokenCalls = spotify.byEndpoint["POST /api/token"] ?? 0;

	await broker.stop();
	for (const n of nodes) {
		n.kill("SIGTERM");
		await n.exited();
	}
	await stopNats();
	sims.child.kill("SIGTERM");
	return { mode, topology, tracks: counts.tracks, seconds, spotifyCalls: spotify.total - tokenCalls, deezerCalls: deezer.total, maxRssMb: Math.round(maxRss / 1048576) };
}

function fmt(n: number, digits = 1): string {
	return n.toFixed(digits);
}

async function main(): Promise<void> {
	console.log(`bench:crawl: ${ARTISTS} artists x ${ALBUMS_PER_ARTIST} albums x ${TRACKS_PER_ALBUM} tracks = ${ARTISTS * ALBUMS_PER_ARTIST * TRACKS_PER_ALBUM} tracks, upstreams unlimited, node ${process.version}`);
	const rows: Row[] = [];
	for (const mode of MODES) {
		for (const topology of TOPOLOGIES) {
			const row = await runOnce(mode, topology);
			rows.push(row);
			console.log(`  done: ${mode} ${topology} in ${fmt(row.seconds)} s: ${row.tracks} tracks, ${row.spotifyCalls} Spotify and ${row.deezerCalls} Deezer calls, max RSS ${row.maxRssMb} MB`);
		}
	}
	console.log("");
	console.log("| mode | topology | tracks | tracks/s | Spotify calls/1000 tracks | minimum | ratio | Deezer calls/1000 tracks | max RSS of any node |");
	console.log("|---|---|---|---|---|---|---|---|---|");
	for (const r of rows) {
		const min = minimumCalls({ artists: ARTISTS, albumsPerArtist: ALBUMS_PER_ARTIST, tracksPerAlbum: TRACKS_PER_ALBUM, mode: r.mode }).total;
		const per1000 = (r.spotifyCalls * 1000) / r.tracks;
		const min1000 = (min * 1000) / r.tracks;
		console.log(
			`| ${r.mode} | ${r.topology === "single" ? "1 process" : "1 data + 2 workers (NATS)"} | ${r.tracks} | ${fmt(r.tracks / r.seconds)} | ${fmt(per1000)} | ${fmt(min1000)} | ${fmt(per1000 / min1000, 3)} | ${fmt((r.deezerCalls * 1000) / r.tracks)} | ${r.maxRssMb} MB |`
		);
	}
	console.log("\nGoals: calls at most 1.05x the minimum; RSS under 400 MB. Deezer is called only for tempo Spotify cannot give (development mode).");
}

main().then(
	() => process.exit(0),
	(err: unknown) => {
		console.error(err);
		process.exit(1);
	}
);
