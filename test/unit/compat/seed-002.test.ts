/**
 * Seed 002 (CATCH): its example requests (curl) and key endpoints replayed through the gateway:
 * the core API under /api/v1 and the ML recommendation service at the root. Difference kept: the
 * play, like, follow and recommendation calls need the user's bearer token; the seed's User-ID
 * header alone names nobody (anyone could send it), so it is ignored.
 */
import type { TestGateway } from "../../harness/gateway";
import { seedCatalog } from "../recommendations/fixtures";
import { bearerOf, startCompatGateway } from "./helpers";

interface SeedUser {
	id: string;
	email: string;
	username: string;
	display_name: string;
	access_token: string;
}

describe("seed 002 (CATCH) through the compatibility routes", () => {
	let gw: TestGateway;
	let user: SeedUser;
	let trackId: string;

	beforeAll(async () => {
		gw = await startCompatGateway();
		const ids = await seedCatalog(
			gw.broker,
			Array.from({ length: 12 }, (_, i) => ({ key: `c${i}`, artist: `Artist ${i % 4}`, tempo: 120 + i, energy: 0.6, genre: i % 2 ? "house" : "pop" }))
		);
		trackId = [...ids.values()][0];
	});
	afterAll(() => gw.stop());

	it("Create User: POST /api/v1/users {email, username, display_name, password}", async () => {
		const res = await gw.request<SeedUser>("POST", "/api/v1/users", {
			body: { email: "user@example.com", username: "musiclover", display_name: "Music Lover", password: "secure-password" }
		});
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ email: "user@example.com", display_name: "Music Lover" });
		expect(typeof res.body.id).toBe("string");
		expect(JSON.stringify(res.body)).not.toContain("secure-password");
		user = res.body;
		expect((await gw.request("POST", "/api/v1/users", { body: { email: "user@example.com", username: "again", password: "secure-password" } })).status).toBe(409);
	});

	it("Verify Deployment: GET /api/v1/tracks, GET /api/v1/users and GET /health answer 200", async () => {
		const tracks = await gw.request<{ items: unknown[] }>("GET", "/api/v1/tracks");
		expect(tracks.status).toBe(200);
		expect(tracks.body.items.length).toBeGreaterThan(0);
		const users = await gw.request<{ items: Array<{ id: string }> }>("GET", "/api/v1/users");
		expect(users.status).toBe(200);
		expect(users.body.items.map(u => u.id)).toContain(user.id);
		expect((await gw.request("GET", "/health")).status).toBe(200);
	});

	it("Play Track: POST /api/v1/tracks/{id}/play with the user's token (User-ID alone is refused)", async () => {
		expect((await gw.request("POST", `/api/v1/tracks/${trackId}/play`, { headers: { "User-ID": user.id } })).status).toBe(401);
		const res = await gw.request<{ type: string; trackId: string }>("POST", `/api/v1/tracks/${trackId}/play`, { headers: { "User-ID": user.id, ...bearerOf(user) } });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ type: "play", trackId });
	});

	it("Key endpoints: search, trending, like, get user, login, follow", async () => {
		expect((await gw.request("GET", "/api/v1/tracks/search?q=song")).status).toBe(200);
		expect((await gw.request("GET", "/api/v1/tracks/trending")).status).toBe(200);
		const like = await gw.request<{ liked: boolean }>("POST", `/api/v1/tracks/${trackId}/like`, { headers: bearerOf(user) });
		expect(like.status).toBe(200);
		expect(like.body.liked).toBe(true);
		expect((await gw.request("GET", `/api/v1/users/${user.id}`, { headers: bearerOf(user) })).status).toBe(200);
		const login = await gw.request<{ accessToken: string }>("POST", "/api/v1/auth/login", { body: { email: "user@example.com", password: "secure-password" } });
		expect(login.status).toBe(200);
		const friend = await gw.request<SeedUser>("POST", "/api/v1/users", { body: { email: "friend@example.com", username: "friend", password: "secure-password" } });
		const follow = await gw.request<{ following: string[] }>("POST", `/api/v1/users/${friend.body.id}/follow`, { headers: bearerOf(user) });
		expect(follow.status).toBe(200);
		expect(follow.body.following).toContain(friend.body.id);
	});

	it("Get Recommendations: POST /recommendations {user_id, num_recommendations} at the root", async () => {
		const res = await gw.request<{ user_id: string; recommendations: Array<{ id: string }> }>("POST", "/recommendations", {
			headers: bearerOf(user),
			body: { user_id: user.id, num_recommendations: 5 }
		});
		expect(res.status).toBe(200);
		expect(res.body.user_id).toBe(user.id);
		expect(res.body.recommendations.length).toBeGreaterThan(0);
		expect(res.body.recommendations.length).toBeLessThanOrEqual(5);
		expect((await gw.request("POST", "/recommendations", { body: { user_id: user.id } })).status).toBe(401);
	});

	it("POST /similar-tracks and POST /user-interaction at the root", async () => {
		const similar = await gw.request<{ items: unknown[] }>("POST", "/similar-tracks", { body: { trackId, limit: 3 } });
		expect(similar.status).toBe(200);
		expect(similar.body.items.length).toBeGreaterThan(0);
		const body = { user_id: user.id, track_id: trackId, interaction_type: "skip" };
		const rec = await gw.request<{ status: string; event: { type: string } }>("POST", "/user-interaction", { headers: bearerOf(user), body });
		expect(rec.status).toBe(201);
		expect(rec.body).toMatchObject({ status: "recorded", event: { type: "skip" } });
		const other = await gw.request<SeedUser>("POST", "/api/v1/users", { body: { email: "other2@example.com", username: "o", password: "secure-password" } });
		expect((await gw.request("POST", "/user-interaction", { headers: bearerOf(other.body), body })).status).toBe(403);
	});
});
