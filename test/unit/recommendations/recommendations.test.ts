import type { ServiceSchema } from "moleculer";
import ActivityService from "../../../services/activity.service";
import CatalogService from "../../../services/catalog.service";
import type { RecommendationView } from "../../../services/recommendations/model";
import RecommendationsService from "../../../services/recommendations.service";
import TasksService from "../../../services/tasks.service";
import type { TaskView } from "../../../services/tasks/model";
import UsersService, { type SessionView } from "../../../services/users.service";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { bearer, FAST_HASH, feedback, register, seedCatalog, type SeedTrack } from "./fixtures";

/*
 * Around 170 BPM: five tracks by the runner's favourite artist (drum and bass), a dozen by others
 * in both genres; around 150 BPM a second cluster, for when the cadence changes.
 */
const TRACKS: SeedTrack[] = [
	...Array.from({ length: 5 }, (_, i) => ({ key: `fav${i}`, artist: "Fav Artist", tempo: 169 + i * 0.5, energy: 0.85, genre: "drum and bass" })),
	...Array.from({ length: 12 }, (_, i) => ({ key: `dnb${i}`, artist: `DnB ${i % 6}`, tempo: 168 + i * 0.3, energy: 0.5 + (i % 5) * 0.1, genre: i % 2 ? "drum and bass" : "pop" })),
	...Array.from({ length: 8 }, (_, i) => ({ key: `slow${i}`, artist: `Slow ${i}`, tempo: 149 + i * 0.3, energy: 0.6, genre: "house" }))
];

