import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startNode, type NodeProcess } from "../harness/nodes";
import { eventually, freePort } from "../harness/ports";

/** What `npm start` does on a fresh machine: every service, one process, no Redis, NATS or MongoDB. */
describe("one process on embedded defaults", () => {
	let node: NodeProcess;
	let base: string;
	let dataDir: string;

	beforeAll(async () => {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-data-"));
		const port = await freePort();
		base = `http://127.0.0.1:${port}`;
		node = startNode("solo", { PORT: String(port), METRICS_PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "info" });
		await eventually("GET /health", async () => (await fetch(`${base}/health`)).ok, 20000).catch(err => {
			throw new Error(`${(err as Error).message}\n${node.output()}`);
		});
	}, 30000);

	afterAll(async () => {
		if (node.child.exitCode === null) {
			node.kill("SIGKILL");
			await node.exited();
		}
	});

	it("answers GET /health and GET /ready with 200", async () => {
		expect((await fetch(`${base}/health`)).status).toBe(200);
		const ready = await eventually("GET /ready 200", async () => {
			const res = await fetch(`${base}/ready`);
			return res.status === 200 ? ((await res.json()) as { checks: Record<string, { ok: boolean; detail: string }> }) : null;
		});
		expect(ready.checks.store.detail).toMatch(/embedded/);
		expect(ready.checks.transporter.detail).toMatch(/none/);
		expect(ready.checks.redis.detail).toMatch(/not configured/);
	});

	it("keeps its documents under DATA_DIR", () => {
		expect(fs.readdirSync(dataDir)).toContain("store.sqlite");
	});

	it("stops with exit code 0 on SIGINT", async () => {
		node.kill("SIGINT");
		expect(await node.exited()).toBe(0);
	});

	it("refuses a bad configuration with a message naming the variable", async () => {
		const bad = startNode("bad", { REDIS_URL: "localhost:6379" });
		expect(await bad.exited()).toBe(78);
		expect(bad.output()).toMatch(/REDIS_URL must be redis:\/\/host:port/);
	});
});
