import type { ServiceSchema } from "moleculer";
import TasksService from "../../../services/tasks.service";
import { startGateway, type TestGateway } from "../../harness/gateway";

const alice = { id: "alice", role: "user" as const };
const bob = { id: "bob", role: "user" as const };
const admin = { id: "root", role: "admin" as const };

describe("gateway authentication and authorization", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway([TasksService as ServiceSchema]);
	});
	afterAll(() => gw.stop());

	it("lets the owner read a task and hides it from others", async () => {
		const task = await gw.broker.call<{ id: string }, object>("tasks.create", { kind: "test", ownerId: "alice" });
		expect((await gw.request("GET", `/api/v1/tasks/${task.id}`, { user: alice })).body).toMatchObject({ id: task.id, status: "pending" });
		expect((await gw.request("GET", `/api/v1/tasks/${task.id}`, { user: bob })).status).toBe(403);
		expect((await gw.request("GET", `/api/v1/tasks/${task.id}`, { user: admin })).status).toBe(200);
		expect((await gw.request("GET", `/api/v1/tasks/${task.id}`)).status).toBe(401);
	});

	it("rejects a malformed or forged token with 401 and says why", async () => {
		const bad = await gw.request("GET", "/api/v1/tasks/x", { headers: { authorization: "Bearer nope" } });
		expect(bad.status).toBe(401);
		expect(bad.body.error.type).toBe("INVALID_TOKEN");
		const basic = await gw.request("GET", "/api/v1/tasks/x", { headers: { authorization: "Basic abc" } });
		expect(basic.status).toBe(401);
	});

	it("keeps admin routes for admins", async () => {
		expect((await gw.request("GET", "/api/v1/admin/health")).status).toBe(401);
		expect((await gw.request("GET", "/api/v1/admin/health", { user: alice })).status).toBe(403);
		const ok = await gw.request("GET", "/api/v1/admin/health", { user: admin });
		expect(ok.status).toBe(200);
		expect(ok.body.checks).toBeDefined();
	});

	it("answers 404 for an unknown task and 404 for an unknown route", async () => {
		expect((await gw.request("GET", "/api/v1/tasks/none", { user: admin })).status).toBe(404);
		expect((await gw.request("GET", "/api/v1/nowhere")).status).toBe(404);
	});

	it("reports the per-IP limit in headers", async () => {
		const res = await gw.request("GET", "/api/v1/tasks/none", { user: admin });
		expect(Number(res.headers.get("x-rate-limit-limit"))).toBe(600);
	});
});

describe("OpenAPI document and admin endpoints", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway([TasksService as ServiceSchema]);
	});
	afterAll(() => gw.stop());

	interface OpenApi {
		openapi: string;
		paths: Record<string, Record<string, { security?: unknown[]; parameters?: Array<{ name: string; in: string }>; operationId: string }>>;
	}

	it("lists every routed action with its path parameters and security", async () => {
		const res = await gw.request<OpenApi>("GET", "/api/v1/openapi.json");
		expect(res.status).toBe(200);
		expect(res.body.openapi).toBe("3.1.0");
		const task = res.body.paths["/api/v1/tasks/{id}"].get;
		expect(task.operationId).toBe("tasks.get");
		expect(task.parameters).toEqual([expect.objectContaining({ name: "id", in: "path" })]);
		expect(res.body.paths["/api/v1/admin/health"].get.security).toEqual([{ bearerAuth: [] }]);
	});

	it("gives admins stats and cache clearing, and says which services are offline", async () => {
		const stats = await gw.request<Record<string, unknown>>("GET", "/api/v1/admin/stats", { user: admin });
		expect(stats.status).toBe(200);
		expect(stats.body.catalog).toEqual({ available: false });
		const cleared = await gw.request("POST", "/api/v1/admin/cache/clear", { user: admin });
		expect(cleared.status).toBe(200);
		expect((await gw.request("POST", "/api/v1/admin/cache/clear", { user: alice })).status).toBe(403);
	});
});
