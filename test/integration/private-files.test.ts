import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startNode, type NodeProcess } from "../harness/nodes";
import { eventually, freePort } from "../harness/ports";

/** Every file under a folder, the folder itself included, with its permission bits. */
function modes(dir: string): Array<{ file: string; mode: number; isDir: boolean }> {
	const out = [{ file: dir, mode: fs.statSync(dir).mode & 0o777, isDir: true }];
	for (const name of fs.readdirSync(dir)) {
		const file = path.join(dir, name);
		const stat = fs.statSync(file);
		if (stat.isDirectory()) out.push(...modes(file));
		else out.push({ file, mode: stat.mode & 0o777, isDir: false });
	}
	return out;
}

/** Issue 20: what a node writes is private to it, and a test-only switch says so loudly. */
describe("a node's own files", () => {
	let node: NodeProcess;
	let dataDir: string;

	beforeAll(async () => {
		// A folder the node has to create itself, as on a fresh machine.
		dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cd-private-")), "data");
		const port = await freePort();
		const base = `http://127.0.0.1:${port}`;
		node = startNode("private", { PORT: String(port), METRICS_PORT: "0", DATA_DIR: dataDir, PASSWORD_HASH_COST: "10", SCRAPER_ALLOW_PRIVATE_ADDRESSES: "true" });
		await eventually("GET /ready 200", async () => (await fetch(`${base}/ready`).catch(() => null))?.status === 200, 30000).catch(err => {
			throw new Error(`${(err as Error).message}\n${node.output()}`);
		});
		// The store writes a user, a refresh token and their indexes (once the gateway has the route).
		const register = () =>
			fetch(`${base}/api/v1/users/register`, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ email: "files@example.com", password: "correct horse battery", displayName: "Files" })
			});
		expect(await eventually("POST /users/register 201", async () => ((await register()).status === 201 ? 201 : null), 20000)).toBe(201);
		node.kill("SIGINT");
		expect(await node.exited()).toBe(0);
	}, 60000);

	afterAll(async () => {
		if (node.child.exitCode === null) {
			node.kill("SIGKILL");
			await node.exited();
		}
	});

	it("are created private: the store's folder 0700, every file the store wrote 0600", () => {
		const all = modes(dataDir);
		expect(all.filter(f => !f.isDir).length).toBeGreaterThan(0);
		expect(all.filter(f => f.mode !== (f.isDir ? 0o700 : 0o600)).map(f => `${f.file} ${f.mode.toString(8)}`)).toEqual([]);
	});

	it("warn loudly at start that SCRAPER_ALLOW_PRIVATE_ADDRESSES is on", () => {
		expect(node.output()).toMatch(/SECURITY: SCRAPER_ALLOW_PRIVATE_ADDRESSES=true/);
	});
});
