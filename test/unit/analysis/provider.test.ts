import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { testConfig } from "../../../config";
import { MemoryCache, previewKey } from "../../../services/audio-feature/cache";
import type { PoolResult } from "../../../services/audio-feature/pool";
import { AnalysisProvider } from "../../../services/audio-feature/provider";
import { AnalysisFailure, TEMPO_ALGORITHM, type AudioAnalysis } from "../../../services/audio-feature/types";
import { clipMp3 } from "../../fixtures/audio/testset";
import { SIMULATOR_MP3 } from "../../simulators/previews";
import { freeLimiter } from "./helpers";

const MP3 = clipMp3({ seed: 5, bpm: 120, pattern: "four-on-the-floor", genre: "house", seconds: 10 }, SIMULATOR_MP3);
const ANALYSIS: AudioAnalysis = { tempo: 120, tempoAlt: 60, confidence: 0.9, loudness: -9, energy: 0.7, seconds: 10, octaveBy: "signal", algorithm: TEMPO_ALGORITHM };

describe("analysis provider: cache by preview URL, failures recorded", () => {
	let server: http.Server;
	let base = "";
	const hits = new Map<string, number>();
	let flaky = 503;

	beforeAll(async () => {
		server = http.createServer((req, res) => {
			const path = (req.url ?? "").split("?")[0];
			hits.set(path, (hits.get(path) ?? 0) + 1);
			if (path.startsWith("/ok")) res.writeHead(200, { "content-type": "audio/mpeg" }).end(MP3);
			else if (path === "/flaky.mp3") res.writeHead(flaky, { "content-type": "audio/mpeg" }).end(flaky === 200 ? MP3 : "");
			else if (path === "/html.mp3") res.writeHead(200, { "content-type": "audio/mpeg" }).end("<html>gone</html>");
			else if (path === "/limited.mp3") res.writeHead(429, { "retry-after": "3" }).end();
			else res.writeHead(404).end();
		});
		await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
	});

	function setup(env: Record<string, string> = {}) {
		let now = 1_000_000;
		const runs: Uint8Array[] = [];
		const pool = {
			run: async (bytes: Uint8Array): Promise<PoolResult> => {
				runs.push(bytes);
				await new Promise(resolve => setTimeout(resolve, 20));
				return { analysis: ANALYSIS, decodeMs: 1, analyseMs: 1 };
			}
		};
		const limiter = freeLimiter();
		const provider = new AnalysisProvider({
			config: testConfig({ ANALYSIS_RETRY_MS: "60000", ANALYSIS_MAX_ATTEMPTS: "3", ...env }),
			cache: new MemoryCache(100),
			pool,
			hostLimiter: () => limiter,
			now: () => now
		});
		return { provider, runs, limiter, advance: (ms: number) => (now += ms) };
	}

	it("analyses a preview once; the same file under a new signature comes from the cache", async () => {
		const { provider, runs } = setup();
		expect(await provider.analyse(`${base}/ok-1.mp3?hdnea=exp=1`)).toEqual({ status: "ok", analysis: ANALYSIS, cached: false });
		expect(await provider.analyse(`${base}/ok-1.mp3?hdnea=exp=2`)).toEqual({ status: "ok", analysis: ANALYSIS, cached: true });
		expect(runs).toHaveLength(1);
		expect(hits.get("/ok-1.mp3")).toBe(1);
		expect(previewKey(`${base}/ok-1.mp3?a=1`)).toBe(previewKey(`${base}/ok-1.mp3?b=2`));
		expect(previewKey(`${base}/ok-1.mp3`)).not.toBe(previewKey(`${base}/ok-2.mp3`));
	});

	it("shares one download between concurrent requests for the same preview", async () => {
		const { provider, runs } = setup();
		const outcomes = await Promise.all([1, 2, 3].map(() => provider.analyse(`${base}/ok-2.mp3`)));
		expect(outcomes.every(o => o.status === "ok")).toBe(true);
		expect(runs).toHaveLength(1);
		expect(hits.get("/ok-2.mp3")).toBe(1);
	});

	it("records a final failure and does not download that preview again", async () => {
		const { provider, runs } = setup();
		const first = await provider.analyse(`${base}/html.mp3`);
		expect(first).toMatchObject({ status: "failed", reason: "not-mp3", cached: false });
		expect(await provider.analyse(`${base}/html.mp3`)).toMatchObject({ status: "failed", reason: "not-mp3", cached: true });
		expect(await provider.analyse(`${base}/missing.mp3`)).toMatchObject({ status: "failed", reason: "not-found" });
		expect(await provider.analyse(`${base}/missing.mp3`)).toMatchObject({ status: "failed", cached: true });
		expect(hits.get("/html.mp3")).toBe(1);
		expect(hits.get("/missing.mp3")).toBe(1);
		expect(runs).toHaveLength(0);
	});

	it("defers a transient failure, retries after a doubling wait, and gives up after the last attempt", async () => {
		const { provider, advance } = setup();
		const url = `${base}/flaky.mp3`;
		flaky = 503;
		const first = await provider.analyse(url);
		expect(first).toMatchObject({ status: "deferred", reason: "download", attempts: 1 });
		// Asked again before the retry time: answered from the cache, no download.
		expect(await provider.analyse(url)).toMatchObject({ status: "deferred", cached: true });
		expect(hits.get("/flaky.mp3")).toBe(1);
		advance(60_000);
		const second = await provider.analyse(url);
		expect(second).toMatchObject({ status: "deferred", attempts: 2 });
		if (second.status !== "deferred" || first.status !== "deferred") throw new Error("deferred expected");
		expect(second.retryAt - 1_060_000).toBe(120_000);
		advance(120_000);
		expect(await provider.analyse(url)).toMatchObject({ status: "failed", reason: "download", cached: false });
		advance(10 * 86_400_000);
		expect(await provider.analyse(url)).toMatchObject({ status: "failed", cached: true });
		expect(hits.get("/flaky.mp3")).toBe(3);
	});

	it("recovers when a transient failure clears", async () => {
		const { provider, advance } = setup();
		const url = `${base}/flaky.mp3?second`;
		hits.delete("/flaky.mp3");
		flaky = 503;
		// The same file as the previous test, which gave up on it: a fresh cache starts over.
		expect(await provider.analyse(url)).toMatchObject({ status: "deferred" });
		flaky = 200;
		advance(60_000);
		expect(await provider.analyse(url)).toMatchObject({ status: "ok" });
	});

	it("passes a host's 429 on, pausing its limiter, and records nothing", async () => {
		const { provider, limiter } = setup();
		await expect(provider.analyse(`${base}/limited.mp3`)).rejects.toMatchObject({ kind: "rate-limited" });
		expect(limiter.pauses).toEqual([3000]);
		await expect(provider.analyse(`${base}/limited.mp3`)).rejects.toMatchObject({ kind: "rate-limited" });
		expect(hits.get("/limited.mp3")).toBe(2);
	});

	it("treats a worker's failure as the pool reports it", async () => {
		const cache = new MemoryCache(100);
		const provider = new AnalysisProvider({
			config: testConfig(),
			cache,
			pool: { run: async () => Promise.reject(new AnalysisFailure("timeout", "too slow")) },
			hostLimiter: () => freeLimiter()
		});
		expect(await provider.analyse(`${base}/ok-3.mp3`)).toMatchObject({ status: "deferred", reason: "timeout" });
		expect(await cache.get(previewKey(`${base}/ok-3.mp3`))).toMatchObject({ kind: "failed", final: false, attempts: 1 });
	});
});

describe("memory cache", () => {
	it("drops the least recently used entry beyond its size and expired ones", async () => {
		const cache = new MemoryCache(2);
		const entry = { kind: "ok" as const, analysis: ANALYSIS, at: 0 };
		await cache.set("a", entry, 60000);
		await cache.set("b", entry, 60000);
		await cache.get("a");
		await cache.set("c", entry, 60000);
		expect(await cache.get("b")).toBeUndefined();
		expect(await cache.get("a")).toBeDefined();
		await cache.set("d", entry, -1);
		expect(await cache.get("d")).toBeUndefined();
		expect(cache.size).toBeLessThanOrEqual(2);
	});
});
