/**
 * npm run bench:store — the embedded store holding a real crawl, through a real data node.
 *
 * For each size it builds the synthetic catalog of bench/api-catalog.ts straight into the store's
 * file under a temporary DATA_DIR (bulk inserts in one transaction), starts one cratedigger node on
 * it as a separate process (SERVICES=api,catalog,recommendations,activity over a throwaway NATS, metrics
 * off) and measures, side by side in one run:
 *
 *   ready         spawn until GET /ready answers 200, and until the songs route answers 200
 *   RSS           of the node once ready, and its peak over the whole run (/proc/<pid>/status)
 *   routes        GET /health, GET /api/v1/songs/bpm/170?limit=50 anonymous, signed in as a runner
 *                 without feedback (both answered from kept bytes: the page is the same for every
 *                 such caller) and signed in as a fan who disliked, skipped and liked tracks on
 *                 that page (personalised: every request reads the catalog and is encoded)
 *   upserts       catalog.upsertTracks from 4 concurrent callers over NATS, batches of 50 tracks
 *                 (half already in the catalog, half new), as crawlers send them: tracks/s; and
 *                 the signed-in songs route's p99 while those upserts run
 *
 * The empty store's start (the same node on an empty DATA_DIR, in the same run) is printed beside
 * each ready time: on a busy machine most of "ready" is the node's own start, not the store.
 *
 * The NeDB row is not measured here any more: NeDB is gone. It was measured by this benchmark's
 * NeDB mode at 1M tracks on the commit before NeDB was removed, and is read from
 * bench/store-nedb-baseline.json, which says when, where and how.
 *
 * BENCH_SIZES (1000000,10000000), BENCH_SECONDS (8 per route), BENCH_CONNECTIONS (10),
 * BENCH_UPSERT_SECONDS (10). BENCH_STORE_KEEP (unset): a folder where each size's built file is
 * kept and, on a later run, copied from instead of built again (building 10M takes 20 minutes);
 * the run then says "copied from" before the copy's time.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import type { ServiceBroker } from "moleculer";
import type { TrackDoc, TrackInput } from "../services/catalog/model";
import { signAccessToken } from "../services/users/access-token";
import { clientBroker, startNode, type NodeProcess } from "../test/harness/nodes";
import { freePort, sleep } from "../test/harness/ports";
import { startNats, type ServerProcess } from "../test/harness/servers";
import { catalogTracks } from "./api-catalog";
import { buildCatalogStore } from "./store-catalog";
import { STORE_FILE } from "../mixins/store/sqlite-adapter";
import { DatabaseSync } from "node:sqlite";

const SIZES = (process.env.BENCH_SIZES ?? "1000000,10000000").split(",").map(Number).filter(n => n > 0);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const UPSERT_SECONDS = Number(process.env.BENCH_UPSERT_SECONDS ?? 10);
const UPSERT_CALLERS = 4;
const UPSERT_BATCH = 50;
const SAMPLES = 5000;
const KEEP = process.env.BENCH_STORE_KEEP;
const WARMUP_SECONDS = 2;
const START_TIMEOUT_MS = 15 * 60_000;
const JWT_SECRET = "bench-store-secret-of-at-least-thirty-two-characters";
// activity answers the signed-in page's signals (none for the benchmark's user): without it every such request waits for a missing service.
const SERVICES = "api,catalog,recommendations,activity";
const HEALTH = "/health";
const SONGS = "/api/v1/songs/bpm/170?limit=50";

export interface StoreFigures {
	store: string;
	tracks: number;
	buildS: number;
	readyS: number;
	songsReadyS: number;
	rssMb: number;
	peakMb: number;
	health: Run;
	songsAnon: Run;
	songsSigned: Run;
	/** Undefined in the recorded NeDB row, which did not measure it. */
	songsFan?: Run;
	/** The empty store's ready time in the same run. */
	emptyReadyS?: number;
	upsertsPerSec: number;
	songsSignedDuringUpserts: Run;
}

