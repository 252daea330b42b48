import type { Context, ServiceSchema } from "moleculer";
import TasksService from "../../../services/tasks.service";
import type { ForgetReport } from "../../../services/users/forget";
import UsersService, { type SessionView } from "../../../services/users.service";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { bearer, FAST_HASH, PASSWORD, register, usersCollection } from "./helpers";

/** Stands in for a data-owning service: remembers whom it forgot, or fails while `failing` is set. */
function fakeOwner(name: string, forgotten: string[], failing: { on: boolean }): ServiceSchema {
	return {
		name,
		actions: {
			forgetUser: {
				params: { userId: "string" },
				handler(ctx: Context<{ userId: string }>) {
					if (failing.on) throw new Error(`${name} store is down`);
					forgotten.push(`${name}:${ctx.params.userId}`);
					return { [`${name}Docs`]: 2 };
				}
			}
		}
	};
}

describe("users: DELETE /users/:id/data", () => {
	let gw: TestGateway;
	const forgotten: string[] = [];
	const insightsDown = { on: false };
	const up = { on: false };
	let admin: SessionView;

	beforeAll(async () => {
		const fakes = ["activity", "playlists", "recommendations", "scraper"].map(n => fakeOwner(n, forgotten, up));
		gw = await startGateway([UsersService as ServiceSchema, TasksService as ServiceSchema, fakeOwner("insights", forgotten, insightsDown), ...fakes], {
			...FAST_HASH,
			ADMIN_EMAILS: "admin@example.com"
		});
		admin = await register(gw, { email: "admin@example.com" });
	});
	afterAll(() => gw.stop());

	const forget = (id: string, session?: SessionView, query = "") =>
		gw.request<ForgetReport & ErrorBody>("DELETE", `/api/v1/users/${id}/data${query}`, { headers: session ? bearer(session) : {} });

	it("removes the user's data in every service and reports counts per service; the account stays", async () => {
		const s = await register(gw);
		await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } });
		await gw.broker.call("tasks.create", { kind: "test", ownerId: s.user.id });
		await gw.broker.call("tasks.create", { kind: "test", ownerId: admin.user.id });

		const other = await register(gw);
		expect((await forget(s.user.id)).status).toBe(401);
		expect((await forget(s.user.id, other)).status).toBe(403);

		const res = await forget(s.user.id, s);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			userId: s.user.id,
			removed: {
				activity: { activityDocs: 2 },
				insights: { insightsDocs: 2 },
				playlists: { playlistsDocs: 2 },
				recommendations: { recommendationsDocs: 2 },
				scraper: { scraperDocs: 2 },
				tasks: { tasks: 1 },
				users: { refreshTokens: 2, spotifyLinks: 0, spotifyPending: 0 }
			},
			skipped: [],
			failed: {},
			complete: true,
			accountDeleted: false
		});
		expect(forgotten).toContain(`insights:${s.user.id}`);
		expect(await gw.broker.call("tasks.forgetUser", { userId: admin.user.id })).toEqual({ tasks: 1 });
		// Signed out everywhere, but the account remains and can sign in again.
		expect((await gw.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: s.refreshToken } })).status).toBe(401);
		expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } })).status).toBe(200);
	});

	it("reports a failing service and keeps the account until every service has answered", async () => {
		const s = await register(gw);
		const fan = await register(gw);
		await gw.request("POST", `/api/v1/users/${s.user.id}/follow`, { headers: bearer(fan) });

		insightsDown.on = true;
		const partial = await forget(s.user.id, admin, "?account=true");
		expect(partial.status).toBe(200);
		expect(partial.body).toMatchObject({ complete: false, accountDeleted: false, skipped: [] });
		expect(partial.body.failed.insights).toContain("insights store is down");
		expect(await usersCollection(gw.broker, "users").count({ _id: s.user.id })).toBe(1);

		insightsDown.on = false;
		const done = await forget(s.user.id, admin, "?account=true");
		expect(done.body).toMatchObject({ complete: true, accountDeleted: true });
		expect(done.body.removed.users).toMatchObject({ account: 1, followedBy: 1 });
		expect(await usersCollection(gw.broker, "users").count({ _id: s.user.id })).toBe(0);
		expect((await gw.request<{ following: string[] }>("GET", `/api/v1/users/${fan.user.id}`, { headers: bearer(fan) })).body.following).toEqual([]);
		expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } })).status).toBe(401);
		// Repeating it is harmless: nothing left to remove.
		expect((await forget(s.user.id, admin)).body.removed.users).toEqual({ refreshTokens: 0, spotifyLinks: 0, spotifyPending: 0 });
	});

	it("skips services that are not running and says the deletion is incomplete", async () => {
		const s = await register(gw);
		await gw.broker.destroyService("scraper");
		const res = await forget(s.user.id, s, "?account=true");
		expect(res.body).toMatchObject({ skipped: ["scraper"], complete: false, accountDeleted: false });
		expect(res.body.removed.scraper).toBeUndefined();
		expect((await forget(s.user.id, s, "?account=maybe")).status).toBe(422);
	});
});
