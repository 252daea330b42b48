/**
 * npm run bench:crawl — crawls a simulated catalog and prints, per row, tracks/s, upstream calls
 * next to the fewest the crawl could make, the largest RSS of any node, and tracks lost or
 * duplicated.
 *
 * "limited" rows (the default) give the Spotify simulator a rate limit and a round trip of 80–150 ms
 * with jitter, as the real API has, and put tracks/s against the physical limit: the rate limit ×
 * tracks per call over the crawl's minimal call mix. They run in one process and as 1 data node
 * (scheduler, catalog) + 1, 2 and 4 worker processes over NATS, with the limiter shared in Redis.
 * "unlimited" rows (BENCH_SETS=unlimited) measure the crawler's own speed against a simulator with
 * neither limit nor latency.
 *
 * BENCH_SETS (limited), BENCH_TRACKS (6000), BENCH_MODES (extended; development also works),
 * BENCH_WORKERS (0,1,2,4; 0 is one process), BENCH_SPOTIFY_RATE (5 calls/s) over BENCH_SPOTIFY_WINDOW_S
 * (10 s: the limiter counts a call until a window after it ends, which a 1 s window would make
 * cost a tenth of the rate), BENCH_LATENCY_MS (80-150), BENCH_TRACE=1 prints progress every second.
 *
 * Then the catalog's completeness per provider mix: the share of tracks with a genre and with a
 * tempo after the first row's crawl (Spotify + Deezer), and after a crawl on Deezer alone (no
 * Spotify keys) seeded by one artist's name, with the artists it reached within BENCH_DEEZER_DEPTH
 * (2) hops against those the simulator's catalog has there.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import Redis from "ioredis";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig, type Env } from "../config";
import { setLimitOverride } from "../mixins/rate-limit/admin";
import { storeOverride } from "../mixins/rate-limit/shared-limiter";
import type { LimiterSettings } from "../mixins/rate-limit/types";
import { minimumCalls } from "../mixins/upstream/minimum-calls";
import { serviceCatalog } from "../services";
import type { NodeInfo } from "../services/ops.service";
import type { CrawlStatus } from "../services/scheduler/stats";
import { clientBroker, startNode, type NodeProcess } from "../test/harness/nodes";
import { eventually, sleep } from "../test/harness/ports";
import { startNats, startRedis, type ServerProcess } from "../test/harness/servers";
import { upstreamEnv } from "../test/harness/upstream-env";
import { generateCatalog, type CatalogOptions } from "../test/simulators/catalog";
import { deezerArtistDepths } from "../test/simulators/expected";

type Mode = "extended" | "development";
type BenchSet = "limited" | "unlimited";

const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(",").map(s => s.trim()).filter(Boolean);
const SETS = list("BENCH_SETS", "limited") as BenchSet[];
const TRACKS = Number(process.env.BENCH_TRACKS ?? 6000);
const MODES = list("BENCH_MODES", "extended") as Mode[];
const WORKERS = list("BENCH_WORKERS", "0,1,2,4").map(Number);
/** Spotify calls per second the simulator admits, over a rolling window of WINDOW_S; the crawler's limiter is set to the same. */
const RATE = Number(process.env.BENCH_SPOTIFY_RATE ?? 5);
const WINDOW_S = Number(process.env.BENCH_SPOTIFY_WINDOW_S ?? 10);
const PER_WINDOW = Math.round(RATE * WINDOW_S);
const [LATENCY_MIN, LATENCY_MAX] = (process.env.BENCH_LATENCY_MS ?? "80-150").split("-").map(Number);
/** Prints progress every second (BENCH_TRACE=1). */
const TRACE = process.env.BENCH_TRACE === "1";
const DEEZER_DEPTH = Number(process.env.BENCH_DEEZER_DEPTH ?? 2);
const TRACKS_PER_ALBUM = 10;
const ALBUMS_PER_ARTIST = 20;
const ARTISTS = Math.max(1, Math.round(TRACKS / (TRACKS_PER_ALBUM * ALBUMS_PER_ARTIST)));
const EXPECTED_TRACKS = ARTISTS * ALBUMS_PER_ARTIST * TRACKS_PER_ALBUM;
const CATALOG: CatalogOptions = { seed: 7, artists: ARTISTS, albumsPerArtist: ALBUMS_PER_ARTIST, tracksPerAlbum: TRACKS_PER_ALBUM, trackCountJitter: 0 };
const CRAWL_SERVICES = ["scheduler", "catalog", "artist-crawler", "album-crawler", "audio-feature"];
const WORKER_SERVICES = "artist-crawler,album-crawler,audio-feature";
const SPOTIFY_LIMIT: LimiterSettings = { maxPerWindow: PER_WINDOW, windowMs: WINDOW_S * 1000, maxConcurrent: 16 };

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
	rateLimited: number;
}

