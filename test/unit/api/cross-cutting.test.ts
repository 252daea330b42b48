import type { ServiceSchema } from "moleculer";
import CatalogService from "../../../services/catalog.service";
import TasksService from "../../../services/tasks.service";
import UsersService from "../../../services/users.service";
import { ConfigError, loadConfig } from "../../../config";
import type { StoreService } from "../../../mixins/store/store.mixin";
import { eventually } from "../../harness/ports";
import { startGateway, type TestGateway } from "../../harness/gateway";

const admin = { id: "root", role: "admin" as const };

interface AliasInfo {
	method: string;
	fullPath: string;
	action: string;
}

describe("the gateway's cross-cutting behaviour", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway(
			[CatalogService as ServiceSchema, TasksService as ServiceSchema, UsersService as ServiceSchema],
			{ API_BODY_LIMIT: "2kb", API_RATE_LIMIT_PER_MIN: "1000", CORS_ORIGINS: "https://app.example.org" },
			{ cacher: "Memory" }
		);
	});
	afterAll(() => gw.stop());

	it("answers 413 for a body above the limit and 400 for malformed JSON, in the error shape", async () => {
		const post = (body: string) => fetch(`${gw.base}/api/v1/users/register`, { method: "POST", headers: { "content-type": "application/json" }, body });
		const big = await post(JSON.stringify({ email: "x".repeat(5000) }));
		expect(big.status).toBe(413);
		expect(await big.json()).toEqual({ error: expect.objectContaining({ status: 413, type: "PAYLOAD_TOO_LARGE" }) });
		const bad = await post("{bad json");
		expect(bad.status).toBe(400);
		expect(await bad.json()).toEqual({ error: expect.objectContaining({ status: 400, type: "INVALID_JSON" }) });
	});

	it("refuses bodies that are not a JSON object, other media types, invalid UTF-8 and operator keys", async () => {
		const post = (body: string | Buffer, type = "application/json") =>
			fetch(`${gw.base}/api/v1/users/register`, { method: "POST", headers: { "content-type": type }, body });
		const shape = async (res: Response) => [res.status, ((await res.json()) as { error: { type: string } }).error.type];
		expect(await shape(await post("[1,2]"))).toEqual([400, "INVALID_BODY"]);
		expect(await shape(await post('"text"'))).toEqual([400, "INVALID_JSON"]);
		expect(await shape(await post("email=a", "application/x-www-form-urlencoded"))).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
		expect(await shape(await post(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xae, 0x22, 0x7d])))).toEqual([400, "INVALID_UTF8"]);
		const operator = await gw.request("POST", "/api/v1/users/register", { body: { email: { $gt: "" }, password: "x", displayName: "y" } });
		expect(operator.status).toBe(422);
		expect(operator.body.error.fields).toEqual([expect.objectContaining({ field: "email", type: "forbiddenKey" })]);
		const query = await gw.request("GET", "/api/v1/tracks?filter[$ne]=1");
		expect(query.body.error.fields).toEqual([expect.objectContaining({ field: "filter" })]);
	});

	it("answers an oversized request line in the error shape, and does not route moleculer-web's alias list", async () => {
		const long = await fetch(`${gw.base}/api/v1/tracks?q=${"x".repeat(20000)}`);
		expect(long.status).toBe(431);
		expect(await long.json()).toEqual({ error: expect.objectContaining({ status: 431, type: "HEADERS_TOO_LARGE" }) });
		expect((await gw.request("GET", "/api/v1/list-aliases")).status).toBe(404);
	});

	it("lists each field at fault in a 422", async () => {
		const res = await gw.request("POST", "/api/v1/users/register", { body: { email: 5 } });
		expect(res.status).toBe(422);
		expect(res.body.error.fields?.map(f => f.field).sort()).toEqual(["displayName", "email", "password"]);
	});

	it("gives every request an id, keeping the client's when it is sane", async () => {
		const own = await fetch(`${gw.base}/api/v1/tracks`, { headers: { "x-request-id": "client-123" } });
		expect(own.headers.get("x-request-id")).toBe("client-123");
		const odd = await fetch(`${gw.base}/api/v1/tracks`, { headers: { "x-request-id": "x".repeat(500) } });
		expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
		const missing = await gw.request("GET", "/api/v1/tracks/nope", { headers: { "x-request-id": "trace-9" } });
		expect(missing.body.error.requestId).toBe("trace-9");
	});

	it("sends both spellings of the rate-limit headers", async () => {
		const res = await fetch(`${gw.base}/api/v1/tracks`);
		expect(res.headers.get("x-ratelimit-limit")).toBe("1000");
		expect(Number(res.headers.get("x-ratelimit-remaining"))).toBeLessThan(1000);
		expect(Number(res.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
	});

	it("answers CORS preflights for the configured origins only", async () => {
		const preflight = (origin: string) =>
			fetch(`${gw.base}/api/v1/tracks`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "GET" } });
		expect((await preflight("https://app.example.org")).headers.get("access-control-allow-origin")).toBe("https://app.example.org");
		expect((await preflight("https://evil.example.com")).headers.get("access-control-allow-origin")).toBeNull();
	});

	it("documents every routed action, at /api/openapi.json and on the /api/docs page", async () => {
		const doc = (await (await fetch(`${gw.base}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string; "x-action": string }>> };
		const api = gw.broker.getLocalService("api") as unknown as { aliases: AliasInfo[] };
		const routed = api.aliases.filter(a => a.fullPath.startsWith("/api/v1/") && a.method !== "*");
		expect(routed.length).toBeGreaterThan(15);
		for (const alias of routed) {
			const path = alias.fullPath.replace(/:(\w+)/g, "{$1}");
			// Operation ids are unique; an action routed on several paths is named by x-action on each.
			expect({ route: `${alias.method} ${path}`, action: doc.paths[path]?.[alias.method.toLowerCase()]?.["x-action"] }).toEqual({
				route: `${alias.method} ${path}`,
				action: alias.action
			});
		}
		const ids = Object.values(doc.paths).flatMap(ops => Object.values(ops).map(op => op.operationId));
		expect(new Set(ids).size).toBe(ids.length);
		const page = await fetch(`${gw.base}/api/docs`);
		expect(page.headers.get("content-type")).toMatch(/text\/html/);
		expect(await page.text()).toContain("/api/openapi.json");
	});

	it("serves catalog reads from the cache until a write invalidates them", async () => {
		const [{ id }] = await gw.broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", {
			tracks: [{ provider: "deezer", id: "c1", name: "Cached Song", artists: [{ id: "x", name: "Cache Band" }] }]
		});
		await eventually("the upsert's invalidation has passed", async () => (await gw.request<{ tempo?: number }>("GET", `/api/v1/tracks/${id}`)).status === 200, 5000);
		await new Promise(resolve => setTimeout(resolve, 1200));
		expect((await gw.request<{ tempo?: number }>("GET", `/api/v1/tracks/${id}`)).body.tempo).toBeUndefined();
		await gw.broker.call("catalog.setFeatures", { items: [{ id, tempo: 128, tempoSource: "deezer" }] });
		await eventually("the cache was cleaned", async () => (await gw.request<{ tempo?: number }>("GET", `/api/v1/tracks/${id}`)).body.tempo === 128, 5000);
		// A change behind the catalog's back is not seen: the answer comes from the cache...
		const catalog = gw.broker.getLocalService("catalog") as unknown as StoreService;
		await catalog.collection("tracks").update({ _id: id }, { $set: { tempo: 99 } });
		expect((await gw.request<{ tempo?: number }>("GET", `/api/v1/tracks/${id}`)).body.tempo).toBe(128);
		// ...until the catalog's invalidation event goes out.
		gw.broker.broadcast("catalog.changed", {});
		await eventually("the cache was cleaned", async () => (await gw.request<{ tempo?: number }>("GET", `/api/v1/tracks/${id}`)).body.tempo === 99, 5000);
	});

	it("admins only may clear caches", async () => {
		expect((await gw.request("POST", "/api/v1/admin/cache/clear", { user: admin })).body).toMatchObject({ cleared: { broker: true } });
	});
});

describe("JWT_SECRET in production", () => {
	it("is required when NODE_ENV=production", () => {
		expect(() => loadConfig({ STORE_IN_MEMORY: "true", NODE_ENV: "production" })).toThrow(ConfigError);
		expect(() => loadConfig({ STORE_IN_MEMORY: "true", NODE_ENV: "production", JWT_SECRET: "s".repeat(32) })).not.toThrow();
	});
});

describe("the per-IP limit", () => {
	it("answers 429 in the error shape with Retry-After once a client is over it", async () => {
		const gw = await startGateway([TasksService as ServiceSchema], { API_RATE_LIMIT_PER_MIN: "3" });
		try {
			const statuses: number[] = [];
			let last: Response | undefined;
			for (let i = 0; i < 5; i++) {
				last = await fetch(`${gw.base}/api/v1/tasks/none`);
				statuses.push(last.status);
			}
			expect(statuses.filter(s => s === 429).length).toBeGreaterThanOrEqual(2);
			expect(last?.status).toBe(429);
			expect(Number(last?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
			expect(Number(last?.headers.get("retry-after"))).toBeLessThanOrEqual(60);
			expect(last?.headers.get("x-ratelimit-remaining")).toBe("0");
			expect(await last?.json()).toEqual({ error: expect.objectContaining({ status: 429, message: expect.any(String) }) });
		} finally {
			await gw.stop();
		}
	});
});
