import { ServiceBroker, type Service, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { RateLimitMixin } from "../../../mixins/rate-limit";
import type { RateLimitMethods } from "../../../mixins/rate-limit/types";
import { limitsCommand, limitsReport, resetLimit, setLimit } from "../../../repl/limits.command";

type LimitedService = Service & RateLimitMethods;

describe("the limits REPL command", () => {
	const brokers: ServiceBroker[] = [];

	async function node(nodeID: string): Promise<LimitedService> {
		const broker = new ServiceBroker({ logger: false, nodeID, transporter: "Fake" });
		attachConfig(broker, testConfig());
		const schema: ServiceSchema = { name: "svc", mixins: [RateLimitMixin] };
		const service = broker.createService(schema) as LimitedService;
		await broker.start();
		brokers.push(broker);
		return service;
	}

	afterEach(async () => {
		await Promise.all(brokers.splice(0).map(b => b.stop()));
	});

	it("lists every node's limiters and changes one for the whole cluster", async () => {
		const a = await node("repl-a");
		const b = await node("repl-b");
		const seesBoth = (s: LimitedService) => s.broker.registry.getServiceList({ onlyAvailable: true }).filter(x => x.name === "svc").length === 2;
		while (!seesBoth(a) || !seesBoth(b)) await new Promise(r => setTimeout(r, 10));
		const settings = { maxPerWindow: 6, windowMs: 200 };
		a.limiter("t", settings);
		await b.limiter("t", settings).schedule(async () => undefined);

		const report = await limitsReport(a.broker);
		expect(report).toMatch(/^limiter\s+node\s+mode\s+limit/);
		expect(report).toMatch(/t\s+repl-a \(this\)\s+local\s+6\/200ms/);
		expect(report).toMatch(/t\s+repl-b\s+local\s+6\/200ms\s+3\s+\d\/200ms\s+\d+\s+0\s+0/);

		expect(await setLimit(a.broker, "t", "20/5s", 2)).toBe("t: 20/5s, ≤2 at once on every node (announced to the running nodes; not persisted without Redis)");
		await new Promise(r => setTimeout(r, 20));
		expect((await b.limiter("t").status()).settings).toEqual({ maxPerWindow: 20, windowMs: 5000, maxConcurrent: 2 });
		expect(await limitsReport(a.broker)).toMatch(/repl-b\s+local\s+20\/5s, ≤2 at once \(override\)/);

		await resetLimit(a.broker, "t");
		await new Promise(r => setTimeout(r, 20));
		expect((await b.limiter("t").status()).settings).toEqual(settings);
	});

	it("explains its usage and bad limits instead of throwing", async () => {
		const a = await node("repl-c");
		const lines: string[] = [];
		const log = jest.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
		try {
			await limitsCommand.action(a.broker, { action: "set", name: "deezer", spec: "lots", options: {} } as unknown as string[], {});
			await limitsCommand.action(a.broker, { action: "frobnicate", options: {} } as unknown as string[], {});
			await limitsCommand.action(a.broker, { action: "set", name: "nope", spec: "10/1s", options: {} } as unknown as string[], {});
			await limitsCommand.action(a.broker, { action: "reset", name: "nope", options: {} } as unknown as string[], {});
		} finally {
			log.mockRestore();
		}
		expect(lines[0]).toMatch(/^limits: "lots" is not a limit/);
		expect(lines[1]).toMatch(/^Usage: limits/);
		// A name no node runs and no configuration knows is refused, not stored for nothing.
		expect(lines[2]).toMatch(/^limits: no limiter is named "nope": one of deezer, llm, spotify/);
		expect(lines[3]).toMatch(/^limits: no limiter is named "nope"/);
	});
});