async function startSims(mode: Mode, set: BenchSet): Promise<Sims> {
	const cli = path.join(__dirname, "../test/simulators/cli.js");
	const args = [
		cli,
		"--seed", String(CATALOG.seed),
		"--artists", String(ARTISTS),
		"--albums-per-artist", String(ALBUMS_PER_ARTIST),
		"--tracks-per-album", String(TRACKS_PER_ALBUM),
		"--track-count-jitter", "0",
		"--mode", mode,
		"--deezer-max-per-window", "100000000"
	];
	if (set === "limited") {
		args.push("--spotify-max-per-window", String(PER_WINDOW), "--spotify-window-ms", String(WINDOW_S * 1000), "--latency-min-ms", String(LATENCY_MIN), "--latency-max-ms", String(LATENCY_MAX));
	}
	const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"] });
	const line = await new Promise<string>((resolve, reject) => {
		const rl = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
		rl.once("line", resolve);
		child.once("exit", code => reject(new Error(`simulators exited with ${code}`)));
	});
	return { child, ...(JSON.parse(line) as Omit<Sims, "child">) };
}

async function simStats(base: string): Promise<SimStats> {
	// A kept-alive socket the simulator has just closed fails the request once now and then.
	for (let attempt = 1; ; attempt++) {
		try {
			return (await (await fetch(`${base}/__sim/stats`)).json()) as SimStats;
		} catch (err) {
			if (attempt >= 3) throw err;
		}
	}
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

async function waitForIdle(broker: ServiceBroker, sampleRss: () => Promise<void>, sims: Sims): Promise<void> {
	let lastRss = 0;
	const t0 = Date.now();
	for (;;) {
		await sleep(200);
		if (Date.now() - lastRss > 1000) {
			await sampleRss();
			lastRss = Date.now();
			if (TRACE) {
				const s = await broker.call<CrawlStatus, object>("scheduler.status", {});
				console.log(`    ${fmt((Date.now() - t0) / 1000)} s: ${(await simStats(sims.spotify)).total} Spotify calls, ${JSON.stringify(s.tiers)} done ${s.done}`);
			}
		}
		const s = await broker.call<CrawlStatus, object>("scheduler.status", {});
		const pending = Object.values(s.tiers).reduce((n, t) => n + t.queued + t.leased, 0);
		if (pending === 0 && s.done > 0) return;
	}
}

interface Row {
	set: BenchSet;
	mode: Mode;
	workers: number;
	tracks: number;
	seconds: number;
	spotifyCalls: number;
	deezerCalls: number;
	rateLimited: number;
	workerRssMb: number;
	/** Peak RSS of each node, by role ("1 process", "data", "w1", ...). */
	peakRssMb: Array<[string, number]>;
	/** os.loadavg()[0] when the row started and when it ended. */
	load: [number, number];
	withGenre: number;
	withTempo: number;
}

/**
 * A process's peak RSS (VmHWM) in bytes: the kernel's own high-water mark, so no spike between
 * two samples is missed. Undefined off Linux (the sampled figure stands then).
 */
function peakRss(pid: number | undefined): number | undefined {
	if (pid === undefined) return undefined;
	try {
		const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
		return kb === undefined ? undefined : Number(kb) * 1024;
	} catch {
		return undefined;
	}
}

async function runOnce(set: BenchSet, mode: Mode, workers: number, redis: ServerProcess | undefined): Promise<Row> {
	const sims = await startSims(mode, set);
	const catalog = generateCatalog(CATALOG);
	const seeds = Array.from({ length: catalog.artistCount }, (_, i) => ({ type: "artist.discover", entity: `spotify:${catalog.artist(i).spotifyId}`, payload: { depth: 0 } }));
	const env = crawlEnv(sims);
	const tag = `bench-${set}-${mode}-${workers}-${process.pid}`;
	let broker: ServiceBroker;
	const nodes: NodeProcess[] = [];
	let workerRss = 0;
	let sampleRss: () => Promise<void>;
	let stopNats = async () => undefined as void;

	if (workers === 0) {
		broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig(env));
		for (const name of CRAWL_SERVICES) broker.createService(serviceCatalog[name] as ServiceSchema);
		await broker.start();
		if (set === "limited") await setLimitOverride(broker, "spotify", SPOTIFY_LIMIT);
		sampleRss = async () => {
			workerRss = Math.max(workerRss, process.memoryUsage().rss);
		};
	} else {
		const nats = await startNats();
		stopNats = () => nats.stop();
		// A loaded machine answers slower than the default 500 ms now and then; a node that counts Redis
		// as down falls back to local shares, one window late.
		// On 2 cores under a load of 15 a node can go unscheduled for seconds: the default 15 s without
		// a heartbeat then declares a live data node gone, and its workers' reports are lost (each
		// lost batch waits out its lease and runs again). This measures the crawl, not that.
		const clusterEnv: Env = { ...env, TRANSPORTER: nats.url, NAMESPACE: tag, HEARTBEAT_TIMEOUT: "60", ...(redis ? { REDIS_URL: redis.url, LIMITER_ID_PREFIX: tag, LIMITER_REDIS_TIMEOUT_MS: "3000" } : {}) };
		if (redis && set === "limited") {
			// Stored before any node starts, so the first call already keeps to it.
			const client = new Redis(redis.url);
			await storeOverride(client, tag, "spotify", SPOTIFY_LIMIT, 5000);
			// A Redis the limiter has never seen holds every call for one window of each limiter (nobody
			// knows what was sent before it came up; the accounts limiter's window is 30 s). The rows
			// measure a cluster that has been running: its epoch is an hour old.
			const [sec, usec] = await client.time();
			await client.set(`{${tag}}:limits:epoch`, String(Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - 3_600_000));
			await client.quit();
		}
		nodes.push(startNode(`${tag}-data`, { ...clusterEnv, SERVICES: "scheduler,catalog" }));
		for (let i = 1; i <= workers; i++) nodes.push(startNode(`${tag}-w${i}`, { ...clusterEnv, SERVICES: WORKER_SERVICES }));
		broker = clientBroker(`${tag}-client`, { TRANSPORTER: nats.url, NAMESPACE: tag, REQUEST_TIMEOUT: "60000", HEARTBEAT_TIMEOUT: "60" });
		await broker.start();
		await broker.waitForServices(CRAWL_SERVICES, 30000);
		// Every worker node up, not just the first one of each service.
		for (const n of nodes) await eventually(`${n.nodeID} to answer`, () => broker.call("ops.info", {}, { nodeID: n.nodeID }).then(() => true, () => false), 30000, 200);
		if (redis) {
			for (const n of nodes.slice(1)) {
				await eventually(`${n.nodeID}'s limiter to share Redis`, async () => {
					const all = await broker.call<Array<{ name: string; mode: string }>, object>("artist-crawler.limiterStatus", {}, { nodeID: n.nodeID }).catch(() => []);
					return all.some(l => l.name === "spotify" && l.mode === "shared") || !all.some(l => l.name === "spotify");
				}, 30000, 200);
			}
		}
		sampleRss = async () => {
			for (const n of nodes) {
				const info = await broker.call<NodeInfo, object>("ops.info", {}, { nodeID: n.nodeID }).catch(() => undefined);
				if (info && n !== nodes[0]) workerRss = Math.max(workerRss, info.rssMb * 1048576);
			}
		};
	}

	const loadAtStart = os.loadavg()[0];
	const started = Date.now();
	try {
		for (let i = 0; i < seeds.length; i += 1000) await broker.call("scheduler.enqueue", { jobs: seeds.slice(i, i + 1000) });
		await waitForIdle(broker, sampleRss, sims);
	} catch (err) {
		for (const n of nodes) console.error(`--- ${n.nodeID} (exit ${n.child.exitCode ?? n.child.signalCode ?? "running"})\n${n.output().slice(-4000)}`);
		throw err;
	}
	const seconds = (Date.now() - started) / 1000;
	const loadAtEnd = os.loadavg()[0];
	await sampleRss();
	const peaks: Array<[string, number]> =
		workers === 0
			? [["1 process", process.resourceUsage().maxRSS * 1024]]
			: nodes.map((n, i) => [i === 0 ? "data" : `w${i}`, peakRss(n.child.pid) ?? 0]);
	for (const [role, bytes] of peaks) if (role !== "data") workerRss = Math.max(workerRss, bytes);
	const counts = await broker.call<{ tracks: number; withGenre: number; withTempo: number }, object>("catalog.counts", {});
	const spotify = await simStats(sims.spotify);
	const deezer = await simStats(sims.deezer);
	const tokenCalls = spotify.byEndpoint["POST /api/token"] ?? 0;
	if (TRACE) {
		const s = await broker.call<CrawlStatus, object>("scheduler.status", {});
		console.log(`    Spotify calls by endpoint ${JSON.stringify(spotify.byEndpoint)}; failures ${s.recentFailures}, dead ${s.dead}`);
	}

	await broker.stop();
	for (const n of nodes) {
		n.kill("SIGTERM");
		await n.exited();
	}
	await stopNats();
	sims.child.kill("SIGTERM");
	const mb = (bytes: number) => Math.round(bytes / 1048576);
	return {
		set,
		mode,
		workers,
		tracks: counts.tracks,
		seconds,
		spotifyCalls: spotify.total - tokenCalls,
		deezerCalls: deezer.total,
		rateLimited: spotify.rateLimited,
		workerRssMb: mb(workerRss),
		peakRssMb: peaks.map(([role, bytes]) => [role, mb(bytes)]),
		load: [loadAtStart, loadAtEnd],
		withGenre: counts.withGenre,
		withTempo: counts.withTempo
	};
}