interface Run {
	rps: number;
	p50: number;
	p99: number;
	non2xx: number;
	errors: number;
}

/** How the store file for a size is written; `onTrack` sees every track generated (a build from copies generates none). */
export type Builder = (dataDir: string, tracks: number, onTrack: (doc: TrackDoc, i: number) => void) => Promise<void>;

/** Tracks already in the catalog that upserts send again, from the first build that generated tracks. */
const knownTracks: TrackDoc[] = [];

const secs = (ms: number) => Math.round(ms / 100) / 10;

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
	const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
	const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
	return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
	try {
		const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
		await res.arrayBuffer();
		return res.status;
	} catch {
		return 0;
	}
}

async function until(node: NodeProcess, url: string, started: number): Promise<number> {
	for (;;) {
		if (node.child.exitCode !== null || node.child.signalCode !== null) throw new Error(`the node exited while starting:\n${node.output().slice(-4000)}`);
		if ((await status(url)) === 200) return performance.now() - started;
		if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`${url} did not answer 200 within ${START_TIMEOUT_MS} ms`);
		await sleep(20);
	}
}

async function load(url: string, seconds: number, headers?: Record<string, string>): Promise<Run> {
	const r = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
	return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** A track as a crawler sends it to catalog.upsertTracks. */
function inputOf(doc: TrackDoc): TrackInput {
	const raw = doc as unknown as Record<string, unknown>;
	return {
		provider: "spotify",
		id: doc.spotifyId ?? doc._id,
		name: doc.name,
		isrc: doc.isrc,
		artists: (raw.artists as Array<{ name: string; spotifyId?: string }>).map(a => ({ id: a.spotifyId, name: a.name })),
		albumId: raw.albumSpotifyId as string | undefined,
		durationMs: raw.durationMs as number | undefined,
		previewUrl: raw.previewUrl as string | undefined,
		popularity: raw.popularity as number | undefined,
		genre: doc.genre
	} as TrackInput;
}

/** UPSERT_CALLERS callers sending batches, half seen before and half new, for `seconds`: tracks/s. */
async function upserts(broker: ServiceBroker, known: TrackDoc[], seconds: number): Promise<number> {
	// A small artist pool: catalogTracks draws one per 20 tracks up front.
	const fresh = catalogTracks(200_000, 7);
	let done = 0;
	let next = 0;
	const stopAt = performance.now() + seconds * 1000;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: UPSERT_CALLERS }, async () => {
			while (performance.now() < stopAt) {
				const batch: TrackInput[] = [];
				for (let i = 0; i < UPSERT_BATCH / 2; i++) {
					batch.push(inputOf(known[next++ % known.length]));
					batch.push(inputOf(fresh.next().value as TrackDoc));
				}
				await broker.call("catalog.upsertTracks", { tracks: batch }, { timeout: 60_000 });
				done += batch.length;
			}
		})
	);
	return done / ((performance.now() - started) / 1000);
}

async function spawnDataNode(nodeID: string, dataDir: string, nats: ServerProcess): Promise<{ node: NodeProcess; base: string; started: number }> {
	const port = await freePort();
	const started = performance.now();
	const node = startNode(nodeID, {
		DATA_DIR: dataDir,
		PORT: String(port),
		HOST: "127.0.0.1",
		SERVICES,
		TRANSPORTER: nats.url,
		NAMESPACE: "bench-store",
		METRICS_ENABLED: "false",
		LOG_LEVEL: "info",
		API_RATE_LIMIT_PER_MIN: "0",
		JWT_SECRET
	});
	return { node, base: `http://127.0.0.1:${port}`, started };
}

/** A fan of the page: dislikes and skips some of its tracks and likes two, so the page is theirs alone. */
async function makeFan(broker: ServiceBroker, base: string, userId: string): Promise<void> {
	const res = await fetch(base + SONGS);
	const page = (await res.json()) as { items: Array<{ id: string }> };
	const ids = page.items.map(t => t.id);
	const feedback: Array<[string, string]> = [
		...ids.slice(0, 5).map(id => ["dislike", id] as [string, string]),
		...ids.slice(5, 10).map(id => ["skip", id] as [string, string]),
		["like", ids[20]],
		["like", ids[30]]
	];
	for (const [type, trackId] of feedback) await broker.call("activity.record", { userId, type, trackId });
}

