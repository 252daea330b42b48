import type { ServiceBroker } from "moleculer";
import type { NodeInfo } from "../../services/ops.service";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { clientBroker, startNode, type NodeProcess } from "../harness/nodes";
import { eventually, freePort } from "../harness/ports";
import { startNats, type ServerProcess } from "../harness/servers";

const CLUSTER_ENV = { NAMESPACE: "cluster-test", LOG_LEVEL: "info", HEARTBEAT_INTERVAL: "1", HEARTBEAT_TIMEOUT: "3", REQUEST_TIMEOUT: "1500" };

describeWithBinaries(["nats-server"], "three nodes in separate processes over NATS", () => {
	let nats: ServerProcess;
	const nodes: NodeProcess[] = [];
	let client: ServiceBroker;
	const metricsPorts: number[] = [];

	const availableOpsNodes = () =>
		client.registry
			.getNodeList({ onlyAvailable: true, withServices: true })
			.filter(n => n.services?.some(s => s.name === "ops"))
			.map(n => n.id)
			.sort();

	beforeAll(async () => {
		nats = await startNats();
		for (const id of ["node-a", "node-b", "node-c"]) {
			const metricsPort = await freePort();
			metricsPorts.push(metricsPort);
			nodes.push(startNode(id, { ...CLUSTER_ENV, TRANSPORTER: nats.url, SERVICES: "ops", METRICS_PORT: String(metricsPort) }));
		}
		client = clientBroker("test-client", { ...CLUSTER_ENV, TRANSPORTER: nats.url });
		await client.start();
		await eventually("three ops nodes", () => availableOpsNodes().length === 3, 20000).catch(err => {
			throw new Error(`${(err as Error).message}\n${nodes.map(n => `--- ${n.nodeID}\n${n.output()}`).join("\n")}`);
		});
	}, 40000);

	afterAll(async () => {
		await client?.stop();
		for (const n of nodes) n.kill("SIGKILL");
		await Promise.all(nodes.map(n => n.exited()));
		await nats?.stop();
	});

	it("nodes discover each other", async () => {
		for (const id of ["node-a", "node-b", "node-c"]) {
			const info = await client.call<NodeInfo, object>("ops.info", {}, { nodeID: id });
			expect(info.nodeID).toBe(id);
			expect(info.peers).toEqual(expect.arrayContaining(["node-a", "node-b", "node-c"]));
		}
	});

	it("balances calls across the nodes", async () => {
		const seen = new Map<string, number>();
		for (let i = 0; i < 30; i++) {
			const info = await client.call<NodeInfo, object>("ops.info", {});
			seen.set(info.nodeID, (seen.get(info.nodeID) ?? 0) + 1);
		}
		expect([...seen.keys()].sort()).toEqual(["node-a", "node-b", "node-c"]);
		for (const count of seen.values()) expect(count).toBeGreaterThanOrEqual(5);
	});

	it("serves Prometheus metrics on every node", async () => {
		for (const port of metricsPorts) {
			const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
			expect(text).toMatch(/^process_memory_heap_size_used\{/m);
			expect(text).toMatch(/moleculer_request_total\{.*action="ops\.info"/);
		}
	});

	it("goes on serving every call when a node is killed with SIGKILL", async () => {
		const victim = nodes[2];
		victim.kill("SIGKILL");
		expect(await victim.exited()).toBe("SIGKILL");

		// Calls made before the others notice the death are retried on a live node; none fails.
		const answeredBy = new Set<string>();
		for (let i = 0; i < 20; i++) {
			const info = await client.call<NodeInfo, object>("ops.info", {});
			answeredBy.add(info.nodeID);
		}
		expect(answeredBy.has("node-c")).toBe(false);
		expect([...answeredBy].sort()).toEqual(["node-a", "node-b"]);

		await eventually("node-c to leave the registry", () => !availableOpsNodes().includes("node-c"), 10000);
		await eventually("node-a to see node-c gone", async () => {
			const info = await client.call<NodeInfo, object>("ops.info", {}, { nodeID: "node-a" });
			return !info.peers.includes("node-c");
		}, 10000);
	});

	it("stops gracefully on SIGTERM with exit code 0", async () => {
		const node = nodes[1];
		node.kill("SIGTERM");
		expect(await node.exited()).toBe(0);
		expect(node.output()).toMatch(/SIGTERM received: stopping gracefully/);
	});
});
