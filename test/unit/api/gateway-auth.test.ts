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
