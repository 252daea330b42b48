import type { ServiceBroker } from "moleculer";
import type { LimiterStatus } from "../../mixins/rate-limit/types";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { clientBroker } from "../harness/nodes";
import { eventually, sleep } from "../harness/ports";
import { startNats, startRedis, type ServerProcess } from "../harness/servers";
import { startCountingUpstream, worstWindow, type CountingUpstream, type Hit, type PausedReport, type WorkerProcess, startLimiterWorker } from "../fixtures/limiter-harness";

const R = 10;
const WINDOW_MS = 1000;
const CLUSTER_ENV = { NAMESPACE: "limiter-test", HEARTBEAT_INTERVAL: "1", HEARTBEAT_TIMEOUT: "3", REQUEST_TIMEOUT: "2000" };
const IDS = ["lim-a", "lim-b", "lim-c"];

/*
 * Three worker processes share one limiter of R calls per second, through a real redis-server,
 * and find each other through a real nats-server. Every request they make lands on a counting
 * upstream in this process, which is what the assertions read.
 */
describeWithBinaries(["redis-server", "nats-server"], "one rate limit for a cluster of three processes", () => {
	let redis: ServerProcess;
	let nats: ServerProcess;
	let upstream: CountingUpstream;
	let client: ServiceBroker;
	const workers: WorkerProcess[] = [];

	const hitsSince = (t: number): Hit[] => upstream.hits.filter(h => h.at >= t);
	const statusOf = (nodeID: string) =>
		client.call<LimiterStatus[], Record<string, never>>("limiter-test.limiterStatus", {}, { nodeID, timeout: 1500, retries: 0 }).then(s => s.find(l => l.name === "test"));
	const live = () => workers.filter(w => w.child.exitCode === null && w.child.signalCode === null);
	const dump = () => workers.map(w => `--- ${w.nodeID}\n${w.output()}`).join("\n");

	/** Asserts the limit on arrivals at the upstream and on the workers' own start times. */
	function expectWithinLimit(hits: Hit[]): void {
		expect(worstWindow(hits.map(h => h.at), WINDOW_MS)).toBeLessThanOrEqual(R);
		expect(worstWindow(hits.map(h => h.startedAt), WINDOW_MS)).toBeLessThanOrEqual(R);
	}

	/** Arms a 429, waits for the worker that got it to report its pause, and returns that report. */
	async function rateLimitOnce(): Promise<PausedReport> {
		const hit = await upstream.armRateLimit(2);
		const worker = workers.find(w => w.nodeID === hit.node);
		if (!worker) throw new Error(`429 went to unknown node ${hit.node}`);
		return eventually(`${worker.nodeID} to report its pause`, () => worker.reports().at(-1), 5000);
	}

	beforeAll(async () => {
		[redis, nats, upstream] = await Promise.all([startRedis(), startNats(), startCountingUpstream()]);
		const env = {
			...CLUSTER_ENV,
			TRANSPORTER: nats.url,
			REDIS_URL: redis.url,
			LIMIT_UPSTREAM: upstream.url,
			LIMIT_R: String(R),
			LIMIT_WINDOW_MS: String(WINDOW_MS),
			LIMIT_LOOPS: "4",
			LIMITER_REDIS_TIMEOUT_MS: "300",
			LIMITER_HEALTH_INTERVAL_MS: "250"
		};
		for (const id of IDS) workers.push(startLimiterWorker(id, env));
		client = clientBroker("limiter-test-client", { ...CLUSTER_ENV, TRANSPORTER: nats.url });
		await client.start();
		await eventually("every worker calling the upstream", () => IDS.every(id => upstream.hits.some(h => h.node === id)), 20000).catch(err => {
			throw new Error(`${(err as Error).message}\n${dump()}`);
		});
		await eventually("every worker in the registry", () => IDS.every(id => client.registry.getNodeList({ onlyAvailable: true, withServices: false }).some(n => n.id === id)), 10000);
	}, 40000);

	afterAll(async () => {
		await client?.stop();
		for (const w of workers) w.kill("SIGKILL");
		await Promise.all(workers.map(w => w.exited()));
		await Promise.all([redis?.stop(), nats?.stop(), upstream?.close()]);
	});

	it("never lets the cluster exceed R calls in any rolling window", async () => {
		const t0 = upstream.hits[0].at;
		await sleep(3500);
		const hits = hitsSince(t0);
		expectWithinLimit(hits);
		for (const id of IDS) expect(hits.some(h => h.node === id)).toBe(true);
		for (const id of IDS) expect(await statusOf(id)).toMatchObject({ mode: "shared", settings: { maxPerWindow: R, windowMs: WINDOW_MS } });
	});

	it("stops every node's calls for Retry-After when one node sees a 429", async () => {
		const report = await rateLimitOnce();
		expect(report.until - report.at).toBeGreaterThan(1900);
		await eventually("calls to resume after the pause", () => hitsSince(report.until).length >= 3, 10000);
		// Calls already on their way when the pause was stored may land; none starts after that.
		const during = upstream.hits.filter(h => h.startedAt > report.at + 5 && h.startedAt < report.until - 5);
		expect(during).toEqual([]);
		expectWithinLimit(hitsSince(report.at - 2000));
	});

	it("keeps to the limit through a Redis outage, without crashing, and shares it again afterwards", async () => {
		const t0 = Date.now();
		await redis.stop();
		try {
			await eventually("every node in fallback", async () => (await Promise.all(IDS.map(statusOf))).every(s => s?.mode === "fallback"), 10000);
			// Each node keeps to its share, and the shares add up to R.
			await eventually("every node working out its share", async () => {
				const budgets = (await Promise.all(IDS.map(statusOf))).map(s => s?.budget ?? 0);
				return budgets.reduce((a, b) => a + b, 0) === R;
			}, 10000);
			await sleep(1500);
		} finally {
			await redis.restart();
		}
		await eventually("every node shared again", async () => (await Promise.all(IDS.map(statusOf))).every(s => s?.mode === "shared"), 10000);
		await sleep(1500);
		expect(live()).toHaveLength(3);
		const hits = upstream.hits.filter(h => h.at >= t0);
		expectWithinLimit(hits);
		for (const id of IDS) expect(hits.some(h => h.node === id)).toBe(true);
	});

	it("holds the pause on the other nodes when the node that saw the 429 is killed straight away", async () => {
		// Kill the worker synchronously on its report, before it gets to do anything else.
		for (const w of workers) w.onReport(() => w.kill("SIGKILL"));
		const report = await rateLimitOnce();
		const victim = workers.find(w => w.nodeID === report.node) as WorkerProcess;
		expect(await victim.exited()).toBe("SIGKILL");
		const others = IDS.filter(id => id !== report.node);
		await eventually("the other nodes to resume after the pause", () => others.every(id => hitsSince(report.until).some(h => h.node === id)), 10000);
		const during = upstream.hits.filter(h => h.startedAt > report.at + 5 && h.startedAt < report.until - 5);
		expect(during).toEqual([]);
		expectWithinLimit(hitsSince(report.at - 2000));
	});

	it("kept the limit over the whole run", () => {
		expectWithinLimit(upstream.hits);
	});
});
