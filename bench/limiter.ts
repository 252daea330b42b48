/**
 * Benchmark of the cluster-wide rate limiter: 1, 2 and 3 worker processes share one limiter of R
 * calls per second (R = 20 and 100) against a counting upstream in this process. Starts its own
 * redis-server and nats-server. For each setup it prints:
 *
 *   rate/R        calls per second the upstream saw over the run, over R          goal >= 0.95
 *   max 1s/R      most calls the upstream saw in any 1 s window, over R          goal <= 1.00
 *   p50/p99 ms    time a call waited in the limiter while the load stayed under
 *                 the limit (half of R offered)                                  goal p50 < 5 ms
 *   in pause      calls started during a forced 2 s pause (a 429, Retry-After 2)  goal 0
 *
 * Variables: BENCH_SECONDS (saturated run per setup, default 15), BENCH_RATES (default 20,100),
 * BENCH_WORKERS (default 1,2,3), BENCH_ENGINES (default "limiter"; "limiter,bottleneck" adds
 * Bottleneck 2.19.5 in clustering mode, paced by minTime, as the baseline).
 *
 *   npm run build --silent && node dist/bench/limiter.js
 */
import * as path from "node:path";
import { startNats, startRedis, type ServerProcess } from "../test/harness/servers";
import { percentile, startCountingUpstream, startLimiterWorker, worstWindow, type CountingUpstream, type Hit, type WorkerProcess } from "../test/fixtures/limiter-harness";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RATES = (process.env.BENCH_RATES ?? "20,100").split(",").map(Number);
const WORKERS = (process.env.BENCH_WORKERS ?? "1,2,3").split(",").map(Number);
const ENGINES = (process.env.BENCH_ENGINES ?? "limiter").split(",").map(s => s.trim()) as Array<"limiter" | "bottleneck">;
const WINDOW_MS = 1000;
const LATENCY_SECONDS = 5;

const SCRIPTS = {
	limiter: path.resolve(__dirname, "../test/fixtures/limiter-node.js"),
	bottleneck: path.join(__dirname, "limiter-bottleneck-worker.js")
};

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 20000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = check();
		if (v !== undefined) return v;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

interface Row {
	engine: string;
	workers: number;
	rate: number;
	achieved: number;
	worst: number;
	p50: number;
	p99: number;
	inPause: number;
	notes: string;
}

let run = 0;

async function phase<T>(
	engine: "limiter" | "bottleneck",
	workers: number,
	env: Record<string, string>,
	body: (up: CountingUpstream, procs: WorkerProcess[]) => Promise<T>
): Promise<T> {
	const up = await startCountingUpstream();
	const name = `bench${++run}`;
	const procs = Array.from({ length: workers }, (_, i) => startLimiterWorker(`${name}-w${i}`, { ...env, LIMIT_UPSTREAM: up.url, LIMIT_NAME: name }, SCRIPTS[engine]));
	try {
		return await body(up, procs);
	} catch (err) {
		throw new Error(`${(err as Error).message}\n${procs.map(p => `--- ${p.nodeID}\n${p.output()}`).join("\n")}`, { cause: err });
	} finally {
		for (const p of procs) p.kill("SIGKILL");
		await Promise.all(procs.map(p => p.exited()));
		await up.close();
	}
}