interface DeezerOnly {
	tracks: number;
	withGenre: number;
	withTempo: number;
	artists: number;
	expectedArtists: number;
	deezerCalls: number;
}

/** A crawl with no Spotify keys (a new user's default), in one process, from one artist's name. */
async function deezerOnlyRun(): Promise<DeezerOnly> {
	const sims = await startSims("extended", "unlimited");
	const catalog = generateCatalog(CATALOG);
	const broker = new ServiceBroker({ logger: false });
	attachConfig(broker, testConfig({ ...crawlEnv(sims), SPOTIFY_CLIENT_ID: "", SPOTIFY_CLIENT_SECRET: "", CRAWL_MAX_DEPTH: String(DEEZER_DEPTH) }));
	for (const name of CRAWL_SERVICES) broker.createService(serviceCatalog[name] as ServiceSchema);
	await broker.start();
	try {
		await broker.call("scheduler.seed", { artists: [catalog.artist(0).name] });
		await waitForIdle(broker, async () => undefined, sims);
		const counts = await broker.call<{ tracks: number; artists: number; withGenre: number; withTempo: number }, object>("catalog.counts", {});
		const deezer = await simStats(sims.deezer);
		return { ...counts, expectedArtists: deezerArtistDepths(catalog, [0], DEEZER_DEPTH).size, deezerCalls: deezer.total };
	} finally {
		await broker.stop();
		sims.child.kill("SIGTERM");
	}
}

