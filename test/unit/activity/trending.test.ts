import type { AuthUser } from "../../../services/shared/access";
import { admin, alice, bob, carol, startActivityGateway, type ActivityGateway } from "./fixtures";

interface TrendingItem {
	track: { id: string; name: string };
	score: number;
	plays: number;
	likes: number;
}
interface Trending {
	window: string;
	from: string;
	to: string;
	items: TrendingItem[];
}

const HOUR = 3_600_000;

describe("trending tracks, trends and the platform summary", () => {
	let gw: ActivityGateway;
	let strobe: string, ghosts: string, silence: string, halo: string;

	const post = (path: string, user: AuthUser, body: object = {}) => gw.request("POST", `/api/v1${path}`, { user, body });
	const record = (params: object) => gw.broker.call("activity.record", params);
	const names = async (query: string) => {
		const res = await gw.request<Trending>("GET", `/api/v1/tracks/trending${query}`);
		expect(res.status).toBe(200);
		return res.body.items.map(i => i.track.name);
	};

	beforeAll(async () => {
		gw = await startActivityGateway();
		[strobe, ghosts, silence, halo] = gw.ids;
		// Within the last hour:
		// Strobe: 3 plays (score 3). Ghosts: 1 play and 2 likes (1 + 2*3 = 7).
		// Enjoy the Silence: 4 plays and 4 skips (4 - 4*0.5 = 2). Halo: 1 play, a like taken back, a dislike (0: left out).
		for (const user of [alice, bob, carol]) await post(`/tracks/${strobe}/play`, user);
		await post(`/tracks/${ghosts}/play`, alice);
		await post(`/tracks/${ghosts}/like`, alice);
		await post(`/tracks/${ghosts}/like`, bob);
		for (let i = 0; i < 4; i++) {
			await post(`/tracks/${silence}/play`, carol);
			await post(`/song/${silence}/feedback`, carol, { type: "skip", bpm: 170, positionMs: 15000 });
		}
		await post(`/tracks/${halo}/play`, alice);
		await post(`/tracks/${halo}/like`, alice);
		await post(`/tracks/${halo}/like`, alice);
		await post(`/song/${halo}/feedback`, bob, { type: "dislike" });
		// Older: 10 plays of Halo 3 hours ago, a share of Enjoy the Silence 90 minutes ago.
		const now = Date.now();
		for (let i = 0; i < 10; i++) await record({ userId: "alice", type: "play", trackId: halo, at: now - 3 * HOUR + i });
		await record({ userId: "carol", type: "share", trackId: silence, at: now - 1.5 * HOUR });
		// Plays of a track the catalog does not know (recorded internally, unchecked): never shown.
		for (let i = 0; i < 20; i++) await record({ userId: "dave", type: "play", trackId: "ghost-track" });
	});
	afterAll(() => gw.stop());

	it("orders the window's tracks by weighted plays, likes, shares and skips", async () => {
		expect(await names("?window=1h")).toEqual(["Ghosts n Stuff", "Strobe", "Enjoy the Silence"]);
		const res = await gw.request<Trending>("GET", "/api/v1/tracks/trending?window=1h&limit=2");
		expect(res.body.window).toBe("1h");
		expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(HOUR);
		expect(res.body.items.map(i => [i.track.name, i.score, i.plays, i.likes])).toEqual([
			["Ghosts n Stuff", 7, 1, 2],
			["Strobe", 3, 3, 0]
		]);
	});

	it("counts exactly the events inside the window, whole hours and the partial first hour alike", async () => {
		// The share 90 minutes ago lifts Enjoy the Silence above Strobe in 2h but not in 1h.
		expect(await names("?window=2h")).toEqual(["Ghosts n Stuff", "Enjoy the Silence", "Strobe"]);
		// The plays 3 hours ago put Halo on top of the day.
		expect(await names("?window=24h")).toEqual(["Halo", "Ghosts n Stuff", "Enjoy the Silence", "Strobe"]);
		expect(await names("")).toEqual(await names("?window=24h"));
	});

	it("refuses windows it cannot read", async () => {
		for (const window of ["1w", "0h", "24", "h", "-1h", "1.5h", "91d", "99999d", "%24gt"]) {
			const res = await gw.request("GET", `/api/v1/tracks/trending?window=${window}`);
			expect([window, res.status]).toEqual([window, 422]);
			expect(res.body.error.type).toBe("VALIDATION_ERROR");
		}
		expect((await gw.request("GET", "/api/v1/tracks/trending?limit=0")).status).toBe(422);
		expect((await gw.request("GET", "/api/v1/tracks/trending?limit=1000")).status).toBe(422);
	});

	it("sums trends by artist and genre", async () => {
		const res = await gw.request<{
			tracks: TrendingItem[];
			artists: Array<{ name: string; plays: number; tracks: number }>;
			genres: Array<{ genre: string; score: number }>;
		}>("GET", "/api/v1/analytics/trends?window=1h");
		expect(res.status).toBe(200);
		expect(res.body.tracks.map(t => t.track.name)).toEqual(["Ghosts n Stuff", "Strobe", "Enjoy the Silence"]);
		expect(res.body.artists[0]).toMatchObject({ name: "deadmau5", plays: 4, tracks: 2 });
		expect(res.body.genres.map(g => [g.genre, g.score])).toEqual([
			["progressive house", 10],
			["synthpop", 2]
		]);
	});

	it("gives admins the platform figures of a window", async () => {
		expect((await gw.request("GET", "/api/v1/analytics/summary")).status).toBe(401);
		expect((await gw.request("GET", "/api/v1/analytics/summary", { user: alice })).status).toBe(403);
		const hour = await gw.request<Record<string, unknown>>("GET", "/api/v1/analytics/summary?window=1h", { user: admin });
		expect(hour.status).toBe(200);
		// 9 catalog plays + 20 of the unknown track; likes: Ghosts 2, Halo's like taken back.
		expect(hour.body).toMatchObject({ window: "1h", activeUsers: 4, plays: 29, skips: 4, likes: 2, dislikes: 1, shares: 0, skipRate: 0.138 });
		const day = await gw.request<Record<string, unknown>>("GET", "/api/v1/analytics/summary?window=24h", { user: admin });
		expect(day.body).toMatchObject({ plays: 39, shares: 1, activeUsers: 4 });
	});

	it("lists active users and per-track totals for other services", async () => {
		const since = Date.now() - HOUR;
		expect((await gw.broker.call<string[], object>("activity.activeUsers", { since })).sort()).toEqual(["alice", "bob", "carol", "dave"]);
		expect(await gw.broker.call<string[], object>("activity.activeUsers", { since: Date.now() + HOUR })).toEqual([]);
		const stats = await gw.broker.call<Record<string, object>, object>("activity.trackStats", { ids: [halo, silence, "never"] });
		expect(stats).toEqual({
			[halo]: { plays: 11, likes: 0, skips: 0 },
			[silence]: { plays: 4, likes: 0, skips: 4 },
			never: { plays: 0, likes: 0, skips: 0 }
		});
	});
});