async function measure(engine: "limiter" | "bottleneck", workers: number, rate: number, base: Record<string, string>): Promise<Row> {
	const env = { ...base, LIMIT_R: String(rate), LIMIT_WINDOW_MS: String(WINDOW_MS) };
	const notes: string[] = [];

	// Saturated: every worker keeps 8 calls queued.
	const { achieved, worst } = await phase(engine, workers, { ...env, LIMIT_LOOPS: "8" }, async up => {
		const t0 = await until("the first call", () => up.hits[0]?.at);
		const end = t0 + SECONDS * 1000;
		// The calls may come in bursts (a window's worth at once is within the rule): count from the
		// first call to the first call after the run, so both ends fall on the same phase.
		const last = await until("the first call after the run", () => up.hits.findIndex(h => h.at >= end) + 1 || undefined, SECONDS * 1000 + 10000);
		const k = last - 1;
		const achievedRate = (k / (up.hits[k].at - t0)) * 1000;
		return { achieved: achievedRate / rate, worst: worstWindow(up.hits.map(h => h.at), WINDOW_MS) / rate };
	});

	// Under the limit: one loop per worker, pacing so the cluster offers about R / 2.
	const pace = (2 * workers * 1000) / rate;
	const waits = await phase(engine, workers, { ...env, LIMIT_LOOPS: "1", LIMIT_PACE_MS: String(pace) }, async up => {
		const t0 = await until("the first call", () => up.hits[0]?.at);
		await sleep((LATENCY_SECONDS + 1) * 1000);
		// The first second pays for connections and the first window; what is left is steady state.
		return up.hits.filter(h => h.at >= t0 + 1000).map(h => h.waitMs);
	});

	// Forced pause: saturated, then one 429 with Retry-After: 2.
	const inPause = await phase(engine, workers, { ...env, LIMIT_LOOPS: "8" }, async (up, procs) => {
		await until("the first call", () => up.hits[0]?.at);
		await sleep(1500);
		const trap = await up.armRateLimit(2);
		const proc = procs.find(p => p.nodeID === trap.node);
		const report = await until("the pause report", () => proc?.reports()[0]);
		await until("the pause to end", () => (Date.now() > report.until + 500 ? true : undefined), 10000);
		const during: Hit[] = up.hits.filter(h => h.startedAt >= report.at && h.startedAt < report.until);
		if (report.until - report.at < 1900) notes.push(`pause held ${Math.round(report.until - report.at)} ms`);
		return during.length;
	});

	return { engine, workers, rate, achieved, worst, p50: percentile(waits, 50), p99: percentile(waits, 99), inPause, notes: notes.join("; ") };
}

function table(rows: Row[]): string {
	const head = ["engine", "workers", "R/s", "rate/R", "max 1s/R", "p50 ms", "p99 ms", "in pause", "notes"];
	const body = rows.map(r => [r.engine, String(r.workers), String(r.rate), r.achieved.toFixed(3), r.worst.toFixed(3), r.p50.toFixed(2), r.p99.toFixed(2), String(r.inPause), r.notes]);
	const goal = ["goal", "", "", ">= 0.95", "<= 1.00", "< 5", "", "0", ""];
	const all = [head, ...body, goal];
	const widths = head.map((_, i) => Math.max(...all.map(r => r[i].length)));
	const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
	return [line(head), widths.map(w => "-".repeat(w)).join("  "), ...body.map(line), line(goal)].join("\n");
}

async function main(): Promise<void> {
	let redis: ServerProcess | undefined;
	let nats: ServerProcess | undefined;
	try {
		[redis, nats] = await Promise.all([startRedis(), startNats()]);
		const base = {
			NAMESPACE: "limiter-bench",
			TRANSPORTER: nats.url,
			REDIS_URL: redis.url,
			HEARTBEAT_INTERVAL: "1",
			HEARTBEAT_TIMEOUT: "3",
			LIMITER_ID_PREFIX: `bench-${process.pid}`
		};
		console.log(`limiter benchmark: ${SECONDS} s saturated per setup, window ${WINDOW_MS} ms, engines ${ENGINES.join(", ")}`);
		const rows: Row[] = [];
		for (const engine of ENGINES)
			for (const rate of RATES)
				for (const workers of WORKERS) {
					const row = await measure(engine, workers, rate, base);
					rows.push(row);
					console.log(`  ${engine} x${workers} @ ${rate}/s: rate ${row.achieved.toFixed(3)}, max 1s ${row.worst.toFixed(3)}, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, in pause ${row.inPause}`);
				}
		console.log(`\n${table(rows)}`);
	} finally {
		await Promise.all([redis?.stop(), nats?.stop()]);
	}
}

main().then(
	() => process.exit(0),
	err => {
		console.error((err as Error).stack ?? String(err));
		process.exit(1);
	}
);
