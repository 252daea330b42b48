import type { ServiceSchema } from "moleculer";
import ActivityService from "../../../services/activity.service";
import CatalogService from "../../../services/catalog.service";
import RecommendationsService from "../../../services/recommendations.service";
import UsersService from "../../../services/users.service";
import type { SessionView } from "../../../services/users.service";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { bearer, FAST_HASH, feedback, register, seedCatalog, type SeedTrack, type SongsBody } from "./fixtures";

const ARTISTS = ["Artist A", "Artist B", "Artist C", "Artist D", "Artist E", "Artist F", "Artist G", "Artist H"];
const GENRES = ["drum and bass", "house"];

/** 40 tracks between 168 and 171.9 BPM, 10 half-time ones around 85, 10 far away at 120. */
const TRACKS: SeedTrack[] = [
	...Array.from({ length: 40 }, (_, i) => ({
		key: `in${i}`,
		artist: ARTISTS[i % 8],
		tempo: Math.round((168 + i * 0.1) * 10) / 10,
		energy: 0.3 + (i % 7) * 0.1,
		genre: GENRES[i % 2]
	})),
	...Array.from({ length: 10 }, (_, i) => ({ key: `half${i}`, artist: "Slow I", tempo: Math.round((84.5 + i * 0.2) * 10) / 10, energy: 0.5 })),
	...Array.from({ length: 10 }, (_, i) => ({ key: `far${i}`, artist: "Far J", tempo: 120 + i * 0.1, energy: 0.9 })),
	// Measured at half time, the right reading kept as its alternative.
	{ key: "octave0", artist: "Octave K", tempo: 64.44, tempoAlt: 128.88, energy: 0.8 }
];

