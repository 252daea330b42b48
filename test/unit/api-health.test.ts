import { ServiceBroker, type ServiceSchema } from "moleculer";
import type { ApiSettingsSchema } from "moleculer-web";
import { attachConfig, testConfig } from "../../config";
import ApiService from "../../services/api.service";
import { eventually } from "../harness/ports";

/** A stand-in for a store-owning service: it answers storeHealth as the store mixin does. */
function storeOwner(healthy: boolean): ServiceSchema {
	return {
		name: "fake-owner",
		metadata: { store: true },
		actions: {
			storeHealth: {
				visibility: "public",
				handler() {
					if (!healthy) throw new Error("store unreachable");
					return { ok: true, kind: "embedded", latencyMs: 0 };
				}
			}
		}
	};
}

async function startGateway(healthy: boolean | null): Promise<{ broker: ServiceBroker; base: string }> {
	const broker = new ServiceBroker({ logger: false });
	attachConfig(broker, testConfig({ PORT: "0", HOST: "127.0.0.1" }));
	const api = broker.createService(ApiService as ServiceSchema) as unknown as { server: { address(): { port: number } }; settings: ApiSettingsSchema };
	if (healthy !== null) broker.createService(storeOwner(healthy));
	await broker.start();
	return { broker, base: `http://127.0.0.1:${api.server.address().port}` };
}

describe("gateway health", () => {
	let broker: ServiceBroker | undefined;
	afterEach(async () => {
		await broker?.stop();
		broker = undefined;
	});

	it("GET /health answers 200 with JSON", async () => {
		const gw = await startGateway(true);
		broker = gw.broker;
		const res = await fetch(`${gw.base}/health`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/application\/json/);
		expect(await res.json()).toMatchObject({ status: "ok" });
	});

	it("GET /ready answers 200 when the store answers", async () => {
		const gw = await startGateway(true);
		broker = gw.broker;
		const res = await fetch(`${gw.base}/ready`);
		expect(res.status).toBe(200);
		const body = await res.json();
		expect(body).toMatchObject({ ready: true, checks: { store: { ok: true }, transporter: { ok: true }, redis: { ok: true } } });
	});

	it("GET /ready answers 503 and says why when the store fails", async () => {
		const gw = await startGateway(false);
		broker = gw.broker;
		const res = await fetch(`${gw.base}/ready`);
		expect(res.status).toBe(503);
		const body = (await res.json()) as { ready: boolean; checks: { store: { detail: string } } };
		expect(body.ready).toBe(false);
		expect(body.checks.store.detail).toMatch(/store unreachable/);
	});

	it("GET /ready answers 503 when no store-owning service is online", async () => {
		const gw = await startGateway(null);
		broker = gw.broker;
		const res = await fetch(`${gw.base}/ready`);
		expect(res.status).toBe(503);
	});

	it("unknown paths answer 404 in JSON", async () => {
		const gw = await startGateway(true);
		broker = gw.broker;
		const res = await fetch(`${gw.base}/nope`);
		expect(res.status).toBe(404);
		expect(((await res.json()) as { error: { status: number } }).error.status).toBe(404);
	});
});

describe("readiness while the node starts", () => {
	it("answers 503 until every local service has started", async () => {
		const broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig({ PORT: "0", HOST: "127.0.0.1" }));
		const api = broker.createService(ApiService as ServiceSchema) as unknown as { server: { address(): { port: number } | null } };
		broker.createService(storeOwner(true));
		let finishLoading: () => void = () => undefined;
		const loading = new Promise<void>(resolve => (finishLoading = resolve));
		broker.createService({ name: "slow-loader", started: () => loading });
		const starting = broker.start();
		try {
			await eventually("the gateway listens", () => api.server.address() !== null, 5000);
			const early = await fetch(`http://127.0.0.1:${api.server.address()?.port}/ready`);
			expect(early.status).toBe(503);
			expect(((await early.json()) as { checks: { node: { ok: boolean } } }).checks.node.ok).toBe(false);
			finishLoading();
			await starting;
			expect((await fetch(`http://127.0.0.1:${api.server.address()?.port}/ready`)).status).toBe(200);
		} finally {
			finishLoading();
			await starting;
			await broker.stop();
		}
	});
});
