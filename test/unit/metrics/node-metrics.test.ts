import { ServiceBroker } from "moleculer";
import { NODE_METRICS } from "../../../mixins/metrics/node";
import { aliasingPrometheus } from "../../../mixins/metrics/prometheus";
import { freePort } from "../../harness/ports";

/** One sample's value on a Prometheus page, by metric name (these metrics have no labels of their own). */
function sample(page: string, name: string): number {
	const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "m").exec(page);
	if (!m) throw new Error(`${name} is not on the page`);
	return Number(m[1]);
}

function burnCpu(seconds: number): void {
	const start = process.cpuUsage();
	for (;;) {
		const used = process.cpuUsage(start);
		if ((used.user + used.system) / 1e6 >= seconds) return;
	}
}

function blockLoop(ms: number): void {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		// The event loop waits meanwhile: that is the lag being measured.
	}
}

const tick = () => new Promise(resolve => setTimeout(resolve, 30));

describe("the node's own health metrics on the Prometheus page", () => {
	let broker: ServiceBroker;
	let url = "";
	const scrape = async () => (await fetch(url)).text();

	beforeAll(async () => {
		const port = await freePort();
		url = `http://127.0.0.1:${port}/metrics`;
		broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [aliasingPrometheus(port, "127.0.0.1")] } });
		await broker.start();
	});
	afterAll(() => broker.stop());

	it("counts this process's CPU seconds, user plus system, as a counter", async () => {
		const before = await scrape();
		expect(before).toContain(`# TYPE ${NODE_METRICS.cpu} counter`);
		burnCpu(0.2);
		const after = await scrape();
		expect(sample(after, NODE_METRICS.cpu) - sample(before, NODE_METRICS.cpu)).toBeGreaterThanOrEqual(0.2);
		expect(sample(after, NODE_METRICS.cpu)).toBeCloseTo(sample(after, NODE_METRICS.cpuUser) + sample(after, NODE_METRICS.cpuSystem), 5);
	});

	it("reports a blocked event loop in the lag figures at the next scrape", async () => {
		await tick();
		blockLoop(300);
		// The monitor records the delay when its timer finally fires, after the block.
		await tick();
		const page = await scrape();
		expect(sample(page, NODE_METRICS.lagMax)).toBeGreaterThanOrEqual(0.25);
		expect(sample(page, NODE_METRICS.lagP99)).toBeLessThanOrEqual(sample(page, NODE_METRICS.lagMax));
	});

	it("reports no pending remote calls on a broker without a transporter", async () => {
		expect(sample(await scrape(), NODE_METRICS.pendingRemote)).toBe(0);
	});
});

describe("pending remote calls", () => {
	it("rise while a call to another node awaits its answer and fall back once it came", async () => {
		const port = await freePort();
		const opts = { logger: false, namespace: "pending-calls", transporter: "Fake" } as const;
		const caller = new ServiceBroker({ ...opts, nodeID: "caller", metrics: { enabled: true, reporter: [aliasingPrometheus(port, "127.0.0.1")] } });
		const callee = new ServiceBroker({ ...opts, nodeID: "callee" });
		const answers: Array<() => void> = [];
		let bothArrived: () => void = () => undefined;
		const handling = new Promise<void>(resolve => (bothArrived = resolve));
		callee.createService({
			name: "slow",
			actions: {
				wait: () =>
					new Promise<string>(resolve => {
						answers.push(() => resolve("done"));
						if (answers.length === 2) bothArrived();
					})
			}
		});
		await Promise.all([caller.start(), callee.start()]);
		try {
			await caller.waitForServices("slow");
			const scrape = async () => sample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), NODE_METRICS.pendingRemote);
			const calls = [caller.call("slow.wait"), caller.call("slow.wait")];
			await handling;
			expect(await scrape()).toBe(2);
			for (const answer of answers) answer();
			await Promise.all(calls);
			expect(await scrape()).toBe(0);
		} finally {
			await Promise.all([caller.stop(), callee.stop()]);
		}
	});
});