/** The fewest Spotify calls this crawl can make, the artist objects (for their genres) included. */
function crawlMinimum(mode: Mode): number {
	return minimumCalls({ artists: ARTISTS, albumsPerArtist: ALBUMS_PER_ARTIST, tracksPerAlbum: TRACKS_PER_ALBUM, mode }).total;
}

/** Tracks/s at the physical limit: the rate limit × tracks per call over the minimal call mix. */
function physicalLimit(minCalls: number): number {
	return (RATE * EXPECTED_TRACKS) / minCalls;
}

/**
 * A stricter bound: a rolling window lets each window's calls go at once, so a crawl of C calls
 * could end after (⌈C/N⌉ − 1) windows and one round trip, if every call could be made the moment
 * its window opened (the crawl's calls depend on each other's answers, so none can).
 */
function burstLimit(minCalls: number): number {
	return EXPECTED_TRACKS / ((Math.ceil(minCalls / PER_WINDOW) - 1) * WINDOW_S + LATENCY_MIN / 1000);
}

function fmt(n: number, digits = 1): string {
	return n.toFixed(digits);
}

function peaksText(r: Row): string {
	return r.peakRssMb.map(([role, mb]) => `${role} ${mb} MB`).join(", ");
}

function topology(workers: number): string {
	return workers === 0 ? "1 process" : `1 data + ${workers} worker${workers > 1 ? "s" : ""}`;
}

