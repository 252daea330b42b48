import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import ActivityService from "../../../services/activity.service";
import { ACTIVITY_EVENTS_METRIC } from "../../../services/activity/metrics";
import type { ActivityEvent, UserSignals } from "../../../services/activity/model";
import CatalogService from "../../../services/catalog.service";

const TRACKS = [
	{ provider: "deezer", id: "1", name: "Strobe", artists: [{ id: "a1", name: "deadmau5" }] },
	{ provider: "deezer", id: "2", name: "Ghosts n Stuff", artists: [{ id: "a1", name: "deadmau5" }, { id: "a2", name: "Rob Swire" }] },
	{ provider: "deezer", id: "3", name: "Enjoy the Silence", artists: [{ id: "a3", name: "Depeche Mode" }] }
];

describe("activity actions other services call", () => {
	const broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
	const heard: ActivityEvent[] = [];
	let ids: string[];
	const call = <T>(action: string, params: object) => broker.call<T, object>(`activity.${action}`, params);
	const record = (params: object) => call<ActivityEvent>("record", params);

	beforeAll(async () => {
		attachConfig(broker, testConfig());
		broker.createService(ActivityService as ServiceSchema);
		broker.createService(CatalogService as ServiceSchema);
		broker.createService({ name: "listener", events: { "activity.recorded": (ctx: { params: ActivityEvent }) => void heard.push(ctx.params) } });
		await broker.start();
		ids = (await broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", { tracks: TRACKS })).map(t => t.id);
	});
	afterAll(() => broker.stop());

	it("records any type, emits activity.recorded and counts it by type", async () => {
		const metric = () => broker.metrics.getMetric(ACTIVITY_EVENTS_METRIC)?.get({ type: "share" })?.value ?? 0;
		const before = metric();
		const event = await record({ userId: "u1", type: "share", trackId: ids[0], context: { source: "story", extra: "dropped" } });
		expect(event).toMatchObject({ userId: "u1", type: "share", trackId: ids[0], context: { source: "story" } });
		expect(event.context).not.toHaveProperty("extra");
		await new Promise(resolve => setImmediate(resolve));
		expect(heard.at(-1)).toEqual(event);
		expect(metric()).toBe(before + 1);
	});

	it("refuses malformed records and times in the future", async () => {
		const bad = [
			{ userId: "u1", type: "scrobble", trackId: ids[0] },
			{ userId: "", type: "play", trackId: ids[0] },
			{ userId: "u1", type: "play", trackId: { $gt: "" } },
			{ userId: "u1", type: "play", trackId: ids[0], at: Date.now() + 3_600_000 },
			{ userId: "u1", type: "play", trackId: ids[0], at: 5 },
			{ userId: "u1", type: "play", trackId: ids[0], msPlayed: Number.NaN }
		];
		for (const params of bad) await expect(record(params)).rejects.toMatchObject({ code: 422 });
	});

	it("lists a user's events in time order, filtered by time and type, up to a limit", async () => {
		const t0 = Date.UTC(2024, 0, 1);
		// Recorded out of order on purpose.
		for (const [offset, type] of [[3, "skip"], [1, "play"], [2, "complete"], [4, "play"]] as const) {
			await record({ userId: "u2", type, trackId: ids[1], at: t0 + offset * 1000, msPlayed: 1000 });
		}
		const all = await call<ActivityEvent[]>("events", { userId: "u2" });
		expect(all.map(e => [e.at - t0, e.type])).toEqual([
			[1000, "play"],
			[2000, "complete"],
			[3000, "skip"],
			[4000, "play"]
		]);
		expect((await call<ActivityEvent[]>("events", { userId: "u2", since: t0 + 2000, until: t0 + 4000 })).map(e => e.type)).toEqual(["complete", "skip"]);
		expect((await call<ActivityEvent[]>("events", { userId: "u2", types: ["play"] })).map(e => e.at - t0)).toEqual([1000, 4000]);
		expect((await call<ActivityEvent[]>("events", { userId: "u2", limit: 2 })).map(e => e.type)).toEqual(["play", "complete"]);
		expect(await call<ActivityEvent[]>("events", { userId: "nobody" })).toEqual([]);
	});

	it("sums up a user's likes, dislikes, skips and liked artists", async () => {
		await record({ userId: "u3", type: "like", trackId: ids[0] });
		await record({ userId: "u3", type: "like", trackId: ids[1] });
		await record({ userId: "u3", type: "dislike", trackId: ids[2] });
		await record({ userId: "u3", type: "skip", trackId: ids[2] });
		await record({ userId: "u3", type: "skip", trackId: ids[2] });
		await record({ userId: "u3", type: "skip", trackId: ids[1] });
		await record({ userId: "u3", type: "like", trackId: "not-in-catalog" });
		await record({ userId: "u3", type: "unlike", trackId: "not-in-catalog" });
		const signals = await call<UserSignals>("userSignals", { userId: "u3" });
		expect(signals.liked.sort()).toEqual([ids[0], ids[1]].sort());
		expect(signals.disliked).toEqual([ids[2]]);
		expect(signals.skipped).toEqual({ [ids[2]]: 2, [ids[1]]: 1 });
		expect(signals.likedArtists).toEqual(["deadmau5", "Rob Swire"]);
		expect(await call("userSignals", { userId: "nobody" })).toEqual({ liked: [], disliked: [], skipped: {}, likedArtists: [] });
	});

	it("keeps like counts right under concurrent toggles and likes", async () => {
		const track = ids[2];
		const users = Array.from({ length: 12 }, (_, i) => `c${i}`);
		// Three likes from each user at once: each user counts once.
		await Promise.all(users.flatMap(userId => [1, 2, 3].map(() => record({ userId, type: "like", trackId: track }))));
		const likes = async () => (await call<Record<string, { likes: number }>>("trackStats", { ids: [track] }))[track].likes;
		expect(await likes()).toBe(12);
		await Promise.all(users.slice(0, 5).flatMap(userId => [1, 2].map(() => record({ userId, type: "unlike", trackId: track }))));
		expect(await likes()).toBe(7);
	});

	it("forgets a user: events, likes and activity, and the track totals drop their likes", async () => {
		await record({ userId: "u4", type: "like", trackId: ids[0] });
		await record({ userId: "u4", type: "dislike", trackId: ids[1] });
		await record({ userId: "u4", type: "play", trackId: ids[0] });
		const likes = async () => (await call<Record<string, { likes: number }>>("trackStats", { ids: [ids[0]] }))[ids[0]].likes;
		const before = await likes();
		expect(await call("forgetUser", { userId: "u4" })).toEqual({ events: 3, likes: 1, dislikes: 1 });
		expect(await likes()).toBe(before - 1);
		expect(await call("events", { userId: "u4" })).toEqual([]);
		expect(await call<string[]>("activeUsers", { since: 0 })).not.toContain("u4");
		expect(await call("forgetUser", { userId: "u4" })).toEqual({ events: 0, likes: 0, dislikes: 0 });
	});
});