/** The same node on an empty store: how much of "ready" is the node's own start on this machine now. */
async function emptyStore(root: string, nats: ServerProcess): Promise<{ readyS: number; rssMb: number }> {
	const dataDir = path.join(root, "empty");
	const { node, base, started } = await spawnDataNode("bench-store-empty", dataDir, nats);
	try {
		const readyMs = await until(node, base + "/ready", started);
		return { readyS: secs(readyMs), rssMb: memoryOf(node.child.pid ?? 0).rssMb };
	} finally {
		node.kill("SIGTERM");
		await node.exited();
	}
}

/** Builds the store for `tracks`, starts a node on it and measures it. */
export async function measureStore(store: string, build: Builder, tracks: number, root: string, nats: ServerProcess, emptyReadyS?: number): Promise<StoreFigures> {
	const dataDir = path.join(root, `${store}-${tracks}`);
	const known = knownTracks;
	const fresh = known.length === 0;
	const every = Math.max(1, Math.floor(tracks / SAMPLES));
	const built = performance.now();
	await build(dataDir, tracks, (doc, i) => {
		if (fresh && i % every === 0) known.push(doc);
	});
	const buildS = secs(performance.now() - built);
	console.log(`  ${store} ${tracks}: built in ${buildS} s`);
	// A file just written is mostly dirty pages, which the node's first open (switching to WAL) would sync: the restart measured is that of a store already on disk.
	const file = fs.openSync(path.join(dataDir, STORE_FILE), "r+");
	fs.fsyncSync(file);
	fs.closeSync(file);

	const { node, base, started } = await spawnDataNode(`bench-store-${store}-${tracks}`, dataDir, nats);
	const broker = clientBroker(`bench-store-client-${tracks}`, { TRANSPORTER: nats.url, NAMESPACE: "bench-store", JWT_SECRET });
	try {
		const readyMs = await until(node, base + "/ready", started);
		const songsMs = await until(node, base + SONGS, started);
		const pid = node.child.pid ?? 0;
		const ready = memoryOf(pid);
		console.log(`  ${store} ${tracks}: ready in ${secs(readyMs)} s, songs in ${secs(songsMs)} s, RSS ${ready.rssMb} MB (load average ${os.loadavg()[0].toFixed(1)})`);
		const signed = { authorization: `Bearer ${signAccessToken({ id: "bench-runner", role: "user" }, JWT_SECRET, 3600)}` };
		const fan = { authorization: `Bearer ${signAccessToken({ id: "bench-fan", role: "user" }, JWT_SECRET, 3600)}` };
		await broker.start();
		await broker.waitForServices(["catalog", "activity"], 30_000);
		await makeFan(broker, base, "bench-fan");
		for (const headers of [signed, fan]) if ((await status(base + SONGS, headers)) !== 200) throw new Error("the signed-in songs route did not answer 200");

		for (const [url, headers] of [[HEALTH, undefined], [SONGS, undefined], [SONGS, signed], [SONGS, fan]] as const) await load(base + url, WARMUP_SECONDS, headers);
		const health = await load(base + HEALTH, SECONDS);
		const songsAnon = await load(base + SONGS, SECONDS);
		const songsSigned = await load(base + SONGS, SECONDS, signed);
		const songsFan = await load(base + SONGS, SECONDS, fan);

		const upsertsPerSec = await upserts(broker, known, UPSERT_SECONDS);
		const [songsSignedDuringUpserts] = await Promise.all([load(base + SONGS, SECONDS, fan), upserts(broker, known, SECONDS)]);
		const end = memoryOf(pid);
		return {
			store,
			tracks,
			buildS,
			readyS: secs(readyMs),
			songsReadyS: secs(songsMs),
			rssMb: ready.rssMb,
			peakMb: end.peakMb,
			health,
			songsAnon,
			songsSigned,
			songsFan,
			emptyReadyS,
			upsertsPerSec: Math.round(upsertsPerSec),
			songsSignedDuringUpserts
		};
	} finally {
		await broker.stop().catch(() => undefined);
		node.kill("SIGTERM");
		await node.exited();
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}

function table(rows: Array<{ label: string; figures: StoreFigures }>): string {
	const head = [
		"store",
		"tracks",
		"ready s (empty store)",
		"RSS MB",
		"peak MB",
		"health req/s",
		"anon songs req/s",
		"signed songs req/s p50/p99 ms",
		"signed/health",
		"fan songs req/s p50/p99 ms",
		"fan/health",
		"upserts tracks/s",
		"fan p99 during upserts"
	];
	const rate = (r: Run | undefined) => (r ? `${r.rps.toFixed(0)} ${r.p50.toFixed(0)}/${r.p99.toFixed(0)}` : "-");
	const body = rows.map(({ label, figures: f }) => [
		label,
		String(f.tracks),
		`${f.readyS.toFixed(1)}${f.emptyReadyS === undefined ? "" : ` (${f.emptyReadyS.toFixed(1)})`}`,
		String(f.rssMb),
		String(f.peakMb),
		f.health.rps.toFixed(0),
		f.songsAnon.rps.toFixed(0),
		rate(f.songsSigned),
		(f.songsSigned.rps / f.health.rps).toFixed(2),
		rate(f.songsFan),
		f.songsFan ? (f.songsFan.rps / f.health.rps).toFixed(2) : "-",
		String(f.upsertsPerSec),
		`${f.songsSignedDuringUpserts.p99.toFixed(0)} ms`
	]);
	const all = [head, ...body];
	const widths = head.map((_, i) => Math.max(...all.map(row => row[i].length)));
	const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
	return [line(head), widths.map(w => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export async function runBench(plan: Array<{ store: string; build: Builder; tracks: number }>, baseline?: { label: string; figures: StoreFigures; source: string }): Promise<StoreFigures[]> {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-bench-store-"));
	const nats = await startNats();
	console.log(
		`bench:store: BENCH_SIZES=${SIZES.join(",")} BENCH_SECONDS=${SECONDS} BENCH_CONNECTIONS=${CONNECTIONS} BENCH_UPSERT_SECONDS=${UPSERT_SECONDS}, ` +
			`node ${process.version}, ${os.cpus().length} CPUs (load average ${os.loadavg()[0].toFixed(1)})`
	);
	const out: StoreFigures[] = [];
	try {
		const empty = await emptyStore(root, nats);
		console.log(`  empty store: ready in ${empty.readyS.toFixed(1)} s, RSS ${empty.rssMb} MB (the node's own start on this machine now)`);
		for (const step of plan) {
			const figures = await measureStore(step.store, step.build, step.tracks, root, nats, empty.readyS);
			out.push(figures);
			// Printed at once too, so a run cut short keeps what it measured.
			console.log(`  ${step.store} ${step.tracks}: ${JSON.stringify(figures)}`);
		}
	} finally {
		await nats.stop();
		fs.rmSync(root, { recursive: true, force: true });
	}
	const rows = out.map(f => ({ label: f.store, figures: f }));
	if (baseline) rows.push({ label: baseline.label, figures: baseline.figures });
	console.log(`\n${table(rows)}\n`);
	if (baseline) console.log(`${baseline.label}: ${baseline.source}`);
	return out;
}

export { SIZES };

interface Baseline {
	source: string;
	figures: StoreFigures;
}

function goals(figures: StoreFigures[]): string[] {
	const out: string[] = [];
	const verdict = (ok: boolean) => (ok ? "met" : "missed");
	const ten = figures.find(f => f.tracks === 10_000_000);
	if (ten) {
		out.push(
			`10M tracks ready in ${ten.readyS.toFixed(1)} s (goal < 2 s: ${verdict(ten.readyS < 2)}; the same node on an empty store: ${ten.emptyReadyS?.toFixed(1)} s in this run), ` +
				`RSS ${ten.rssMb} MB once ready (goal < 400 MB: ${verdict(ten.rssMb < 400)})`
		);
		out.push(
			`songs-by-BPM p99 at 10M: signed in ${ten.songsSigned.p99.toFixed(0)} ms (goal < 10 ms: ${verdict(ten.songsSigned.p99 < 10)}), ` +
				`a fan with feedback (every request reads the catalog) ${ten.songsFan?.p99.toFixed(0)} ms (${verdict((ten.songsFan?.p99 ?? Infinity) < 10)}), anonymous ${ten.songsAnon.p99.toFixed(0)} ms`
		);
	}
	const one = figures.find(f => f.tracks === 1_000_000);
	if (one) {
		const ratio = one.songsSigned.rps / one.health.rps;
		const fan = (one.songsFan?.rps ?? 0) / one.health.rps;
		out.push(`signed-in songs page / health req/s at 1M: ${ratio.toFixed(2)} (goal >= 0.5: ${verdict(ratio >= 0.5)}); a fan's own page: ${fan.toFixed(2)} (${verdict(fan >= 0.5)})`);
	}
	return out;
}

/** A kept file instead of a build: copied in, and every SAMPLES-th track read back for the upserts to send again. */
function copyKept(kept: string, dir: string, tracks: number, onTrack: (doc: TrackDoc, i: number) => void): void {
	fs.mkdirSync(dir, { recursive: true });
	fs.copyFileSync(kept, path.join(dir, STORE_FILE));
	const db = new DatabaseSync(kept, { readOnly: true });
	try {
		const every = Math.max(1, Math.floor(tracks / SAMPLES));
		const rows = db.prepare(`SELECT rowid, doc FROM "catalog.tracks" WHERE rowid % ? = 1 % ? ORDER BY rowid`).all(every, every) as Array<{ rowid: number; doc: string }>;
		for (const row of rows) onTrack(JSON.parse(row.doc) as TrackDoc, row.rowid - 1);
	} finally {
		db.close();
	}
	console.log(`  sqlite ${tracks}: copied from ${kept}`);
}

async function main(): Promise<void> {
	const baselineFile = path.join(__dirname, "../../bench/store-nedb-baseline.json");
	const baseline = fs.existsSync(baselineFile) ? (JSON.parse(fs.readFileSync(baselineFile, "utf8")) as Baseline) : undefined;
	// The first size is generated; larger ones start from a copy of its file, kept aside before its node writes to it.
	const sizes = [...SIZES].sort((a, b) => a - b);
	const template = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-bench-store-template-"));
	const plan = sizes.map((tracks, i) => ({
		store: "sqlite",
		tracks,
		build: async (dir: string, n: number, onTrack: (doc: TrackDoc, i: number) => void) => {
			const kept = KEEP && path.join(KEEP, String(n), STORE_FILE);
			if (kept && fs.existsSync(kept)) return copyKept(kept, dir, n, onTrack);
			await buildCatalogStore(dir, n, onTrack, 42, i === 0 ? undefined : template);
			if (i === 0 && sizes.length > 1) fs.copyFileSync(path.join(dir, STORE_FILE), path.join(template, STORE_FILE));
			if (kept) {
				fs.mkdirSync(path.dirname(kept), { recursive: true });
				fs.copyFileSync(path.join(dir, STORE_FILE), kept);
			}
		}
	}));
	let figures: StoreFigures[];
	try {
		figures = await runBench(plan, baseline && { label: "nedb (recorded)", figures: baseline.figures, source: baseline.source });
	} finally {
		fs.rmSync(template, { recursive: true, force: true });
	}
	for (const line of goals(figures)) console.log(line);
	console.log(`load average at the end: ${os.loadavg().map(l => l.toFixed(1)).join(" ")}`);
}

if (require.main === module) {
	main().then(
		() => process.exit(0),
		(err: unknown) => {
			console.error((err as Error).stack ?? String(err));
			process.exit(1);
		}
	);
}
