import type { ServiceSchema } from "moleculer";
import { verifyAccessToken } from "../../../services/users/access-token";
import type { UserProfile } from "../../../services/users/model";
import UsersService, { type SessionView } from "../../../services/users.service";
import { startGateway, TEST_JWT_SECRET, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { bearer, FAST_HASH, PASSWORD, register } from "./helpers";

describe("users: profiles, roles and follows", () => {
	let gw: TestGateway;
	let alice: SessionView;
	let bob: SessionView;
	let admin: SessionView;
	const updated: string[] = [];

	beforeAll(async () => {
		const watcher: ServiceSchema = { name: "watcher", events: { "users.updated": { handler: ctx => void updated.push((ctx.params as { id: string }).id) } } };
		gw = await startGateway([UsersService as ServiceSchema, watcher], { ...FAST_HASH, ADMIN_EMAILS: "root@example.com" });
		alice = await register(gw, { preferences: { genres: ["house"], cadence: 170 } });
		bob = await register(gw);
		admin = await register(gw, { email: "root@example.com" });
	});
	afterAll(() => gw.stop());

	const get = (id: string, session?: SessionView) => gw.request<UserProfile & ErrorBody>("GET", `/api/v1/users/${id}`, { headers: session ? bearer(session) : {} });
	const patch = (id: string, session: SessionView, body: Record<string, unknown>) =>
		gw.request<UserProfile & ErrorBody>("PATCH", `/api/v1/users/${id}`, { headers: bearer(session), body });

	it("shows a profile to the user themself and admins only", async () => {
		expect((await get(alice.user.id)).status).toBe(401);
		expect((await get(alice.user.id, bob)).status).toBe(403);
		const own = await get(alice.user.id, alice);
		expect(own.status).toBe(200);
		expect(own.body).toMatchObject({ id: alice.user.id, email: alice.user.email, preferences: { genres: ["house"], artists: [], moods: [], cadence: 170 } });
		expect(Object.keys(own.body).sort()).toEqual(["createdAt", "displayName", "email", "following", "id", "preferences", "role", "spotify"]);
		expect((await get(alice.user.id, admin)).status).toBe(200);
		expect((await get("no-such-user", admin)).status).toBe(404);
		expect((await get("bad id!", admin)).status).toBe(422);
	});

	it("lets other services read any profile with users.get", async () => {
		const profile = await gw.broker.call<UserProfile, { id: string }>("users.get", { id: bob.user.id });
		expect(profile).toMatchObject({ id: bob.user.id, email: bob.user.email, spotify: { linked: false } });
	});

	it("updates display name and preferences, merging lists by key and clearing the cadence with null", async () => {
		const res = await patch(alice.user.id, alice, { displayName: "Alice R.", preferences: { moods: ["calm", "Calm", "happy"], cadence: null } });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ displayName: "Alice R.", preferences: { genres: ["house"], moods: ["calm", "happy"] } });
		expect(res.body.preferences.cadence).toBeUndefined();
		expect(updated).toContain(alice.user.id);
		expect((await patch(alice.user.id, bob, { displayName: "hacked" })).status).toBe(403);
		expect((await patch(alice.user.id, alice, { email: "new@example.com" })).status).toBe(422);
		expect((await patch(alice.user.id, alice, { preferences: { cadence: 10 } })).status).toBe(422);
	});

	it("lets only admins change roles, and the next refresh carries the new role", async () => {
		const self = await patch(bob.user.id, bob, { role: "admin" });
		expect(self.status).toBe(403);
		const promoted = await patch(bob.user.id, admin, { role: "admin" });
		expect(promoted.status).toBe(200);
		expect(promoted.body.role).toBe("admin");
		const refreshed = await gw.request<SessionView>("POST", "/api/v1/auth/refresh", { body: { refreshToken: bob.refreshToken } });
		expect(verifyAccessToken(refreshed.body.accessToken, TEST_JWT_SECRET)).toEqual({ id: bob.user.id, role: "admin" });
		bob = refreshed.body;
		expect((await patch(bob.user.id, admin, { role: "user" })).body.role).toBe("user");
	});

	it("changes a password only with the current one, and signs every session out", async () => {
		const carol = await register(gw);
		expect((await patch(carol.user.id, carol, { password: "a new passphrase" })).status).toBe(403);
		expect((await patch(carol.user.id, carol, { password: "a new passphrase", currentPassword: "wrong" })).status).toBe(403);
		expect((await patch(carol.user.id, admin, { password: "a new passphrase", currentPassword: PASSWORD })).status).toBe(403);
		expect((await patch(carol.user.id, carol, { password: "a new passphrase", currentPassword: PASSWORD })).status).toBe(200);
		expect((await gw.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: carol.refreshToken } })).status).toBe(401);
		expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: carol.user.email, password: PASSWORD } })).status).toBe(401);
		expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: carol.user.email, password: "a new passphrase" } })).status).toBe(200);
	});

	it("gives admins' stats page its figures", async () => {
		const stats = await gw.broker.call<Record<string, number>>("users.stats");
		expect(stats).toMatchObject({ users: expect.any(Number), admins: 1, spotifyLinked: 0, lockedEmails: 0 });
		expect(stats.users).toBeGreaterThanOrEqual(3);
		expect(stats.liveSessions).toBeGreaterThanOrEqual(3);
	});

	it("follows and unfollows users", async () => {
		const follow = (id: string, session?: SessionView, method = "POST") =>
			gw.request<{ following: string[] } & ErrorBody>(method, `/api/v1/users/${id}/follow`, { headers: session ? bearer(session) : {} });
		expect((await follow(bob.user.id)).status).toBe(401);
		expect((await follow(alice.user.id, alice)).status).toBe(400);
		expect((await follow("ghost", alice)).status).toBe(404);
		expect((await follow(bob.user.id, alice)).body.following).toEqual([bob.user.id]);
		expect((await follow(bob.user.id, alice)).body.following).toEqual([bob.user.id]);
		expect((await follow(admin.user.id, alice)).body.following).toEqual([bob.user.id, admin.user.id]);
		expect((await get(alice.user.id, alice)).body.following).toEqual([bob.user.id, admin.user.id]);
		expect((await follow(bob.user.id, alice, "DELETE")).body.following).toEqual([admin.user.id]);
		expect((await follow(bob.user.id, alice, "DELETE")).body.following).toEqual([admin.user.id]);
	});
});