describe("GET /api/v1/songs/bpm/:bpm", () => {
	let gw: TestGateway;
	let ids: Map<string, string>;
	const keyOf = new Map<string, string>();
	const keys = (items: Array<{ id: string }>) => items.map(t => keyOf.get(t.id) ?? t.id);
	const songs = (query: string, headers?: Record<string, string>) => gw.request<SongsBody & ErrorBody>("GET", `/api/v1/songs/bpm/${query}`, { headers });

	beforeAll(async () => {
		gw = await startGateway([CatalogService, ActivityService, UsersService, RecommendationsService] as ServiceSchema[], FAST_HASH);
		ids = await seedCatalog(gw.broker, TRACKS);
		for (const [k, id] of ids) keyOf.set(id, k);
	});
	afterAll(() => gw.stop());

	it("lists the tracks within the tolerance in tempo order, as the public track shape", async () => {
		const res = await songs("170?tolerance=2&limit=10");
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ bpm: 170, tolerance: 2, halfDouble: false, personalized: false, count: 10 });
		expect(keys(res.body.items)).toEqual(Array.from({ length: 10 }, (_, i) => `in${i}`));
		expect(res.body.items[0]).toMatchObject({ name: "Song in0", artists: ["Artist A"], tempo: 168, genre: "drum and bass" });
		expect(res.body.items[0]).not.toHaveProperty("featuresStatus");
		expect(typeof res.body.nextCursor).toBe("string");
	});

	it("pages through every matching track once with the cursor, and the last page has no cursor", async () => {
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const res: { status: number; body: SongsBody } = await songs(`170?tolerance=2&limit=7${cursor ? `&cursor=${cursor}` : ""}`);
			expect(res.status).toBe(200);
			seen.push(...keys(res.body.items));
			cursor = res.body.nextCursor;
			pages++;
		} while (cursor && pages < 20);
		expect(pages).toBe(6);
		expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => `in${i}`));
	});

	it("keeps pages stable when tracks are added before and after the cursor meanwhile", async () => {
		const first = await songs("169?tolerance=1&limit=5");
		// 169 ± 1 is 168..170: in0 to in20.
		expect(keys(first.body.items)).toEqual(["in0", "in1", "in2", "in3", "in4"]);
		const added = await seedCatalog(gw.broker, [
			{ key: "early1", artist: "New K", tempo: 168.05 },
			{ key: "early2", artist: "New K", tempo: 168.15 },
			{ key: "early3", artist: "New K", tempo: 168.25 },
			{ key: "late1", artist: "New K", tempo: 169.95 }
		]);
		for (const [k, id] of added) keyOf.set(id, k);
		const seen = keys(first.body.items);
		let cursor = first.body.nextCursor;
		while (cursor) {
			const res = await songs(`169?tolerance=1&limit=5&cursor=${cursor}`);
			seen.push(...keys(res.body.items));
			cursor = res.body.nextCursor;
		}
		// The early ones sort before the cursor and are not handed out; the late one is, in its place.
		const expected = Array.from({ length: 21 }, (_, i) => `in${i}`);
		expected.splice(expected.indexOf("in20"), 0, "late1");
		expect(seen).toEqual(expected);
		expect(new Set(seen).size).toBe(seen.length);
	});

	it("serves anonymous pages from kept bytes until the catalog changes", async () => {
		const url = "150?tolerance=1&limit=50";
		const before = await songs(url);
		expect((await songs(url)).body).toEqual(before.body);
		const added = await seedCatalog(gw.broker, [{ key: "fresh150", artist: "Fresh", tempo: 150 }]);
		for (const [k, id] of added) keyOf.set(id, k);
		// The catalog announces its writes once a second; then the kept page is dropped.
		await eventually("the new track on the anonymous page", async () => keys((await songs(url)).body.items).includes("fresh150"), 5000);
	});

	it("matches half and double time when asked", async () => {
		const without = await songs("170?tolerance=2&limit=200");
		expect(keys(without.body.items).some(k => k.startsWith("half"))).toBe(false);
		const withHalf = await songs("170?tolerance=2&halfDouble=true&limit=200");
		const halves = keys(withHalf.body.items).filter(k => k.startsWith("half"));
		// Half of 170 is 85, and the tolerance halves with it: 84..86.
		expect(halves).toEqual(["half0", "half1", "half2", "half3", "half4", "half5", "half6", "half7"]);
		expect(keys(withHalf.body.items).some(k => k.startsWith("far"))).toBe(false);
	});

	it("says which reading matched whenever a listed track's tempo is outside the asked range", async () => {
		const alt = await songs("129?tolerance=1&limit=50");
		expect(keys(alt.body.items)).toEqual(["octave0"]);
		expect(alt.body.items[0]).toMatchObject({ tempo: 64.44, matchedTempo: 128.88, tempoReading: "alt" });
		const halfTime = await songs("170?tolerance=2&halfDouble=true&limit=200");
		for (const t of halfTime.body.items) {
			const inRange = (t.tempo ?? 0) >= 168 && (t.tempo ?? 0) <= 172;
			expect(t.tempoReading).toBe(inRange ? "tempo" : keyOf.get(t.id)?.startsWith("half") ? "double" : "alt");
			expect(t.matchedTempo).toBeGreaterThanOrEqual(168);
			expect(t.matchedTempo).toBeLessThanOrEqual(172);
		}
		expect(halfTime.body.items.some(t => t.tempoReading === "double")).toBe(true);
	});

	it("filters by minimum energy and by genre", async () => {
		const energetic = await songs("170?tolerance=2&minEnergy=0.75&limit=200");
		expect(energetic.body.count).toBeGreaterThan(0);
		expect(energetic.body.items.every(t => (t.energy ?? 0) >= 0.75)).toBe(true);
		const house = await songs("170?tolerance=2&genre=House&limit=200");
		expect(house.body.count).toBeGreaterThan(0);
		expect(house.body.items.every(t => t.genre === "house")).toBe(true);
	});

	it("answers 422 for bad parameters and for a cursor that is not ours or belongs to another query", async () => {
		for (const q of ["abc", "170?limit=0", "170?limit=1000", "170?tolerance=-1", "170?minEnergy=2", "10", "170?halfDouble=maybe"]) {
			const res = await songs(q);
			expect(res.status).toBe(422);
			expect(res.body.error.type).toBe("VALIDATION_ERROR");
		}
		const garbage = await songs("170?cursor=not-a-cursor");
		expect(garbage.status).toBe(422);
		expect(garbage.body.error.fields).toEqual([expect.objectContaining({ field: "cursor" })]);
		const cursor = (await songs("170?tolerance=2&limit=3")).body.nextCursor as string;
		const other = await songs(`170?tolerance=3&limit=3&cursor=${cursor}`);
		expect(other.status).toBe(422);
		expect(other.body.error.message).toMatch(/different query/);
	});

	describe("for a signed-in runner", () => {
		let runner: SessionView;
		beforeAll(async () => {
			runner = await register(gw);
			await feedback(gw, runner, ids.get("in1") as string, "dislike");
			await feedback(gw, runner, ids.get("in3") as string, "skip");
			// A like of one Artist C track makes Artist C a liked artist.
			await feedback(gw, runner, ids.get("in34") as string, "like");
		});

		it("leaves out their dislikes and skips and puts liked artists first within the page", async () => {
			const res = await songs("170?tolerance=2&limit=10", bearer(runner));
			expect(res.status).toBe(200);
			expect(res.body.personalized).toBe(true);
			const got = keys(res.body.items);
			// The anonymous order without the two excluded tracks, with Artist C's tracks moved to the front.
			const anonymous = (await songs("170?tolerance=2&limit=200")).body.items;
			const page = anonymous.filter(t => !["in1", "in3"].includes(keyOf.get(t.id) ?? "")).slice(0, 10);
			const byC = page.filter(t => t.artists.includes("Artist C"));
			expect(byC.length).toBeGreaterThan(0);
			expect(got).toEqual(keys([...byC, ...page.filter(t => !byC.includes(t))]));
			expect(got).not.toContain("in1");
			expect(got).not.toContain("in3");
		});

		it("pages without the excluded tracks and never repeats one", async () => {
			const seen: string[] = [];
			let cursor: string | null = null;
			do {
				const res: { body: SongsBody } = await songs(`170?tolerance=2&limit=9${cursor ? `&cursor=${cursor}` : ""}`, bearer(runner));
				seen.push(...keys(res.body.items));
				cursor = res.body.nextCursor;
			} while (cursor);
			expect(new Set(seen).size).toBe(seen.length);
			expect(seen.filter(k => k.startsWith("in")).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `in${i}`).filter(k => k !== "in1" && k !== "in3").sort());
		});

		it("keeps disliked and skipped tracks with excludeDisliked=false", async () => {
			const res = await songs("170?tolerance=2&limit=10&excludeDisliked=false", bearer(runner));
			expect(keys(res.body.items)).toEqual(expect.arrayContaining(["in1", "in3"]));
		});

		it("gives a runner without feedback the plain order marked personalised, and applies their next dislike and like at once", async () => {
			const newcomer = await register(gw);
			const url = "170?tolerance=2&limit=10";
			const anonymous = (await songs(url)).body;
			const first = await songs(url, bearer(newcomer));
			expect(first.body).toEqual({ ...anonymous, personalized: true });
			// Answered twice from what was kept for them and for the page.
			expect((await songs(url, bearer(newcomer))).body).toEqual(first.body);
			const disliked = first.body.items[0].id;
			await feedback(gw, newcomer, disliked, "dislike");
			const after = await songs(url, bearer(newcomer));
			const eleven = (await songs("170?tolerance=2&limit=11")).body.items.map(t => t.id);
			expect(after.body.items.map(t => t.id)).toEqual(eleven.filter(id => id !== disliked));
			const liked = after.body.items[9];
			await feedback(gw, newcomer, liked.id, "like");
			const boosted = await songs(url, bearer(newcomer));
			expect(boosted.body.items[0].artists).toEqual(liked.artists);
		});

		it("answers 401 for a bad token instead of an anonymous list", async () => {
			expect((await songs("170", { authorization: "Bearer nope" })).status).toBe(401);
		});
	});
});

describe("GET /api/v1/songs/bpm/:bpm without the activity service", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway([CatalogService, RecommendationsService] as ServiceSchema[]);
		await seedCatalog(gw.broker, TRACKS.slice(0, 5));
	});
	afterAll(() => gw.stop());

	it("serves a signed-in caller the plain list instead of failing", async () => {
		const res = await gw.request<SongsBody>("GET", "/api/v1/songs/bpm/170?tolerance=2", { user: { id: "someone", role: "user" } });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ personalized: false, count: 5 });
	});
});
