/**
 * The benchmark's baseline: the same worker as test/fixtures/limiter-node.ts, limited by Bottleneck
 * 2.19.5 in clustering mode as its documentation and REFERENCE.md describe (ioredis datastore,
 * stable id, `minTime` pacing at window / R, a job `expiration`, and the maintainer's 429 recipe of
 * `reservoir: 0` until Retry-After has passed). It exists to measure Bottleneck, not to ship.
 *
 * Reads the same LIMIT_* variables, plus REDIS_URL and NODE_ID.
 */
import Bottleneck from "bottleneck";
import Redis from "ioredis";
import { isDeezerQuotaError, retryAfterMs } from "../mixins/rate-limit/pause";
import { clockMs, REPORT_PREFIX, type PausedReport } from "../test/fixtures/limiter-harness";

const env = process.env;
const upstream = env.LIMIT_UPSTREAM ?? "";
const rate = Number(env.LIMIT_R ?? 10);
const windowMs = Number(env.LIMIT_WINDOW_MS ?? 1000);
const loops = Number(env.LIMIT_LOOPS ?? 4);
const paceMs = Number(env.LIMIT_PACE_MS ?? 0);
const nodeID = env.NODE_ID ?? `bottleneck-${process.pid}`;

const client = new Redis(env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
client.on("error", () => undefined);
const limiter = new Bottleneck({
	id: `bench-${env.LIMIT_NAME ?? "test"}`,
	datastore: "ioredis",
	clearDatastore: false,
	connection: new Bottleneck.IORedisConnection({ client }),
	minTime: windowMs / rate,
	// The settings must outlive any quiet spell (Redis 7 breaks Bottleneck's recovery of lost keys).
	timeout: 24 * 3600 * 1000
});
limiter.on("error", () => undefined);

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
let pausedUntil = 0;
let stopping = false;

async function loop(): Promise<void> {
	while (!stopping) {
		const queuedAt = clockMs();
		try {
			const res = await limiter.schedule({ expiration: 60000 }, async () => {
				const startedAt = clockMs();
				return fetch(upstream, { headers: { "x-node": nodeID, "x-started-at": String(startedAt), "x-wait-ms": String(startedAt - queuedAt) } });
			});
			const body: unknown = await res.json().catch(() => null);
			if (res.status === 429 || isDeezerQuotaError(body)) {
				const ms = retryAfterMs(res.headers.get("retry-after"), 2000);
				await limiter.updateSettings({ reservoir: 0 });
				pausedUntil = clockMs() + ms;
				const report: PausedReport = { event: "paused", node: nodeID, at: clockMs(), until: pausedUntil };
				process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
				setTimeout(() => void limiter.updateSettings({ reservoir: null }), ms);
			}
		} catch {
			if (stopping) return;
			await sleep(100);
		}
		if (paceMs > 0) await sleep(paceMs * (0.5 + Math.random()));
	}
}

async function main(): Promise<void> {
	await limiter.ready();
	for (let i = 0; i < loops; i++) void loop();
}

const stop = async () => {
	stopping = true;
	await limiter.disconnect(false).catch(() => undefined);
	process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("SIGINT", () => void stop());

main().catch(err => {
	process.stderr.write(`bottleneck worker failed: ${(err as Error).stack ?? String(err)}\n`);
	process.exit(1);
});
