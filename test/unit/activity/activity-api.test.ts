import type { ActivityEvent } from "../../../services/activity/model";
import type { ErrorBody } from "../../harness/gateway";
import { admin, alice, bob, startActivityGateway, type ActivityGateway } from "./fixtures";

interface LikeAnswer {
	trackId: string;
	liked: boolean;
	likes: number;
}

/** The fields a 422 names, from the gateway's error shape; an unknown key is named as the `actual` of a strict-object error. */
const fieldsOf = (body: ErrorBody) => (body.error.fields ?? []).map(f => f.field || String(f.actual));

describe("activity REST: plays, likes, feedback and analytics events", () => {
	let gw: ActivityGateway;
	let strobe: string;
	let ghosts: string;
	beforeAll(async () => {
		gw = await startActivityGateway();
		[strobe, ghosts] = gw.ids;
	});
	afterAll(() => gw.stop());

	it("asks for a token on every write and on user analytics", async () => {
		const writes: Array<[string, unknown]> = [
			[`/api/v1/tracks/${strobe}/play`, {}],
			[`/api/v1/tracks/${strobe}/like`, {}],
			[`/api/v1/song/${strobe}/feedback`, { type: "skip" }],
			["/api/v1/analytics/activity", { type: "play", trackId: strobe }]
		];
		for (const [path, body] of writes) {
			const res = await gw.request("POST", path, { body });
			expect(res.status).toBe(401);
			expect(res.body.error.type).toBe("UNAUTHORIZED");
		}
		expect((await gw.request("GET", "/api/v1/analytics/user/alice")).status).toBe(401);
		expect((await gw.broker.call<ActivityEvent[], object>("activity.events", { userId: "alice" })).length).toBe(0);
	});

	it("records a play with its listening time and context", async () => {
		const res = await gw.request<ActivityEvent>("POST", `/api/v1/tracks/${strobe}/play`, { user: alice, body: { msPlayed: 95000, bpm: 170, source: "running" } });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ userId: "alice", trackId: strobe, type: "play", msPlayed: 95000, context: { bpm: 170, source: "running" } });
		expect(typeof res.body.at).toBe("number");
		const events = await gw.broker.call<ActivityEvent[], object>("activity.events", { userId: "alice", types: ["play"] });
		expect(events.map(e => e.id)).toEqual([res.body.id]);
	});

	it("toggles a like and answers the track's like count", async () => {
		const like = (user = alice) => gw.request<LikeAnswer>("POST", `/api/v1/tracks/${ghosts}/like`, { user });
		expect((await like()).body).toEqual({ trackId: ghosts, liked: true, likes: 1 });
		expect((await like(bob)).body).toEqual({ trackId: ghosts, liked: true, likes: 2 });
		expect((await like()).body).toEqual({ trackId: ghosts, liked: false, likes: 1 });
		expect((await like()).body).toEqual({ trackId: ghosts, liked: true, likes: 2 });
		const types = (await gw.broker.call<ActivityEvent[], object>("activity.events", { userId: "alice", types: ["like", "unlike"] })).map(e => e.type);
		expect(types).toEqual(["like", "unlike", "like"]);
		const stats = await gw.broker.call<Record<string, { likes: number }>, object>("activity.trackStats", { ids: [ghosts] });
		expect(stats[ghosts].likes).toBe(2);
	});

	it("counts a repeated like from feedback or analytics once, and a dislike takes the like away", async () => {
		const [, , silence] = gw.ids;
		for (let i = 0; i < 3; i++) {
			expect((await gw.request("POST", `/api/v1/song/${silence}/feedback`, { user: bob, body: { type: "like" } })).status).toBe(201);
			expect((await gw.request("POST", "/api/v1/analytics/activity", { user: bob, body: { type: "like", trackId: silence } })).status).toBe(201);
		}
		const stats = () => gw.broker.call<Record<string, { likes: number }>, object>("activity.trackStats", { ids: [silence] });
		expect((await stats())[silence].likes).toBe(1);
		await gw.request("POST", `/api/v1/song/${silence}/feedback`, { user: bob, body: { type: "dislike", bpm: 165, positionMs: 30000 } });
		expect((await stats())[silence].likes).toBe(0);
		const signals = await gw.broker.call<{ liked: string[]; disliked: string[] }, object>("activity.userSignals", { userId: "bob" });
		expect(signals.disliked).toEqual([silence]);
		expect(signals.liked).not.toContain(silence);
		// Liking again from a dislike counts as a like.
		expect((await gw.request<LikeAnswer>("POST", `/api/v1/tracks/${silence}/like`, { user: bob })).body).toMatchObject({ liked: true, likes: 1 });
	});

	it("records feedback with the BPM asked for and the position in the track", async () => {
		const res = await gw.request<ActivityEvent>("POST", `/api/v1/song/${strobe}/feedback`, { user: alice, body: { type: "skip", bpm: 172.5, positionMs: 12000 } });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ type: "skip", trackId: strobe, context: { bpm: 172.5, positionMs: 12000 } });
		const complete = await gw.request<ActivityEvent>("POST", `/api/v1/song/${ghosts}/feedback`, { user: alice, body: { type: "complete", msPlayed: 240000 } });
		expect(complete.body).toMatchObject({ type: "complete", msPlayed: 240000 });
	});

	it("takes analytics events dated up to 7 days back, not older and not in the future", async () => {
		const at = Date.now() - 3 * 86_400_000;
		const ok = await gw.request<ActivityEvent>("POST", "/api/v1/analytics/activity", { user: alice, body: { type: "share", trackId: strobe, at, source: "instagram" } });
		expect(ok.status).toBe(201);
		expect(ok.body).toMatchObject({ type: "share", at, context: { source: "instagram" } });
		for (const bad of [Date.now() - 8 * 86_400_000, Date.now() + 3_600_000]) {
			const res = await gw.request("POST", "/api/v1/analytics/activity", { user: alice, body: { type: "share", trackId: strobe, at: bad } });
			expect(res.status).toBe(422);
			expect(fieldsOf(res.body)).toEqual(["at"]);
		}
	});

	it("answers 422 naming the field for malformed input, before anything is stored", async () => {
		const before = await gw.broker.call<ActivityEvent[], object>("activity.events", { userId: "alice", limit: 10000 });
		const cases: Array<[string, string, unknown, string]> = [
			["POST", `/api/v1/tracks/${strobe}/play`, { msPlayed: "long" }, "msPlayed"],
			["POST", `/api/v1/tracks/${strobe}/play`, { msPlayed: -1 }, "msPlayed"],
			["POST", `/api/v1/tracks/${strobe}/play`, { bpm: 1000 }, "bpm"],
			["POST", `/api/v1/tracks/${strobe}/play`, { volume: 11 }, "volume"],
			["POST", `/api/v1/tracks/${strobe}/play`, { source: { $gt: "" } }, "source"],
			["POST", "/api/v1/tracks/%24gt/play", {}, "id"],
			["POST", "/api/v1/tracks/..%2F..%2Fetc/like", {}, "id"],
			["POST", `/api/v1/song/${strobe}/feedback`, { type: "love" }, "type"],
			["POST", `/api/v1/song/${strobe}/feedback`, {}, "type"],
			["POST", `/api/v1/song/${strobe}/feedback`, { type: "skip", positionMs: 1.5 }, "positionMs"],
			["POST", "/api/v1/analytics/activity", { type: "complete", trackId: strobe }, "type"],
			["POST", "/api/v1/analytics/activity", { type: "play" }, "trackId"],
			["POST", "/api/v1/analytics/activity", { type: "play", trackId: { $ne: null } }, "trackId"],
			["POST", "/api/v1/analytics/activity", { type: "play", trackId: strobe, at: "yesterday" }, "at"]
		];
		for (const [method, path, body, field] of cases) {
			const res = await gw.request(method, path, { user: alice, body });
			expect([path, body, res.status]).toEqual([path, body, 422]);
			expect(res.body.error.type).toBe("VALIDATION_ERROR");
			expect(fieldsOf(res.body)).toContain(field);
		}
		expect(await gw.broker.call("activity.events", { userId: "alice", limit: 10000 })).toEqual(before);
	});

	it("answers 404 for a track the catalog does not know", async () => {
		for (const path of ["/api/v1/tracks/nope/play", "/api/v1/tracks/nope/like", "/api/v1/song/nope/feedback"]) {
			const res = await gw.request("POST", path, { user: alice, body: path.endsWith("feedback") ? { type: "like" } : {} });
			expect(res.status).toBe(404);
			expect(res.body.error.type).toBe("NOT_FOUND");
		}
		expect((await gw.request("POST", "/api/v1/analytics/activity", { user: alice, body: { type: "play", trackId: "nope" } })).status).toBe(404);
	});

	it("shows a user's engagement to themself and admins only", async () => {
		const own = await gw.request<Record<string, unknown>>("GET", "/api/v1/analytics/user/alice?window=7d", { user: alice });
		expect(own.status).toBe(200);
		expect(own.body).toMatchObject({ userId: "alice", window: "7d", plays: 1, skips: 1, completes: 1, shares: 1, likedTracks: 1, skipRate: 1, averageBpm: 171.3 });
		expect(own.body.sources).toEqual({ running: 1, instagram: 1 });
		const top = own.body.topTracks as Array<{ track: { name: string } }>;
		expect(top.map(t => t.track.name)).toEqual(["Ghosts n Stuff", "Strobe"]);
		expect((own.body.topArtists as Array<{ name: string }>)[0].name).toBe("deadmau5");
		expect((await gw.request("GET", "/api/v1/analytics/user/alice", { user: bob })).status).toBe(403);
		expect((await gw.request("GET", "/api/v1/analytics/user/alice", { user: admin })).status).toBe(200);
		expect((await gw.request("GET", "/api/v1/analytics/user/alice?window=2y", { user: alice })).status).toBe(422);
	});
});
