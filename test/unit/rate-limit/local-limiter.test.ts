import { ServiceBroker, type Service, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig, type Config } from "../../../config";
import { loadLimitConfig } from "../../../config/limits";
import { limiterReadiness, RateLimitMixin, setLimitOverride } from "../../../mixins/rate-limit";
import type { Limiter, LimiterSettings, LimiterStatus, RateLimitMethods } from "../../../mixins/rate-limit/types";
import { worstWindow } from "../../fixtures/limiter-harness";
import { sleep } from "../../harness/ports";

type LimitedService = Service & RateLimitMethods;

function configWith(env: Record<string, string> = {}): Config {
	return { ...testConfig(), ...loadLimitConfig(env) } as Config;
}

async function startNode(opts: { nodeID?: string; transporter?: "Fake"; env?: Record<string, string>; name?: string } = {}): Promise<{ broker: ServiceBroker; service: LimitedService }> {
	const broker = new ServiceBroker({ logger: false, nodeID: opts.nodeID, transporter: opts.transporter ?? null });
	attachConfig(broker, configWith(opts.env));
	const schema: ServiceSchema = { name: opts.name ?? "limited", mixins: [RateLimitMixin] };
	const service = broker.createService(schema) as LimitedService;
	await broker.start();
	return { broker, service };
}


async function runMany(limiter: Limiter, n: number, starts: number[], opts: { weight?: number; priority?: number } = {}): Promise<void> {
	await Promise.all(
		Array.from({ length: n }, () =>
			limiter.schedule(async () => {
				starts.push(Date.now());
			}, opts)
		)
	);
}