async function main(): Promise<void> {
	console.log(
		`bench:crawl: ${ARTISTS} artists x ${ALBUMS_PER_ARTIST} albums x ${TRACKS_PER_ALBUM} tracks = ${EXPECTED_TRACKS} tracks, node ${process.version}; ` +
			`limited rows: Spotify ${PER_WINDOW} calls per rolling ${WINDOW_S} s window (${RATE}/s), round trip ${LATENCY_MIN}-${LATENCY_MAX} ms; cluster rows over NATS with the limiter in Redis; ` +
			`load average ${os.loadavg().map(l => fmt(l, 2)).join(", ")} (1, 5, 15 min) on ${os.cpus().length} cores`
	);
	const redis = WORKERS.some(w => w > 0) ? await startRedis() : undefined;
	const rows: Row[] = [];
	let deezerOnly: DeezerOnly | undefined;
	try {
		for (const set of SETS) {
			for (const mode of MODES) {
				for (const workers of WORKERS) {
					const row = await runOnce(set, mode, workers, redis);
					rows.push(row);
					console.log(`  done: ${set} ${mode} ${topology(workers)} in ${fmt(row.seconds)} s: ${row.tracks} tracks, ${row.spotifyCalls} Spotify and ${row.deezerCalls} Deezer calls, ${row.rateLimited} answered 429, peak RSS ${peaksText(row)}, load ${fmt(row.load[0], 2)} → ${fmt(row.load[1], 2)}`);
				}
			}
		}
		deezerOnly = await deezerOnlyRun();
	} finally {
		await redis?.stop();
	}
	console.log("");
	console.log("| upstream | mode | topology | tracks | lost | duplicated | s | tracks/s | physical limit | of limit | of burst bound | Spotify calls | minimum | ratio | 429s | Deezer calls | peak RSS per node | max worker RSS | load (1 min) |");
	console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
	for (const r of rows) {
		const min = crawlMinimum(r.mode);
		const perSec = r.tracks / r.seconds;
		const limit = r.set === "limited" ? physicalLimit(min) : undefined;
		console.log(
			`| ${r.set === "limited" ? `${RATE}/s, ${LATENCY_MIN}-${LATENCY_MAX} ms` : "unlimited"} | ${r.mode} | ${topology(r.workers)} | ${r.tracks} | ${Math.max(0, EXPECTED_TRACKS - r.tracks)} | ${Math.max(0, r.tracks - EXPECTED_TRACKS)} | ${fmt(r.seconds)} | ${fmt(perSec)} | ${limit === undefined ? "-" : fmt(limit)} | ${limit === undefined ? "-" : fmt(perSec / limit, 3)} | ${limit === undefined ? "-" : fmt(perSec / burstLimit(min), 3)} | ${r.spotifyCalls} | ${min} | ${fmt(r.spotifyCalls / min, 3)} | ${r.rateLimited} | ${r.deezerCalls} | ${peaksText(r)} | ${r.workerRssMb} MB | ${fmt(r.load[0], 2)} → ${fmt(r.load[1], 2)} |`
		);
	}
	console.log(
		`\ns: from the first seed enqueued (every node already up, connected and sharing the limiter) until the scheduler reports nothing queued or leased (polled every 200 ms); start-up is not in it.` +
			`\nPhysical limit: ${RATE} calls/s x tracks per call over the crawl's minimal call mix (the calls the minimum column counts: album lists, album batches, track batches, feature batches), i.e. ${RATE} x tracks / minimum; "of limit" is tracks/s over it. ` +
			`A rolling window lets a crawl beat it by bursting: the burst bound is the stricter figure, since no crawl of C calls ends before (ceil(C/${PER_WINDOW}) - 1) x ${WINDOW_S} s + one round trip, even with every call sent the moment its window opens.` +
			`\nPeak RSS: each node process's high-water mark (VmHWM, the kernel's), or the bench process itself for one process (the simulators run apart); max worker RSS is the largest of the worker nodes. Load: the 1-minute load average at the row's start and end, on ${os.cpus().length} cores.`
	);
	console.log(
		"Goals: at least 0.95 of the physical limit at every worker count (limited rows); Spotify calls at most 1.02x the minimum in extended mode; every worker node under 250 MB RSS; 0 tracks lost or duplicated." +
			"\nThe minimum is the crawl's own (seeded by artist id; the artist objects, for their genres, count); development mode has no batch calls and fetches tempo from Deezer, so its physical limit is only indicative."
	);
	printCoverage(rows[0], deezerOnly);
}

function printCoverage(first: Row | undefined, dz: DeezerOnly | undefined): void {
	const share = (n: number, of: number) => `${fmt((100 * n) / Math.max(1, of))}% (${n}/${of})`;
	console.log("\nCatalog completeness by provider mix (tempo analysis of previews off, as above):");
	if (first) console.log(`  Spotify+Deezer (${first.mode}, ${topology(first.workers)}): genre coverage ${share(first.withGenre, first.tracks)}, tracks with tempo ${share(first.withTempo, first.tracks)}`);
	if (dz) {
		console.log(`  Deezer only: genre coverage ${share(dz.withGenre, dz.tracks)}, tracks with tempo ${share(dz.withTempo, dz.tracks)}`);
		console.log(`  Deezer-only reach from one artist's name within depth ${DEEZER_DEPTH}: ${dz.artists} of ${dz.expectedArtists} artists, ${dz.tracks} tracks, ${dz.deezerCalls} Deezer calls`);
	}
}

main().then(
	() => process.exit(0),
	(err: unknown) => {
		console.error(err);
		process.exit(1);
	}
);
