/**
 * Recommendations for people who are not running (issue 17): without a cadence the list follows
 * genres, artists and likes at every tempo instead of clustering at the default 170 BPM, and a
 * refresh's seed genres and artists decide its list.
 */
import type { ServiceSchema } from "moleculer";
import ActivityService from "../../../services/activity.service";
import CatalogService from "../../../services/catalog.service";
import type { RecommendationView } from "../../../services/recommendations/model";
import RecommendationsService from "../../../services/recommendations.service";
import TasksService from "../../../services/tasks.service";
import type { TaskView } from "../../../services/tasks/model";
import UsersService from "../../../services/users.service";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { bearer, FAST_HASH, register, seedCatalog, type SeedTrack } from "./fixtures";

/* A techno artist's 18 tracks at 120–135 BPM, other techno and house, and a crowd of drum and bass at 162–176. */
const TRACKS: SeedTrack[] = [
	...Array.from({ length: 18 }, (_, i) => ({ key: `hero${i}`, artist: "Techno Hero", tempo: 120 + (i % 16), energy: 0.35 + (i % 3) * 0.05, valence: 0.5, genre: "techno" })),
	...Array.from({ length: 20 }, (_, i) => ({ key: `tech${i}`, artist: `Techno ${i % 7}`, tempo: 118 + i, energy: 0.3 + (i % 4) * 0.1, valence: 0.55, genre: "techno" })),
	...Array.from({ length: 12 }, (_, i) => ({ key: `house${i}`, artist: `House ${i % 4}`, tempo: 122 + (i % 6), energy: 0.6, genre: "house" })),
	...Array.from({ length: 60 }, (_, i) => ({ key: `dnb${i}`, artist: `DnB ${i % 12}`, tempo: 162 + (i % 15), energy: 0.35, valence: 0.55, genre: "drum and bass" }))
];

describe("recommendations without a cadence", () => {
	let gw: TestGateway;
	const keyOf = new Map<string, string>();

	beforeAll(async () => {
		gw = await startGateway([CatalogService, ActivityService, UsersService, TasksService, RecommendationsService] as ServiceSchema[], FAST_HASH);
		for (const [k, id] of await seedCatalog(gw.broker, TRACKS)) keyOf.set(id, k);
	});
	afterAll(() => gw.stop());

	const recs = async (userId: string, headers: Record<string, string>) =>
		(await gw.request<RecommendationView>("GET", `/api/v1/recommendations/user/${userId}`, { headers })).body;

	it("gives a chill techno fan of one artist techno at its own tempi, led by that artist, not drum and bass at 170", async () => {
		const fan = await register(gw, { genres: ["techno"], artists: ["Techno Hero"], moods: ["chill"] });
		const list = await recs(fan.user.id, bearer(fan));
		expect(list.basis).toMatchObject({ bpmFrom: "taste", targetBpm: null, genres: ["techno"], artists: ["Techno Hero"] });
		expect(list.count).toBeGreaterThan(10);
		const keys = list.items.map(t => keyOf.get(t.id) ?? "");
		// The artist leads, up to the per-artist cap, and the rest is the user's genre.
		expect(keys.slice(0, 3).every(k => k.startsWith("hero"))).toBe(true);
		expect(keys.filter(k => k.startsWith("hero") || k.startsWith("tech")).length).toBeGreaterThan(keys.length * 0.8);
		const near170 = list.items.filter(t => (t.tempo ?? 0) >= 162 && (t.tempo ?? 0) <= 176);
		expect(near170.length).toBeLessThan(list.count / 5);
	});

	it("aims at the tempo of liked tracks when there is one, and keeps the taste", async () => {
		const liker = await register(gw, { genres: ["house"] });
		const liked = [...keyOf].find(([, k]) => k === "house0")?.[0] as string;
		expect((await gw.request("POST", `/api/v1/tracks/${liked}/like`, { headers: bearer(liker) })).status).toBe(200);
		const list = await eventually("a list that knows the like", async () => {
			const l = await recs(liker.user.id, bearer(liker));
			return l.basis.bpmFrom === "liked" ? l : undefined;
		});
		expect(list.basis.targetBpm).toBe(122);
		expect(list.items.slice(0, 5).every(t => keyOf.get(t.id)?.startsWith("house"))).toBe(true);
	});

	it("builds a refresh from seedGenres and seedArtists, and keeps limit tracks", async () => {
		const user = await register(gw, { genres: ["drum and bass"] });
		const res = await gw.request<TaskView>("POST", `/api/v1/recommendations/user/${user.user.id}/refresh`, {
			headers: bearer(user),
			body: { seedGenres: ["house"], seedArtists: ["Techno Hero"], limit: 12 }
		});
		expect(res.status).toBe(202);
		await eventually("the refresh", async () => (await gw.request<TaskView>("GET", `/api/v1/tasks/${res.body.id}`, { headers: bearer(user) })).body.status === "done");
		const list = await recs(user.user.id, bearer(user));
		expect(list.cached).toBe(true);
		expect(list.count).toBe(12);
		expect(list.basis.seeds).toEqual({ genres: ["house"], artists: ["Techno Hero"] });
		const keys = list.items.map(t => keyOf.get(t.id) ?? "");
		expect(keys.every(k => k.startsWith("house") || k.startsWith("hero"))).toBe(true);
		expect((await gw.request("POST", `/api/v1/recommendations/user/${user.user.id}/refresh`, { headers: bearer(user), body: { seedGenres: [] } })).status).toBe(422);
	});
});
