import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import type { InsightView, SnapshotView } from "../../../services/insights/model";
import type { TaskView } from "../../../services/tasks/model";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { BASE_ENV, schemas, seedHistory } from "./helpers";

const ALICE = { id: "alice-1", role: "user" as const };
const BOB = { id: "bob-2", role: "user" as const };
const ADMIN = { id: "root-0", role: "admin" as const };

interface Accepted {
	taskId: string;
	status: string;
	statusUrl: string;
}

describe("insights over REST: endpoints and privacy (builtin generator, no API key)", () => {
	let gw: TestGateway;

	beforeAll(async () => {
		gw = await startGateway([...schemas(), serviceCatalog.users as ServiceSchema], BASE_ENV);
	});
	afterAll(() => gw.stop());

	async function untilFinished(taskId: string, user = ALICE): Promise<TaskView> {
		return eventually(`task ${taskId}`, async () => {
			const res = await gw.request<TaskView>("GET", `/api/v1/tasks/${taskId}`, { user });
			return res.body.status === "done" || res.body.status === "failed" ? res.body : null;
		});
	}

	async function aliceWeek(): Promise<SnapshotView> {
		const res = await gw.request<{ snapshots: SnapshotView[] }>("GET", "/api/v1/listening/snapshots?period=week", { user: ALICE });
		const week = res.body.snapshots.find(s => s.figures.plays > 0);
		if (!week) throw new Error("Alice has no week snapshot");
		return week;
	}

	it("ingests on request (202 and a task) and lists the user's snapshots", async () => {
		const plays = await seedHistory(gw.broker, ALICE.id);
		const res = await gw.request<Accepted>("POST", "/api/v1/listening/ingest", { user: ALICE, body: {} });
		expect(res.status).toBe(202);
		expect(res.body.statusUrl).toBe(`/api/v1/tasks/${res.body.taskId}`);
		const task = await untilFinished(res.body.taskId);
		expect(task).toMatchObject({ status: "done", kind: "listening.ingest" });
		const days = await gw.request<{ snapshots: SnapshotView[] }>("GET", `/api/v1/listening/snapshots?user_id=${ALICE.id}&period=day`, { user: ALICE });
		expect(days.status).toBe(200);
		expect(days.body.snapshots).toHaveLength(1);
		expect(days.body.snapshots[0].figures.plays).toBe(plays);
		expect(days.body.snapshots[0]).not.toHaveProperty("tally");
		expect((await aliceWeek()).figures.plays).toBe(plays);
	});

	it("lets users read only their own snapshots; admins read any", async () => {
		expect((await gw.request("GET", `/api/v1/listening/snapshots?user_id=${ALICE.id}`)).status).toBe(401);
		expect((await gw.request("GET", `/api/v1/listening/snapshots?user_id=${ALICE.id}`, { user: BOB })).status).toBe(403);
		expect((await gw.request("POST", "/api/v1/listening/ingest", { user: BOB, body: { user_id: ALICE.id } })).status).toBe(403);
		const admin = await gw.request<{ snapshots: SnapshotView[] }>("GET", `/api/v1/listening/snapshots?user_id=${ALICE.id}`, { user: ADMIN });
		expect(admin.status).toBe(200);
		expect(admin.body.snapshots.length).toBeGreaterThan(0);
		expect(admin.body.snapshots.every(s => s.userId === ALICE.id)).toBe(true);
	});

	it("generates an insight (202, task, versioned result) and lets only its owner or an admin read it", async () => {
		const week = await aliceWeek();
		expect((await gw.request("POST", "/api/v1/insights/generate", { user: BOB, body: { snapshot_id: week.id, insight_type: "roast", tone_mode: "playful" } })).status).toBe(403);
		expect((await gw.request("POST", "/api/v1/insights/generate", { user: ALICE, body: { snapshot_id: week.id, insight_type: "poem" } })).status).toBe(422);
		expect((await gw.request("POST", "/api/v1/insights/generate", { user: ALICE, body: { snapshot_id: "nope", insight_type: "roast" } })).status).toBe(404);

		const res = await gw.request<Accepted>("POST", "/api/v1/insights/generate", { user: ALICE, body: { snapshot_id: week.id, insight_type: "roast", tone_mode: "playful" } });
		expect(res.status).toBe(202);
		const task = await untilFinished(res.body.taskId);
		expect(task.status).toBe("done");
		expect((await gw.request("GET", `/api/v1/tasks/${res.body.taskId}`, { user: BOB })).status).toBe(403);
		const { insightId } = task.result as { insightId: string };

		const own = await gw.request<InsightView>("GET", `/api/v1/insights/${insightId}`, { user: ALICE });
		expect(own.status).toBe(200);
		expect(own.body).toMatchObject({ userId: ALICE.id, snapshotId: week.id, insightType: "roast", toneMode: "playful", model: "builtin", version: 1, tokensIn: 0, tokensOut: 0 });
		expect(own.body.content.highlights.length).toBeGreaterThan(0);
		expect((await gw.request("GET", `/api/v1/insights/${insightId}`, { user: BOB })).status).toBe(403);
		expect((await gw.request("GET", `/api/v1/insights/${insightId}`, { user: ADMIN })).status).toBe(200);

		const list = await gw.request<{ insights: InsightView[] }>("GET", `/api/v1/insights/user/${ALICE.id}`, { user: ALICE });
		expect(list.body.insights.map(i => i.id)).toEqual([insightId]);
		expect((await gw.request("GET", `/api/v1/insights/user/${ALICE.id}`, { user: BOB })).status).toBe(403);
		expect((await gw.request("GET", `/api/v1/insights/user/${ALICE.id}`, { user: ADMIN })).status).toBe(200);
	});

	it("DELETE /users/:id/data removes the user's snapshots and insights and reports the counts", async () => {
		expect((await gw.request("DELETE", `/api/v1/users/${ALICE.id}/data`, { user: BOB })).status).toBe(403);
		const res = await gw.request<{ removed: Record<string, Record<string, number>> }>("DELETE", `/api/v1/users/${ALICE.id}/data`, { user: ALICE });
		expect(res.status).toBe(200);
		const removed = res.body.removed.insights;
		expect(removed.snapshots).toBeGreaterThanOrEqual(3); // a day, its week and its month
		expect(removed.insights).toBe(1);
		expect(res.body.removed.activity.events).toBeGreaterThan(0);
		const after = await gw.request<{ snapshots: SnapshotView[] }>("GET", "/api/v1/listening/snapshots", { user: ALICE });
		expect(after.body.snapshots).toEqual([]);
		const insights = await gw.request<{ insights: InsightView[] }>("GET", `/api/v1/insights/user/${ALICE.id}`, { user: ADMIN });
		expect(insights.body.insights).toEqual([]);
	});
});
