/**
 * Seed 001 (Spotify Insights, FastAPI + Celery): its usage example replayed step by step through
 * the gateway at /api/... (no version), checking the fields it reads: user_id, task_id, Celery's
 * status names, snapshot_id, result.insight_id and content. Difference kept: every step after the
 * registration sends the bearer token the registration answered (the seed had no authentication).
 */
import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import type { SpotifyLinkDoc } from "../../../services/users/model";
import type { TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { BASE_ENV, schemas, seedHistory } from "../insights/helpers";
import { usersCollection } from "../users/helpers";
import { bearerOf, startCompatGateway } from "./helpers";

interface SeedTask {
	task_id: string;
	status: string;
	result: Record<string, unknown> | null;
}

describe("seed 001 (Spotify Insights) through the compatibility routes", () => {
	let gw: TestGateway;
	let user: { user_id: string; access_token: string; display_name: string };
	let auth: { authorization: string };

	beforeAll(async () => {
		gw = await startCompatGateway({ ...BASE_ENV }, [...schemas(), serviceCatalog.users as ServiceSchema]);
	});
	afterAll(() => gw.stop());

	const untilSuccess = (taskId: string) =>
		eventually(`task ${taskId} to succeed`, async () => {
			const res = await gw.request<SeedTask>("GET", `/api/tasks/${taskId}`, { headers: auth });
			expect(["PENDING", "STARTED", "SUCCESS"]).toContain(res.body.status);
			return res.body.status === "SUCCESS" ? res.body : null;
		});

	it("1. Register user: POST /api/users/register {spotify_user_id, display_name} answers user_id", async () => {
		const res = await gw.request<typeof user>("POST", "/api/users/register", { body: { spotify_user_id: "spotify_123", display_name: "Alice" } });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ display_name: "Alice", spotify_user_id: "spotify_123" });
		expect(typeof res.body.user_id).toBe("string");
		user = res.body;
		auth = bearerOf(user);
		// The Spotify user id is one account: registering it again is a conflict.
		expect((await gw.request("POST", "/api/users/register", { body: { spotify_user_id: "spotify_123", display_name: "Mallory" } })).status).toBe(409);
	});

	it("2. Store token: POST /api/tokens/store keeps the tokens sealed, for the user themself only", async () => {
		const body = { user_id: user.user_id, access_token: "BQD...", refresh_token: "AQC...", expires_in: 3600 };
		const res = await gw.request<{ user_id: string; stored: boolean; expires_at: string }>("POST", "/api/tokens/store", { headers: auth, body });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ user_id: user.user_id, stored: true });
		const stored = await usersCollection<SpotifyLinkDoc>(gw.broker, "spotifyLinks").findOne({ _id: user.user_id });
		expect(stored).not.toBeNull();
		expect(JSON.stringify(stored)).not.toContain("AQC...");
		expect(JSON.stringify(res.body)).not.toContain("AQC...");
		const other = await gw.request<typeof user>("POST", "/api/users/register", { body: { spotify_user_id: "spotify_456", display_name: "Bob" } });
		expect((await gw.request("POST", "/api/tokens/store", { headers: bearerOf(other.body), body })).status).toBe(403);
		expect((await gw.request("POST", "/api/tokens/store", { body })).status).toBe(401);
	});

	it("3–5. Ingest (params on the query string), poll the task PENDING → SUCCESS, then list snapshots with snapshot_id", async () => {
		const plays = await seedHistory(gw.broker, user.user_id);
		const res = await gw.request<SeedTask>("POST", `/api/listening/ingest?user_id=${user.user_id}&time_range=medium_term`, { headers: auth });
		expect(res.status).toBe(202);
		expect(res.body.status).toBe("PENDING");
		await untilSuccess(res.body.task_id);
		const snaps = await gw.request<Array<{ snapshot_id: string; user_id: string; period: string; figures: { plays: number } }>>(
			"GET",
			`/api/listening/snapshots?user_id=${user.user_id}`,
			{ headers: auth }
		);
		expect(snaps.status).toBe(200);
		expect(Array.isArray(snaps.body)).toBe(true);
		expect(snaps.body.length).toBeGreaterThan(0);
		expect(snaps.body[0]).toMatchObject({ user_id: user.user_id, snapshot_id: expect.any(String) });
		expect(snaps.body.some(s => s.figures.plays === plays)).toBe(true);
	});

	it("6–7. Generate an insight (wellness, supportive), read result.insight_id from the task, then the insight's content", async () => {
		const snaps = await gw.request<Array<{ snapshot_id: string; figures: { plays: number } }>>("GET", `/api/listening/snapshots?user_id=${user.user_id}`, { headers: auth });
		const snapshotId = snaps.body.find(s => s.figures.plays > 0)?.snapshot_id as string;
		const res = await gw.request<SeedTask>("POST", `/api/insights/generate?snapshot_id=${snapshotId}&insight_type=wellness&tone_mode=supportive`, { headers: auth });
		expect(res.status).toBe(202);
		const task = await untilSuccess(res.body.task_id);
		const insightId = task.result?.insight_id as string;
		expect(typeof insightId).toBe("string");
		const insight = await gw.request<{ insight_id: string; content: unknown; insight_type: string; tone_mode: string }>("GET", `/api/insights/${insightId}`, { headers: auth });
		expect(insight.status).toBe(200);
		expect(insight.body).toMatchObject({ insight_id: insightId, insight_type: "wellness", tone_mode: "supportive" });
		expect(insight.body.content).toBeTruthy();
		const mine = await gw.request<Array<{ insight_id: string }>>("GET", `/api/insights/user/${user.user_id}`, { headers: auth });
		expect(mine.status).toBe(200);
		expect(mine.body.map(i => i.insight_id)).toContain(insightId);
	});

	it("GET /api/tasks lists the user's tasks with Celery's states, filtered by status", async () => {
		const all = await gw.request<SeedTask[]>("GET", "/api/tasks", { headers: auth });
		expect(all.status).toBe(200);
		expect(all.body.length).toBeGreaterThanOrEqual(2);
		expect(all.body.every(t => ["PENDING", "STARTED", "SUCCESS", "FAILURE"].includes(t.status))).toBe(true);
		const done = await gw.request<SeedTask[]>("GET", "/api/tasks?status=SUCCESS", { headers: auth });
		expect(done.body.length).toBe(all.body.filter(t => t.status === "SUCCESS").length);
		expect((await gw.request("GET", "/api/tasks")).status).toBe(401);
		expect((await gw.request("GET", "/api/tasks?status=DONE", { headers: auth })).status).toBe(422);
	});
});