describe("recommendations", () => {
	let gw: TestGateway;
	let ids: Map<string, string>;
	const keyOf = new Map<string, string>();
	let runner: SessionView;
	let other: SessionView;
	const admin = { id: "root", role: "admin" as const };
	const recs = (userId: string, headers?: Record<string, string>, query = "") =>
		gw.request<RecommendationView & ErrorBody>("GET", `/api/v1/recommendations/user/${userId}${query}`, { headers });

	beforeAll(async () => {
		gw = await startGateway([CatalogService, ActivityService, UsersService, TasksService, RecommendationsService] as ServiceSchema[], FAST_HASH);
		ids = await seedCatalog(gw.broker, TRACKS);
		for (const [k, id] of ids) keyOf.set(id, k);
		runner = await register(gw, { genres: ["Drum and Bass"], artists: ["Fav Artist"], moods: ["energetic"], cadence: 170 });
		other = await register(gw);
	});
	afterAll(() => gw.stop());

	describe("GET /recommendations/user/:id", () => {
		it("blends cadence, favourite artists, genres and moods, best first, then serves the list from cache", async () => {
			const res = await recs(runner.user.id, bearer(runner));
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ userId: runner.user.id, cached: false, basis: { targetBpm: 170, bpmFrom: "cadence", genres: ["Drum and Bass"] } });
			const items = res.body.items;
			const scores = items.map(t => t.score);
			expect(scores).toEqual([...scores].sort((a, b) => b - a));
			// Three of the favourite's tracks at most, and they lead.
			expect(items.slice(0, 3).map(t => t.artists[0])).toEqual(["Fav Artist", "Fav Artist", "Fav Artist"]);
			expect(items.filter(t => t.artists[0] === "Fav Artist")).toHaveLength(3);
			expect(items[0].reasons).toEqual(expect.arrayContaining(["favourite-artist", "genre", "tempo"]));
			expect(items.some(t => keyOf.get(t.id)?.startsWith("slow"))).toBe(false);
			expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.generatedAt)).toBe(3600_000);

			const again = await recs(runner.user.id, bearer(runner), "?limit=2");
			expect(again.body).toMatchObject({ cached: true, count: 2, generatedAt: res.body.generatedAt });
			expect(again.body.items.map(t => t.id)).toEqual(items.slice(0, 2).map(t => t.id));
		});

		it("is the user's own: 401 anonymous, 403 for someone else, 200 for an admin, 404 for an unknown user", async () => {
			expect((await recs(runner.user.id)).status).toBe(401);
			expect((await recs(runner.user.id, bearer(other))).status).toBe(403);
			expect((await recs(runner.user.id, gw.auth(admin))).status).toBe(200);
			expect((await recs("nobody", gw.auth(admin))).status).toBe(404);
			expect((await recs(runner.user.id, bearer(runner), "?limit=500")).status).toBe(422);
		});

		it("recomputes after feedback, leaving out a disliked track", async () => {
			const top = (await recs(runner.user.id, bearer(runner))).body.items[0];
			await feedback(gw, runner, top.id, "dislike");
			const fresh = await eventually("a recomputed list", async () => {
				const res = await recs(runner.user.id, bearer(runner));
				return res.body.cached ? undefined : res.body;
			});
			expect(fresh.items.map(t => t.id)).not.toContain(top.id);
			expect(fresh.basis.excluded).toBe(1);
		});

		it("recomputes after the user changes preferences: a new cadence moves the target tempo", async () => {
			const patch = await gw.request("PATCH", `/api/v1/users/${runner.user.id}`, { headers: bearer(runner), body: { preferences: { cadence: 150 } } });
			expect(patch.status).toBe(200);
			const fresh = await eventually("a list for 150 BPM", async () => {
				const res = await recs(runner.user.id, bearer(runner));
				return res.body.basis.targetBpm === 150 ? res.body : undefined;
			});
			expect(fresh.items.length).toBeGreaterThan(0);
			expect(fresh.items.every(t => keyOf.get(t.id)?.startsWith("slow"))).toBe(true);
		});

		it("without a cadence, aims at the tempo of the tracks the user liked", async () => {
			const liker = await register(gw);
			await feedback(gw, liker, ids.get("slow2") as string, "like");
			const res = await recs(liker.user.id, bearer(liker));
			expect(res.body.basis).toMatchObject({ bpmFrom: "liked", targetBpm: 150 });
		});
	});

	describe("POST /recommendations/user/:id/refresh", () => {
		it("answers 202 with a task the user polls until the new list is done", async () => {
			const res = await gw.request<TaskView & ErrorBody>("POST", `/api/v1/recommendations/user/${runner.user.id}/refresh`, { headers: bearer(runner) });
			expect(res.status).toBe(202);
			expect(res.body).toMatchObject({ kind: "recommendations.refresh" });
			expect(res.headers.get("location")).toBe(`/api/v1/tasks/${res.body.id}`);
			const done = await eventually("the refresh task to finish", async () => {
				const task = await gw.request<TaskView>("GET", `/api/v1/tasks/${res.body.id}`, { headers: bearer(runner) });
				return task.body.status === "done" ? task.body : undefined;
			});
			expect(done.result).toMatchObject({ userId: runner.user.id, count: expect.any(Number) });
			const list = await recs(runner.user.id, bearer(runner));
			expect(list.body.cached).toBe(true);
			expect(list.body.generatedAt).toBe((done.result as { generatedAt: string }).generatedAt);
		});

		it("is refused for someone else's list", async () => {
			expect((await gw.request("POST", `/api/v1/recommendations/user/${runner.user.id}/refresh`, { headers: bearer(other) })).status).toBe(403);
			expect((await gw.request("POST", `/api/v1/recommendations/user/${runner.user.id}/refresh`)).status).toBe(401);
		});

		it("records a failure on the task when the user does not exist", async () => {
			const res = await gw.request<TaskView>("POST", "/api/v1/recommendations/user/ghost/refresh", { headers: gw.auth(admin) });
			expect(res.status).toBe(202);
			const failed = await eventually("the task to fail", async () => {
				const task = await gw.broker.call<TaskView, object>("tasks.get", { id: res.body.id });
				return task.status === "failed" ? task : undefined;
			});
			expect(failed.error).toMatchObject({ type: "NOT_FOUND" });
		});
	});

	describe("internal actions", () => {
		it("clearCache empties every cached list; forgetUser removes one user's", async () => {
			await recs(other.user.id, bearer(other));
			await recs(runner.user.id, bearer(runner));
			expect(await gw.broker.call("recommendations.forgetUser", { userId: other.user.id })).toEqual({ recommendations: 1 });
			expect(await gw.broker.call("recommendations.forgetUser", { userId: other.user.id })).toEqual({ recommendations: 0 });
			const cleared = await gw.broker.call<{ cleared: number }>("recommendations.clearCache");
			expect(cleared.cleared).toBeGreaterThanOrEqual(1);
			expect((await recs(runner.user.id, bearer(runner))).body.cached).toBe(false);
		});
	});

	describe("POST /similar-tracks", () => {
		let similar: TestGateway;
		let sids: Map<string, string>;
		const skey = new Map<string, string>();
		let noTempoId: string;
		beforeAll(async () => {
			similar = await startGateway([CatalogService as ServiceSchema, RecommendationsService as ServiceSchema]);
			sids = await seedCatalog(similar.broker, [
				{ key: "seed", artist: "Seed Artist", tempo: 174, energy: 0.8, musicalKey: 9, mode: 0 },
				{ key: "sameArtist", artist: "Seed Artist", tempo: 174.5, energy: 0.78, musicalKey: 9, mode: 0 },
				{ key: "twin", artist: "Other 1", tempo: 174.2, energy: 0.8, musicalKey: 9, mode: 0 },
				{ key: "relativeKey", artist: "Other 2", tempo: 173.8, energy: 0.82, musicalKey: 0, mode: 1 },
				{ key: "farKey", artist: "Other 3", tempo: 174, energy: 0.8, musicalKey: 3, mode: 1 },
				{ key: "calm", artist: "Other 4", tempo: 174, energy: 0.2, musicalKey: 9, mode: 0 },
				{ key: "faster", artist: "Other 5", tempo: 181, energy: 0.8, musicalKey: 9, mode: 0 },
				{ key: "halfTime", artist: "Other 6", tempo: 87, energy: 0.8, musicalKey: 9, mode: 0 },
				{ key: "unrelated", artist: "Other 7", tempo: 120, energy: 0.8 }
			]);
			for (const [k, id] of sids) skey.set(id, k);
			// A track without a tempo yet, as a seed.
			const [noTempo] = await similar.broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", {
				tracks: [{ provider: "deezer", id: "notempo", name: "No Tempo", artists: [{ name: "X" }] }]
			});
			noTempoId = noTempo.id;
		});
		afterAll(() => similar.stop());

		const post = (body: unknown) =>
			similar.request<{ items: Array<{ id: string; distance: number }>; seed: Record<string, unknown> } & ErrorBody>("POST", "/api/v1/similar-tracks", { body });

		it("orders by tempo, energy, key and artist, nearest first, without the seed", async () => {
			const res = await post({ trackId: sids.get("seed") });
			expect(res.status).toBe(200);
			const order = res.body.items.map(t => skey.get(t.id));
			expect(order).not.toContain("seed");
			expect(order).not.toContain("unrelated");
			expect(order.slice(0, 3)).toEqual(["sameArtist", "twin", "relativeKey"]);
			expect(order.indexOf("farKey")).toBeGreaterThan(order.indexOf("relativeKey"));
			expect(order.indexOf("calm")).toBeGreaterThan(order.indexOf("twin"));
			expect(order.indexOf("faster")).toBeGreaterThan(order.indexOf("twin"));
			expect(order).toContain("halfTime");
			const distances = res.body.items.map(t => t.distance);
			expect(distances).toEqual([...distances].sort((a, b) => a - b));
			expect(res.body.seed).toMatchObject({ tempo: 174, key: 9, mode: 0, trackIds: [sids.get("seed")] });
		});

		it("takes a feature vector instead of a track, and leaves out half time when asked", async () => {
			const res = await post({ features: { tempo: 174, energy: 0.2, key: 9, mode: 0 }, halfDouble: false, limit: 3 });
			expect(res.status).toBe(200);
			expect(res.body.items).toHaveLength(3);
			expect(skey.get(res.body.items[0].id)).toBe("calm");
			const all = await post({ features: { tempo: 174 }, halfDouble: false, limit: 100 });
			expect(all.body.items.map(t => skey.get(t.id))).not.toContain("halfTime");
		});

		it("answers 422 without exactly one seed, 404 for an unknown track and 409 for a track without tempo", async () => {
			expect((await post({})).status).toBe(422);
			expect((await post({ trackId: sids.get("seed"), features: { tempo: 170 } })).status).toBe(422);
			expect((await post({ features: { energy: 0.5 } })).status).toBe(422);
			expect((await post({ trackId: { $gt: "" } })).status).toBe(422);
			expect((await post({ trackIds: [] })).status).toBe(422);
			expect((await post({ trackId: "missing" })).status).toBe(404);
			const res = await post({ trackId: noTempoId });
			expect(res.status).toBe(409);
			expect(res.body.error.type).toBe("NO_TEMPO");
		});
	});
});