describe("rate-limit mixin, local mode", () => {
	const brokers: ServiceBroker[] = [];
	const node = async (opts: Parameters<typeof startNode>[0] = {}) => {
		const n = await startNode(opts);
		brokers.push(n.broker);
		return n;
	};

	afterEach(async () => {
		await Promise.all(brokers.splice(0).map(b => b.stop()));
	});

	it("keeps every rolling window within the limit", async () => {
		const { service } = await node();
		const limiter = service.limiter("t", { maxPerWindow: 5, windowMs: 300 });
		const starts: number[] = [];
		await runMany(limiter, 16, starts);
		expect(starts).toHaveLength(16);
		expect(worstWindow(starts, 300)).toBeLessThanOrEqual(5);
	});

	it("serves the more urgent calls first", async () => {
		const { service } = await node();
		const limiter = service.limiter("t", { maxPerWindow: 1, windowMs: 100 });
		const order: string[] = [];
		const call = (label: string, priority: number) => limiter.schedule(async () => void order.push(label), { priority });
		const all = [call("first", 5), call("a1", 5), call("a2", 5), call("a3", 5)];
		await sleep(20);
		all.push(call("urgent", 0));
		await Promise.all(all);
		// a1 holds a reservation by then; the urgent call jumps the rest of the queue.
		expect(order.indexOf("urgent")).toBeLessThan(order.indexOf("a2"));
	});

	it("counts a call's weight against the window and refuses one that can never fit", async () => {
		const { service } = await node();
		const limiter = service.limiter("t", { maxPerWindow: 4, windowMs: 300 });
		const starts: number[] = [];
		await runMany(limiter, 4, starts, { weight: 2 });
		expect(worstWindow(starts, 300)).toBeLessThanOrEqual(2);
		await expect(limiter.schedule(async () => 1, { weight: 5 })).rejects.toMatchObject({ code: "LIMITER_WEIGHT_TOO_HIGH" });
	});

	it("holds calls during a pause, which later pauses extend and earlier ones never shorten", async () => {
		const { service } = await node();
		const limiter = service.limiter("t", { maxPerWindow: 100, windowMs: 1000 });
		const t0 = Date.now();
		await limiter.pauseUntil(t0 + 300, "test");
		await limiter.pauseUntil(t0 + 100, "shorter: ignored");
		const status = await limiter.status();
		expect(status.pausedUntil).toBeGreaterThanOrEqual(t0 + 299);
		const startedAt = await limiter.schedule(async () => Date.now());
		expect(startedAt).toBeGreaterThanOrEqual(t0 + 299);
		await limiter.rateLimited(200);
		const afterRetry = await limiter.schedule(async () => Date.now());
		expect(afterRetry - startedAt).toBeGreaterThanOrEqual(199);
	});

	it("keeps the number of calls in flight under maxConcurrent", async () => {
		const { service } = await node();
		const limiter = service.limiter("t", { maxPerWindow: 100, windowMs: 1000, maxConcurrent: 2 });
		let inFlight = 0;
		let most = 0;
		await Promise.all(
			Array.from({ length: 6 }, () =>
				limiter.schedule(async () => {
					most = Math.max(most, ++inFlight);
					await sleep(30);
					inFlight--;
				})
			)
		);
		expect(most).toBe(2);
	});

	it("gives up on a call that outlives the job expiration, and frees its slot", async () => {
		const { service } = await node({ env: { LIMITER_JOB_EXPIRATION_MS: "1000" } });
		const limiter = service.limiter("t", { maxPerWindow: 100, windowMs: 1000, maxConcurrent: 1 });
		const hung = limiter.schedule(() => new Promise<never>(() => undefined));
		const next = limiter.schedule(async () => "ran");
		await expect(hung).rejects.toMatchObject({ code: "LIMITER_JOB_EXPIRED" });
		await expect(next).resolves.toBe("ran");
	});

	it("knows the configured upstreams and scraped hosts, and refuses unknown names", async () => {
		const { service } = await node({ env: { DEEZER_RATE: "7" } });
		expect((await service.limiter("deezer").status()).settings).toEqual({ maxPerWindow: 7, windowMs: 5000, maxConcurrent: 10 });
		expect((await service.limiter("spotify").status()).settings.windowMs).toBe(30000);
		expect((await service.hostLimiter("Example.com").status()).settings).toEqual({ maxPerWindow: 1, windowMs: 2000 });
		expect((await service.hostLimiter("example.com", 5).status()).settings).toEqual({ maxPerWindow: 1, windowMs: 5000 });
		expect(() => service.limiter("nobody-configured-this")).toThrow(/no settings/);
	});

	it("reports status through the limiterStatus action and readiness", async () => {
		const { broker, service } = await node();
		service.limiter("t", { maxPerWindow: 3, windowMs: 1000 });
		await service.limiter("t").schedule(async () => undefined);
		const statuses = await broker.call<LimiterStatus[], Record<string, never>>("limited.limiterStatus", {});
		expect(statuses).toEqual([expect.objectContaining({ name: "t", mode: "local", queued: 0, running: 0, recentRatePerSec: 1, usedInWindow: 1, budget: 3 })]);
		expect(limiterReadiness(broker)).toMatchObject({ ok: true });
	});

	it("applies an operator's override from the limits.changed event, and drops it on reset", async () => {
		const { broker, service } = await node();
		const limiter = service.limiter("t", { maxPerWindow: 3, windowMs: 1000 });
		const override: LimiterSettings = { maxPerWindow: 1, windowMs: 250 };
		expect(await setLimitOverride(broker, "t", override)).toEqual({ persisted: false });
		await sleep(10);
		expect(await limiter.status()).toMatchObject({ settings: override, overridden: true });
		const starts: number[] = [];
		await runMany(limiter, 3, starts);
		expect(worstWindow(starts, 250)).toBe(1);
		await setLimitOverride(broker, "t", null);
		await sleep(10);
		expect((await limiter.status()).settings).toEqual({ maxPerWindow: 3, windowMs: 1000 });
	});

	describe("several nodes without Redis", () => {
		it("splits the limit among the nodes running the service, and shares pauses and overrides", async () => {
			const a = await node({ nodeID: "a", transporter: "Fake" });
			const b = await node({ nodeID: "b", transporter: "Fake" });
			// Each node must see the other before it can work out its share.
			const seesBoth = (broker: ServiceBroker) =>
				broker.registry.getServiceList({ onlyAvailable: true }).filter(s => s.name === "limited").length === 2;
			while (!seesBoth(a.broker) || !seesBoth(b.broker)) await sleep(10);
			const settings = { maxPerWindow: 5, windowMs: 300 };
			const la = a.service.limiter("t", settings);
			const lb = b.service.limiter("t", settings);

			const starts: number[] = [];
			await Promise.all([runMany(la, 8, starts), runMany(lb, 8, starts)]);
			expect(worstWindow(starts, 300)).toBeLessThanOrEqual(5);
			const budgets = [(await la.status()).budget, (await lb.status()).budget].sort();
			expect(budgets).toEqual([2, 3]);

			const t0 = Date.now();
			await la.rateLimited(300);
			await sleep(20);
			expect((await lb.status()).pausedUntil).toBeGreaterThanOrEqual(t0 + 250);
			expect(await lb.schedule(async () => Date.now())).toBeGreaterThanOrEqual(t0 + 299);

			await setLimitOverride(a.broker, "t", { maxPerWindow: 2, windowMs: 300 });
			await sleep(20);
			expect((await lb.status()).settings).toEqual({ maxPerWindow: 2, windowMs: 300 });
		});
	});
});
