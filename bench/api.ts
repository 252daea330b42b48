/**
 * npm run bench:api — the REST gateway in front of a catalog of 1M tracks on the embedded store.
 *
 * Builds the catalog into the embedded store under a temporary DATA_DIR (bench/store-catalog.ts), starts one
 * cratedigger node on it as a separate process (compiled entry point, no transporter, metrics off,
 * SERVICES=api,catalog,recommendations), and drives it from this process with autocannon: first
 * GET /health, then GET /api/v1/songs/bpm/170?limit=50, back to back, with the same connections
 * and duration; then the songs route with limit=1, to tell the lookup from the page's size; then,
 * with the node stopped, a bare moleculer-web gateway (bench/api-reference.ts) answering a tiny body
 * and the same songs page with nothing computed, for what this machine can do at all. It prints:
 *
 *   start-up      spawn until GET /ready answers 200, and until the songs route answers 200
 *   memory        RSS of the node (/proc/<pid>/status) with the catalog, and with an empty store;
 *                 the difference is the store's share (SQLite's page cache and what the node keeps)
 *   per route     requests/s, p50 and p99 latency, non-2xx answers (autocannon counts whole ms)
 *   goals         songs req/s / health req/s >= 0.5; songs p99 < 25 ms at the load the health
 *                 route held (the same connections)
 *
 * BENCH_TRACKS (1000000), BENCH_SECONDS (15 per route), BENCH_CONNECTIONS (10).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { startNode, type NodeProcess } from "../test/harness/nodes";
import { freePort, sleep } from "../test/harness/ports";
import { buildCatalogStore } from "./store-catalog";

const TRACKS = Number(process.env.BENCH_TRACKS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SERVICES = "api,catalog,recommendations";
const HEALTH = "/health";
const SONGS = "/api/v1/songs/bpm/170?limit=50";
/** Same lookup and calls, one track in the answer instead of 50 (about 20 KB). */
const SONGS_ONE = "/api/v1/songs/bpm/170?limit=1";
const WARMUP_SECONDS = 3;
const START_TIMEOUT_MS = 15 * 60_000;

const mb = (bytes: number) => Math.round(bytes / 1048576);
const secs = (ms: number) => (ms / 1000).toFixed(1);

/** Current and peak resident set of a process, in MB. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
	const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
	const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
	return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

interface Server {
	node: NodeProcess;
	base: string;
	/** Spawn until GET /ready answered 200. */
	readyMs: number;
	/** Spawn until the songs route answered 200 (the catalog has loaded). */
	songsMs: number;
}

async function answer(url: string): Promise<{ status: number; body: string }> {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
		return { status: res.status, body: await res.text() };
	} catch {
		return { status: 0, body: "" };
	}
}

/** Polls `route` until `done` says so; the time since `started`. */
async function until(server: Omit<Server, "readyMs" | "songsMs">, route: string, started: number, done: (a: { status: number; body: string }) => boolean): Promise<number> {
	for (;;) {
		if (server.node.child.exitCode !== null || server.node.child.signalCode !== null) {
			throw new Error(`the node exited while starting:\n${server.node.output().slice(-4000)}`);
		}
		if (done(await answer(server.base + route))) return performance.now() - started;
		if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`${route} did not answer as expected within ${START_TIMEOUT_MS} ms`);
		await sleep(100);
	}
}

async function startServer(dataDir: string, label: string): Promise<Server> {
	const port = await freePort();
	const started = performance.now();
	const node = startNode(`bench-api-${label}`, {
		DATA_DIR: dataDir,
		PORT: String(port),
		HOST: "127.0.0.1",
		SERVICES,
		METRICS_ENABLED: "false",
		LOG_LEVEL: "warn",
		// One client IP sends every request: the per-IP limit would answer 429 after 600.
		API_RATE_LIMIT_PER_MIN: "0",
		JWT_SECRET: "bench-api-secret-of-at-least-thirty-two-characters"
	});
	const server = { node, base: `http://127.0.0.1:${port}` };
	const readyMs = await until(server, "/ready", started, a => a.status === 200);
	/*
	 * /ready answers 200 before the catalog has loaded. Polling the songs route meanwhile would keep
	 * requests waiting in the broker's retries while NeDB builds its indexes, blocking the event
	 * loop for tens of seconds; V8 then allocates those requests' objects in the old generation for
	 * good ("pretenuring") and the node runs with a major GC over the whole store every few
	 * seconds. The OpenAPI document answers at once and lists the catalog's routes when it is up.
	 */
	await until(server, "/api/v1/openapi.json", started, a => a.body.includes('"/api/v1/tracks/search"'));
	const songsMs = await until(server, SONGS, started, a => a.status === 200);
	return { ...server, readyMs, songsMs };
}

async function stopServer(server: Server): Promise<void> {
	server.node.kill("SIGTERM");
	await server.node.exited();
}

interface Run {
	label: string;
	rps: number;
	p50: number;
	p99: number;
	requests: number;
	non2xx: number;
	errors: number;
}

