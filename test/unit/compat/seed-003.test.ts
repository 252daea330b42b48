/**
 * Seed 003 (Music Discovery, Django): every request its document gives, replayed through the
 * gateway at the seed's own paths (/api/..., trailing slashes), checking the fields it documents.
 * Difference kept: routes about one user need that user's bearer token (the seed had none).
 */
import type { TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { seedCatalog } from "../recommendations/fixtures";
import { bearerOf, startCompatGateway } from "./helpers";

interface SeedUser {
	id: string;
	username: string;
	email: string;
	profile: { favorite_genres: string[]; favorite_artists: string[]; moods: string[] };
	access_token: string;
}

describe("seed 003 (Music Discovery) through the compatibility routes", () => {
	let gw: TestGateway;
	let user: SeedUser;

	beforeAll(async () => {
		gw = await startCompatGateway();
		await seedCatalog(gw.broker, [
			...Array.from({ length: 6 }, (_, i) => ({ key: `jz${i}`, artist: "Miles Davis", tempo: 90 + i * 5, energy: 0.4, genre: "jazz" })),
			...Array.from({ length: 6 }, (_, i) => ({ key: `bl${i}`, artist: "B.B. King", tempo: 100 + i * 4, energy: 0.5, genre: "blues" })),
			...Array.from({ length: 20 }, (_, i) => ({ key: `dnb${i}`, artist: `Runner ${i % 4}`, tempo: 170 + (i % 5), energy: 0.9, genre: "drum and bass" }))
		]);
	});
	afterAll(() => gw.stop());

	it("Create a Test User: POST /api/users/ with username, email, password and profile", async () => {
		const res = await gw.request<SeedUser>("POST", "/api/users/", {
			body: {
				username: "test_user",
				email: "test@example.com",
				password: "secure123",
				profile: { favorite_genres: ["rock", "jazz"], favorite_artists: ["Miles Davis"], moods: ["energetic"] }
			}
		});
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({
			username: "test_user",
			email: "test@example.com",
			profile: { favorite_genres: ["rock", "jazz"], favorite_artists: ["Miles Davis"], moods: ["energetic"] }
		});
		expect(typeof res.body.id).toBe("string");
		expect(JSON.stringify(res.body)).not.toContain("secure123");
		user = res.body;
	});

	it("GET /api/users/{id}/ and PUT/PATCH /api/users/{id}/ update the preferences", async () => {
		const got = await gw.request<SeedUser>("GET", `/api/users/${user.id}/`, { headers: bearerOf(user) });
		expect(got.status).toBe(200);
		expect(got.body).toMatchObject({ id: user.id, username: "test_user", email: "test@example.com" });

		const put = await gw.request<SeedUser>("PUT", `/api/users/${user.id}/`, {
			headers: bearerOf(user),
			body: { username: "test_user", email: "test@example.com", profile: { favorite_genres: ["jazz", "blues"], favorite_artists: ["Miles Davis"], moods: ["chill"] } }
		});
		expect(put.status).toBe(200);
		expect(put.body.profile).toEqual({ favorite_genres: ["jazz", "blues"], favorite_artists: ["Miles Davis"], moods: ["chill"] });

		const patch = await gw.request<SeedUser>("PATCH", `/api/users/${user.id}/`, { headers: bearerOf(user), body: { profile: { moods: ["energetic"] } } });
		expect(patch.status).toBe(200);
		expect(patch.body.profile).toEqual({ favorite_genres: ["jazz", "blues"], favorite_artists: ["Miles Davis"], moods: ["energetic"] });

		const email = await gw.request("PUT", `/api/users/${user.id}/`, { headers: bearerOf(user), body: { email: "other@example.com" } });
		expect(email.status).toBe(422);
		// Another user's profile stays closed.
		const other = await gw.request<SeedUser>("POST", "/api/users/", { body: { username: "other", email: "other3@example.com", password: "secure123" } });
		expect((await gw.request("PUT", `/api/users/${user.id}/`, { headers: bearerOf(other.body), body: { username: "x" } })).status).toBe(403);
		expect((await gw.request("GET", `/api/users/${user.id}/`, { headers: bearerOf(other.body) })).status).toBe(403);
	});

	it("Trigger Recommendations: POST .../refresh/ with limit, seed_genres and seed_artists, then GET the list", async () => {
		const res = await gw.request<{ task_id: string; status: string }>("POST", `/api/recommendations/user/${user.id}/refresh/`, {
			headers: bearerOf(user),
			body: { limit: 20, seed_genres: ["jazz", "blues"], seed_artists: ["Miles Davis"] }
		});
		expect(res.status).toBe(202);
		expect(res.body.status).toBe("PENDING");
		await eventually("the refresh to succeed", async () => {
			const t = await gw.request<{ status: string }>("GET", `/api/tasks/${res.body.task_id}`, { headers: bearerOf(user) });
			return t.body.status === "SUCCESS";
		});
		const list = await gw.request<{ items: Array<{ genre?: string; artists?: Array<{ name: string }> }>; count: number }>("GET", `/api/recommendations/user/${user.id}/`, {
			headers: bearerOf(user)
		});
		expect(list.status).toBe(200);
		expect(list.body.count).toBeGreaterThan(0);
		expect(list.body.count).toBeLessThanOrEqual(20);
		// The seeds decide: jazz and blues, not the drum and bass that fills most of the catalog.
		const genres = list.body.items.map(t => t.genre);
		expect(genres.filter(g => g === "jazz" || g === "blues").length).toBeGreaterThan(list.body.count / 2);
	});

	it("POST /api/analytics/activity/ records a play; GET /api/analytics/user/{id}/ and /api/analytics/trends/ answer", async () => {
		const tracks = await gw.request<{ items: Array<{ id: string }> }>("GET", "/api/v1/tracks?limit=1");
		const trackId = tracks.body.items[0].id;
		const rec = await gw.request("POST", "/api/analytics/activity/", { headers: bearerOf(user), body: { track_id: trackId, activity_type: "play" } });
		expect(rec.status).toBe(201);
		const mine = await gw.request<{ plays?: number }>("GET", `/api/analytics/user/${user.id}/`, { headers: bearerOf(user) });
		expect(mine.status).toBe(200);
		const trends = await gw.request("GET", "/api/analytics/trends/");
		expect(trends.status).toBe(200);
	});

	it("Get Platform Analytics and the health script: users, recommendations and summary answer 200", async () => {
		const summary = await gw.request("GET", "/api/analytics/summary/");
		expect(summary.status).toBe(200);
		const users = await gw.request<{ items: Array<{ id: string; displayName: string; email?: string }> }>("GET", "/api/users/");
		expect(users.status).toBe(200);
		expect(users.body.items.map(u => u.id)).toContain(user.id);
		expect(users.body.items.every(u => u.email === undefined)).toBe(true);
		// The script asked for user 1; cratedigger's ids are the ones registration answers, and need the user's token.
		const recs = await gw.request("GET", `/api/recommendations/user/${user.id}/`, { headers: bearerOf(user) });
		expect(recs.status).toBe(200);
	});

	it("lists the seed's routes in the OpenAPI document", async () => {
		const doc = await gw.request<{ paths: Record<string, Record<string, unknown>> }>("GET", "/api/openapi.json");
		for (const [method, path] of [
			["post", "/api/users"],
			["get", "/api/users"],
			["get", "/api/users/{id}"],
			["put", "/api/users/{id}"],
			["patch", "/api/users/{id}"],
			["get", "/api/recommendations/user/{id}"],
			["post", "/api/recommendations/user/{id}/refresh"],
			["post", "/api/analytics/activity"],
			["get", "/api/analytics/summary"],
			["get", "/api/analytics/trends"],
			["get", "/api/analytics/user/{id}"]
		]) {
			expect(doc.body.paths[path]?.[method]).toBeDefined();
		}
	});
});
