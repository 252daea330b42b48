import Redis from "ioredis";
import { ServiceBroker, type Service, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig, type Config } from "../../config";
import { loadLimitConfig } from "../../config/limits";
import { limiterReadiness, RateLimitMixin, setLimitOverride } from "../../mixins/rate-limit";
import { LIMITER_METRICS } from "../../mixins/rate-limit/metrics";
import type { Limiter, RateLimitMethods } from "../../mixins/rate-limit/types";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { eventually, sleep } from "../harness/ports";
import { startRedis, type ServerProcess } from "../harness/servers";
import { worstWindow } from "../fixtures/limiter-harness";

type LimitedService = Service & RateLimitMethods;

function runMany(limiter: Limiter, n: number, starts: number[]): Promise<unknown> {
	return Promise.all(Array.from({ length: n }, () => limiter.schedule(async () => void starts.push(Date.now()))));
}

/*
 * Brokers in this process, each its own node, sharing one real redis-server and no transporter:
 * whatever they agree on, they agree on through Redis alone.
 */
describeWithBinaries(["redis-server"], "rate limiters shared through Redis", () => {
	let redis: ServerProcess;
	let admin: Redis;
	let prefix: string;
	let seq = 0;
	const brokers: ServiceBroker[] = [];

	async function node(env: Record<string, string> = {}, metrics = false, transporter?: "Fake"): Promise<LimitedService> {
		const broker = new ServiceBroker({ logger: false, nodeID: `n${++seq}`, metrics: metrics ? { enabled: true, reporter: [] } : false, transporter });
		const config = { ...testConfig({ REDIS_URL: env.REDIS_URL ?? redis.url }), ...loadLimitConfig({ LIMITER_ID_PREFIX: prefix, LIMITER_HEALTH_INTERVAL_MS: "200", ...env }) } as Config;
		attachConfig(broker, config);
		const schema: ServiceSchema = { name: "limited", mixins: [RateLimitMixin] };
		const service = broker.createService(schema) as LimitedService;
		await broker.start();
		brokers.push(broker);
		return service;
	}

	beforeAll(async () => {
		redis = await startRedis();
		admin = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
		admin.on("error", () => undefined);
	});

	beforeEach(async () => {
		prefix = `t${++seq}`;
		// Nothing should wait for the barrier that follows data loss: mark this prefix as long known.
		await admin.set(`{${prefix}}:limits:epoch`, "0");
	});

	afterEach(async () => {
		await Promise.all(brokers.splice(0).map(b => b.stop()));
	});

	afterAll(async () => {
		admin?.disconnect();
		await redis?.stop();
	});

	it("holds two nodes together to one limit in every rolling window", async () => {
		const [a, b] = [await node(), await node()];
		const settings = { maxPerWindow: 5, windowMs: 300 };
		const starts: number[] = [];
		await Promise.all([runMany(a.limiter("t", settings), 10, starts), runMany(b.limiter("t", settings), 10, starts)]);
		expect(starts).toHaveLength(20);
		expect(worstWindow(starts, 300)).toBeLessThanOrEqual(5);
		expect(await a.limiter("t").status()).toMatchObject({ mode: "shared", nodeID: expect.any(String) });
	});

	it("pauses every node through Redis; a shorter pause never cuts a longer one", async () => {
		const [a, b] = [await node(), await node()];
		const settings = { maxPerWindow: 50, windowMs: 1000 };
		const t0 = Date.now();
		await a.limiter("t", settings).rateLimited(400);
		await b.limiter("t", settings).rateLimited(100);
		expect((await b.limiter("t").status()).pausedUntil).toBeGreaterThanOrEqual(t0 + 390);
		const startedOnB = await b.limiter("t").schedule(async () => Date.now());
		expect(startedOnB).toBeGreaterThanOrEqual(t0 + 399);
	});

	it("applies an override stored in Redis on every node at once", async () => {
		const [a, b] = [await node(), await node()];
		const lb = b.limiter("t", { maxPerWindow: 10, windowMs: 300 });
		await setLimitOverride(a.broker, "t", { maxPerWindow: 2, windowMs: 300 });
		const starts: number[] = [];
		await runMany(lb, 6, starts);
		expect(worstWindow(starts, 300)).toBeLessThanOrEqual(2);
		expect(await lb.status()).toMatchObject({ settings: { maxPerWindow: 2, windowMs: 300 }, overridden: true });
		expect(await admin.hget(`{${prefix}}:limits:overrides`, "t")).toBe(JSON.stringify({ maxPerWindow: 2, windowMs: 300 }));
	});

	it("caps calls in flight across nodes, and a dead node's slot frees when its job expires", async () => {
		const env = { LIMITER_JOB_EXPIRATION_MS: "1000" };
		const [a, b] = [await node(env), await node(env)];
		const settings = { maxPerWindow: 100, windowMs: 1000, maxConcurrent: 2 };
		let inFlight = 0;
		let most = 0;
		const job = async () => {
			most = Math.max(most, ++inFlight);
			await sleep(40);
			inFlight--;
		};
		await Promise.all([a, b].flatMap(s => Array.from({ length: 4 }, () => s.limiter("t", settings).schedule(job))));
		expect(most).toBeLessThanOrEqual(2);

		// Node a takes both slots and "dies" holding them (its broker stops; the calls never end).
		const hungSince: number[] = [];
		for (let i = 0; i < 2; i++) {
			a.limiter("t")
				.schedule(() => {
					hungSince.push(Date.now());
					return new Promise<never>(() => undefined);
				})
				.catch(() => undefined);
		}
		await eventually("node a holding both slots", () => hungSince.length === 2);
		await a.broker.stop();
		brokers.splice(brokers.indexOf(a.broker), 1);
		const startedOnB = await b.limiter("t").schedule(async () => Date.now());
		// Not before the first of the dead node's slots expired, and yet it did run.
		expect(startedOnB).toBeGreaterThanOrEqual(Math.min(...hungSince) + 1000 - 5);
	});

	it("rebuilds a limiter whose keys a script cannot use, instead of failing every call", async () => {
		const a = await node();
		const limiter = a.limiter("t", { maxPerWindow: 5, windowMs: 200 });
		await limiter.schedule(async () => undefined);
		await admin.set(`{${prefix}}:limiter:t:live`, "not a sorted set");
		const t0 = Date.now();
		const started = await limiter.schedule(async () => Date.now());
		// The rebuilt log opens with one window counted as used: history was lost with the keys.
		expect(started).toBeGreaterThanOrEqual(t0 + 200);
		expect(await admin.type(`{${prefix}}:limiter:t:live`)).not.toBe("string");
		expect((await limiter.status()).mode).toBe("shared");
	});

	it("waits one window after Redis lost its data, since calls granted before the loss are unknown", async () => {
		const a = await node();
		const limiter = a.limiter("t", { maxPerWindow: 5, windowMs: 300 });
		await limiter.schedule(async () => undefined);
		await admin.flushall();
		const t0 = Date.now();
		const started = await limiter.schedule(async () => Date.now());
		expect(started).toBeGreaterThanOrEqual(t0 + 300);
	});

	it("leaves a peer cut off from Redis its share, so the two together keep to the limit", async () => {
		const a = await node({}, false, "Fake");
		// Nothing listens on port 1: this node cannot reach Redis and falls back at once.
		const b = await node({ REDIS_URL: "redis://127.0.0.1:1", LIMITER_REDIS_TIMEOUT_MS: "100" }, false, "Fake");
		const seesBoth = (s: LimitedService) => s.broker.registry.getServiceList({ onlyAvailable: true }).filter(x => x.name === "limited").length === 2;
		await eventually("each node seeing the other", () => seesBoth(a) && seesBoth(b));
		const settings = { maxPerWindow: 6, windowMs: 300 };
		const [la, lb] = [a.limiter("t", settings), b.limiter("t", settings)];
		await eventually("b in fallback", async () => (await lb.status()).mode === "fallback");
		// Once a has heard of b's fallback, it keeps b's share (half of 6) free.
		await sleep(300);
		const starts: number[] = [];
		await Promise.all([runMany(la, 18, starts), runMany(lb, 6, starts)]);
		expect(worstWindow(starts, 300)).toBeLessThanOrEqual(6);
		expect((await la.status()).mode).toBe("shared");
		expect((await lb.status()).budget).toBe(3);
	});

	it("falls back to a local share when Redis stops, says so, and shares again when it returns", async () => {
		const a = await node({ LIMITER_REDIS_TIMEOUT_MS: "200" }, true);
		const settings = { maxPerWindow: 5, windowMs: 300 };
		const limiter = a.limiter("t", settings);
		const starts: number[] = [];
		await runMany(limiter, 5, starts);
		await redis.stop();
		try {
			const stoppedAt = Date.now();
			await runMany(limiter, 5, starts);
			expect((await limiter.status()).mode).toBe("fallback");
			expect(limiterReadiness(a.broker)).toMatchObject({ ok: false, detail: expect.stringMatching(/^fallback since/) });
			expect(a.broker.metrics.getMetric(LIMITER_METRICS.fallback)?.get({ limiter: "t" })?.value).toBe(1);
			// Nothing granted locally until a whole window has passed since the fallback began.
			expect(Math.min(...starts.slice(5))).toBeGreaterThanOrEqual(stoppedAt + 300);
			expect(worstWindow(starts, 300)).toBeLessThanOrEqual(5);
		} finally {
			await redis.restart();
		}
		await eventually("shared mode again", async () => (await limiter.status()).mode === "shared", 10000);
		expect(limiterReadiness(a.broker)).toMatchObject({ ok: true });
		expect(a.broker.metrics.getMetric(LIMITER_METRICS.fallback)?.get({ limiter: "t" })?.value).toBe(0);
		await runMany(limiter, 5, starts);
		expect(worstWindow(starts, 300)).toBeLessThanOrEqual(5);
	});
});
