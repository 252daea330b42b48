/**
 * The worker-thread pool with the real, compiled worker (build first: npx tsc -p tsconfig.build.json;
 * `npm test` does), fed by the Deezer simulator's previews, good and broken.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { testConfig } from "../../../config";
import { MemoryCache } from "../../../services/audio-feature/cache";
import { AnalysisPool, defaultWorkerFile } from "../../../services/audio-feature/pool";
import { AnalysisProvider } from "../../../services/audio-feature/provider";
import { AnalysisFailure } from "../../../services/audio-feature/types";
import { startDeezerSimulator, type DeezerSimulator } from "../../simulators";
import { previewMp3, type PreviewFault } from "../../simulators/previews";
import { freeLimiter } from "./helpers";

const POOL = { size: 1, taskTimeoutMs: 20000, maxSeconds: 45, minSeconds: 8, minConfidence: 0.15 };

beforeAll(() => {
	if (!fs.existsSync(defaultWorkerFile())) throw new Error(`${defaultWorkerFile()} is missing: run npx tsc -p tsconfig.build.json first`);
});

describe("analysis of simulator previews in worker threads", () => {
	let sim: DeezerSimulator;
	let pool: AnalysisPool;
	let unknownBpm: number[];

	beforeAll(async () => {
		sim = await startDeezerSimulator({ catalog: { seed: 8, artists: 4, albumsPerArtist: 2, tracksPerAlbum: 8, deezerMissingRate: 0 }, previewSeconds: 12, maxPerWindow: 1_000_000 });
		unknownBpm = [];
		for (let k = 0; k < sim.catalog.trackCount && unknownBpm.length < 6; k++) if (sim.catalog.track(k).deezerBpm === 0) unknownBpm.push(k);
		pool = new AnalysisPool(POOL);
	});
	afterAll(async () => {
		await pool?.close();
		await sim?.close();
	});

	const url = (k: number) => `${sim.url}/preview/${sim.catalog.deezerTrackId(k)}.mp3`;

	it("decodes and measures a good preview", async () => {
		const k = unknownBpm[0];
		const { analysis, decodeMs, analyseMs } = await pool.run(previewMp3(sim.catalog, k, 12));
		const truth = sim.catalog.track(k).tempo;
		const near = (x: number | undefined) => x !== undefined && Math.abs(x / truth - 1) <= 0.02;
		expect(near(analysis.tempo) || near(analysis.tempoAlt)).toBe(true);
		expect(analysis.seconds).toBeGreaterThan(11);
		expect(decodeMs).toBeGreaterThan(0);
		expect(analyseMs).toBeGreaterThan(0);
	});

	it("ends every broken preview in a recorded failure, never a crash, and does not fetch it twice", async () => {
		const faults: Array<[PreviewFault, string]> = [
			["corrupt", "corrupt"],
			["empty", "empty"],
			["truncated", "too-short"],
			["oversized", "oversized"],
			["not-mp3", "not-mp3"]
		];
		const broken = unknownBpm.slice(1, 1 + faults.length);
		sim.setPreviewFaults(Object.fromEntries(broken.map((k, i) => [String(sim.catalog.deezerTrackId(k)), faults[i][0]])));
		const cache = new MemoryCache(100);
		const provider = new AnalysisProvider({ config: testConfig(), cache, pool, hostLimiter: () => freeLimiter() });
		sim.resetStats();
		for (const [i, k] of broken.entries()) {
			const outcome = await provider.analyse(url(k));
			expect(outcome).toMatchObject({ status: "failed", reason: faults[i][1], cached: false });
		}
		for (const k of broken) expect(await provider.analyse(url(k))).toMatchObject({ status: "failed", cached: true });
		expect(sim.counts["GET /preview/{file}"]).toBe(broken.length);
		// The pool is still whole and still works.
		expect(pool.status().replaced).toBe(0);
		expect((await provider.analyse(url(unknownBpm[0]))).status).toBe("ok");
		sim.setPreviewFaults({});
	});
});

describe("pool failure handling", () => {
	let dir: string;
	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), "analysis-pool-"));
	});
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

	/** A stand-in worker: spins forever on a first byte of 0, dies on 1, else answers. */
	function fakeWorker(): string {
		const file = path.join(dir, "fake-worker.js");
		fs.writeFileSync(
			file,
			`const { parentPort } = require("node:worker_threads");
parentPort.on("message", req => {
	if (req.bytes[0] === 0) for (;;) {}
	if (req.bytes[0] === 1) process.exit(3);
	parentPort.postMessage({ id: req.id, ok: true, decodeMs: 1, analyseMs: 1, analysis: { tempo: 100, confidence: 1, loudness: -9, energy: 0.5, seconds: 30, octaveBy: "signal", algorithm: "fake" } });
});`
		);
		return file;
	}

	it("replaces a worker that runs out of time or dies, failing only its own task", async () => {
		const pool = new AnalysisPool({ ...POOL, size: 1, taskTimeoutMs: 300, workerFile: fakeWorker() });
		try {
			const stuck = pool.run(Uint8Array.of(0));
			const queued = pool.run(Uint8Array.of(2));
			await expect(stuck).rejects.toMatchObject({ reason: "timeout" });
			expect((await queued).analysis.tempo).toBe(100);
			await expect(pool.run(Uint8Array.of(1))).rejects.toMatchObject({ reason: "crashed" });
			expect((await pool.run(Uint8Array.of(2))).analysis.tempo).toBe(100);
			expect(pool.status()).toMatchObject({ replaced: 2, completed: 2, busy: 0, queued: 0 });
		} finally {
			await pool.close();
		}
		await expect(pool.run(Uint8Array.of(2))).rejects.toBeInstanceOf(AnalysisFailure);
	});

	it("says so when the worker has not been built", async () => {
		const pool = new AnalysisPool({ ...POOL, workerFile: path.join(dir, "missing.js") });
		await expect(pool.run(Uint8Array.of(2))).rejects.toThrow(/build first/);
		await pool.close();
	});
});