async function load(base: string, route: string, seconds: number, label = `GET ${route}`): Promise<Run> {
	const r = await autocannon({ url: base + route, connections: CONNECTIONS, duration: seconds });
	return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** The bare gateway of bench/api-reference.ts, serving a tiny body and `page`, measured like the node. */
async function reference(root: string, page: unknown): Promise<Run[]> {
	const file = path.join(root, "page.json");
	fs.writeFileSync(file, JSON.stringify(page));
	const port = await freePort();
	const child = spawn(process.execPath, [path.join(__dirname, "api-reference.js"), String(port), file], { stdio: ["ignore", "pipe", "inherit"] });
	try {
		await Promise.race([once(child.stdout, "data"), once(child, "exit").then(([code]) => Promise.reject(new Error(`the reference gateway exited with ${code}`)))]);
		const base = `http://127.0.0.1:${port}`;
		for (const route of ["/tiny", "/page"]) await load(base, route, WARMUP_SECONDS);
		return [await load(base, "/tiny", SECONDS, "bare gateway: tiny body"), await load(base, "/page", SECONDS, "bare gateway: the same 50-track page")];
	} finally {
		child.kill("SIGKILL");
	}
}

function table(runs: Run[]): string {
	const head = ["route", "req/s", "p50 ms", "p99 ms", "requests", "non-2xx", "errors"];
	const body = runs.map(r => [r.label, r.rps.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), String(r.requests), String(r.non2xx), String(r.errors)]);
	const all = [head, ...body];
	const widths = head.map((_, i) => Math.max(...all.map(row => row[i].length)));
	const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
	return [line(head), widths.map(w => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

async function main(): Promise<void> {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-bench-api-"));
	let server: Server | undefined;
	try {
		console.log(
			`bench:api: BENCH_TRACKS=${TRACKS} BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS}, ` +
				`node ${process.version}, ${os.cpus().length} CPUs (load average ${os.loadavg()[0].toFixed(1)})`
		);
		console.log(`node under test: SERVICES=${SERVICES}, embedded store, no transporter, metrics off, LOG_LEVEL=warn, per-IP limit off`);

		const empty = await startServer(path.join(root, "empty"), "empty");
		const emptyMem = memoryOf(empty.node.child.pid ?? 0);
		await stopServer(empty);
		console.log(`  empty store: ready in ${secs(empty.readyMs)} s, RSS ${emptyMem.rssMb} MB`);

		const dataDir = path.join(root, "data");
		const written = performance.now();
		const file = await buildCatalogStore(dataDir, TRACKS);
		const bytes = fs.statSync(path.join(dataDir, "store.sqlite")).size;
		console.log(`  catalog: ${file.tracks} tracks (${file.withTempoAlt} with tempoAlt), ${mb(bytes)} MB store file built in ${secs(performance.now() - written)} s`);

		const node = await startServer(dataDir, "catalog");
		server = node;
		const pid = node.node.child.pid ?? 0;
		const loaded = memoryOf(pid);
		console.log(
			`  ${TRACKS} tracks: ready in ${secs(node.readyMs)} s, songs route answering in ${secs(node.songsMs)} s; ` +
				`RSS ${loaded.rssMb} MB (peak ${loaded.peakMb} MB while loading), store's share ≈ ${loaded.rssMb - emptyMem.rssMb} MB`
		);

		const sample = (await (await fetch(node.base + SONGS)).json()) as { count: number };
		if (sample.count !== 50) throw new Error(`the songs route returned ${sample.count} tracks, not 50`);

		for (const route of [HEALTH, SONGS]) await load(node.base, route, WARMUP_SECONDS);
		const health = await load(node.base, HEALTH, SECONDS);
		const songs = await load(node.base, SONGS, SECONDS);
		const one = await load(node.base, SONGS_ONE, SECONDS);
		const after = memoryOf(pid);
		// Stopped first, so the reference gateway has the machine to itself as the node had.
		await stopServer(node);
		server = undefined;
		const [tiny, page] = await reference(root, sample);

		const ratio = songs.rps / health.rps;
		console.log(`\n${table([health, songs, one, tiny, page])}\n`);
		console.log(`ratio songs/health req/s: ${ratio.toFixed(2)} (goal >= 0.5: ${ratio >= 0.5 ? "met" : "missed"}); with limit=1: ${(one.rps / health.rps).toFixed(2)}`);
		console.log(`bare gateway, same page / tiny body req/s: ${(page.rps / tiny.rps).toFixed(2)} (a fixed answer: nothing validated or looked up)`);
		console.log(`songs p99 at the health route's load (${CONNECTIONS} connections): ${songs.p99.toFixed(1)} ms (goal < 25 ms: ${songs.p99 < 25 ? "met" : "missed"})`);
		console.log(
			`start-up with ${TRACKS} tracks: ${secs(node.readyMs)} s to /ready, ${secs(node.songsMs)} s to the first songs answer; ` +
				`memory: RSS ${loaded.rssMb} MB loaded, ${after.rssMb} MB after the runs (V8 returns freed memory lazily), peak ${after.peakMb} MB; empty store ${emptyMem.rssMb} MB`
		);
	} finally {
		if (server) await stopServer(server);
		fs.rmSync(root, { recursive: true, force: true });
	}
}

main().then(
	() => process.exit(0),
	(err: unknown) => {
		console.error((err as Error).stack ?? String(err));
		process.exit(1);
	}
);
