import { signAccessToken } from "../../services/users/access-token";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { startNode, type NodeProcess } from "../harness/nodes";
import { eventually, freePort, sleep } from "../harness/ports";
import { startNats, startRedis, type ServerProcess } from "../harness/servers";

const SECRET = "api-cluster-secret-api-cluster-secret-0001";
const admin = { authorization: `Bearer ${signAccessToken({ id: "root", role: "admin" }, SECRET, 900)}` };
const user = { authorization: `Bearer ${signAccessToken({ id: "alice", role: "user" }, SECRET, 900)}` };

/**
 * Two gateways and a data node in separate processes: routes, auth rules and the per-IP limit
 * must hold when the actions live on another node.
 */
describeWithBinaries(["nats-server", "redis-server"], "the REST API across processes", () => {
	let nats: ServerProcess;
	let redis: ServerProcess;
	const nodes: NodeProcess[] = [];
	const gateways: string[] = [];

	beforeAll(async () => {
		nats = await startNats();
		redis = await startRedis();
		const env = {
			NAMESPACE: "api-cluster",
			TRANSPORTER: nats.url,
			REDIS_URL: redis.url,
			LIMITER_ID_PREFIX: "api-cluster",
			JWT_SECRET: SECRET,
			HEARTBEAT_INTERVAL: "1",
			HEARTBEAT_TIMEOUT: "3",
			METRICS_ENABLED: "false",
			STORE_IN_MEMORY: "true",
			API_RATE_LIMIT_PER_MIN: "40"
		};
		nodes.push(startNode("data", { ...env, SERVICES: "catalog,scheduler,tasks,users,activity" }));
		for (const id of ["gw-1", "gw-2"]) {
			const port = await freePort();
			nodes.push(startNode(id, { ...env, SERVICES: "api", PORT: String(port), HOST: "127.0.0.1" }));
			gateways.push(`http://127.0.0.1:${port}`);
		}
		const output = () => nodes.map(n => `--- ${n.nodeID}\n${n.output()}`).join("\n");
		for (const base of gateways) {
			await eventually(`${base} routes the remote catalog`, async () => (await fetch(`${base}/api/v1/tracks`).catch(() => undefined))?.status === 200, 30000).catch(
				err => {
					throw new Error(`${(err as Error).message}\n${output()}`);
				}
			);
		}
	}, 60000);

	afterAll(async () => {
		for (const n of nodes) n.kill("SIGTERM");
		await Promise.all(nodes.map(n => n.exited()));
		await nats?.stop();
		await redis?.stop();
	});

	it("applies a remote action's auth rule on every gateway", async () => {
		for (const base of gateways) {
			expect((await fetch(`${base}/api/v1/crawl/pause`, { method: "POST" })).status).toBe(401);
			expect((await fetch(`${base}/api/v1/crawl/pause`, { method: "POST", headers: user })).status).toBe(403);
			expect((await fetch(`${base}/api/v1/crawl/pause`, { method: "POST", headers: admin })).status).toBe(200);
			expect((await fetch(`${base}/api/v1/crawl/resume`, { method: "POST", headers: admin })).status).toBe(200);
		}
	});

	it("signs in on one gateway and uses the token on the other, against services on a third node", async () => {
		const [gw1, gw2] = gateways;
		const json = { "content-type": "application/json" };
		const credentials = { email: "runner@example.org", password: "a long enough password", displayName: "Runner" };
		const registered = await fetch(`${gw1}/api/v1/users/register`, { method: "POST", headers: json, body: JSON.stringify(credentials) });
		expect(registered.status).toBe(201);
		const login = await fetch(`${gw2}/api/v1/auth/login`, { method: "POST", headers: json, body: JSON.stringify({ email: credentials.email, password: credentials.password }) });
		const session = (await login.json()) as { accessToken: string; user: { id: string } };
		const bearer = { authorization: `Bearer ${session.accessToken}` };
		const profile = await fetch(`${gw1}/api/v1/users/${session.user.id}`, { headers: bearer });
		expect(await profile.json()).toMatchObject({ id: session.user.id, displayName: "Runner" });
		expect((await fetch(`${gw2}/api/v1/users/${session.user.id}`, { headers: user })).status).toBe(403);
		const summary = await fetch(`${gw2}/api/v1/analytics/user/${session.user.id}`, { headers: bearer });
		expect(summary.status).toBe(200);
	});

	it("documents the remote routes in the OpenAPI document", async () => {
		const doc = (await (await fetch(`${gateways[0]}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
		expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/tracks", "/api/v1/tracks/{id}", "/api/v1/crawl/seeds", "/api/v1/tasks/{id}", "/api/v1/users/register", "/api/v1/tracks/trending"]));
	});

	it("counts one client's requests against one limit across both gateways", async () => {
		// Windows are whole clock minutes; start well inside one so the burst cannot straddle two.
		if (Date.now() % 60000 > 50000) await sleep(60000 - (Date.now() % 60000) + 100);
		// Earlier requests used some of this minute's 40; spend the rest, alternating gateways.
		const statuses: number[] = [];
		for (let i = 0; i < 50; i++) statuses.push((await fetch(`${gateways[i % 2]}/api/v1/tracks?limit=1`)).status);
		const ok = statuses.filter(s => s === 200).length;
		expect(statuses.filter(s => s === 429).length).toBeGreaterThan(0);
		// Without sharing, two gateways would let up to 80 through in the window.
		expect(ok).toBeLessThanOrEqual(40);
	}, 30000);
});
