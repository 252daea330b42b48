import type { ServiceSchema } from "moleculer";
import CatalogService from "../../../services/catalog.service";
import type { TrackView } from "../../../services/catalog/view";
import { startGateway, type TestGateway } from "../../harness/gateway";

interface Page {
	items: TrackView[];
	nextCursor: string | null;
}

const tracks = [
	{ provider: "deezer", id: "1", name: "Halo (Extended Mix)", isrc: "USSM10000001", artists: [{ id: "a1", name: "Beyoncé" }], popularity: 90 },
	{ provider: "deezer", id: "2", name: "Run the World", artists: [{ id: "a1", name: "Beyoncé" }], popularity: 80 },
	{ provider: "deezer", id: "3", name: "Halo", artists: [{ id: "a2", name: "Depeche Mode" }], popularity: 70 },
	{ provider: "deezer", id: "4", name: "Enjoy the Silence", artists: [{ id: "a2", name: "Depeche Mode" }], popularity: 60 },
	{ provider: "deezer", id: "5", name: "Strobe", artists: [{ id: "a3", name: "deadmau5" }], popularity: 50 }
];

describe("catalog REST and query actions", () => {
	let gw: TestGateway;
	let ids: string[];
	beforeAll(async () => {
		gw = await startGateway([CatalogService as ServiceSchema]);
		await gw.broker.call("catalog.upsertArtists", { artists: [{ provider: "deezer", id: "a2", name: "Depeche Mode", genres: ["Synth-Pop"] }] });
		const out = await gw.broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", { tracks });
		ids = out.map(o => o.id);
		await gw.broker.call("catalog.setFeatures", {
			items: [
				{ id: ids[0], tempo: 80, tempoSource: "deezer" },
				{ id: ids[1], tempo: 127, tempoSource: "deezer" },
				{ id: ids[2], tempo: 128, tempoSource: "deezer" },
				{ id: ids[3], tempo: 113, tempoSource: "deezer" }
			]
		});
	});
	afterAll(() => gw.stop());

	it("pages through every track with an opaque cursor, without repeats", async () => {
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const res: { status: number; body: Page } = await gw.request<Page>("GET", `/api/v1/tracks?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
			expect(res.status).toBe(200);
			seen.push(...res.body.items.map(t => t.id));
			cursor = res.body.nextCursor;
		} while (cursor);
		expect(seen.sort()).toEqual([...ids].sort());
		expect((await gw.request("GET", "/api/v1/tracks?cursor=%%%")).status).toBe(422);
		expect((await gw.request("GET", "/api/v1/tracks?limit=1000")).status).toBe(422);
	});

	it("searches by every word of the query, accents folded, most popular first", async () => {
		const res = await gw.request<{ items: TrackView[] }>("GET", "/api/v1/tracks/search?q=halo");
		expect(res.body.items.map(t => t.name)).toEqual(["Halo (Extended Mix)", "Halo"]);
		const both = await gw.request<{ items: TrackView[] }>("GET", "/api/v1/tracks/search?q=beyonce%20halo");
		expect(both.body.items.map(t => t.artists[0])).toEqual(["Beyoncé"]);
		expect((await gw.request("GET", "/api/v1/tracks/search")).status).toBe(422);
		expect((await gw.request("GET", "/api/v1/tracks/search?q=%20!!")).status).toBe(422);
	});

	it("shows each track's album (id, name, release date, cover) and takes its genre from the album before the artist", async () => {
		await gw.broker.call("catalog.upsertAlbums", {
			albums: [{ provider: "deezer", id: "al9", name: "Violator", artists: [{ id: "a2", name: "Depeche Mode" }], releaseDate: "1990-03-19", genres: ["Electro", "Pop"], imageUrl: "https://img.example/violator.jpg" }]
		});
		const [saved] = await gw.broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", {
			tracks: [{ provider: "deezer", id: "9", name: "Policy of Truth", albumId: "al9", artists: [{ id: "a2", name: "Depeche Mode" }] }]
		});
		const res = await gw.request<TrackView>("GET", `/api/v1/tracks/${saved.id}`);
		expect(res.body.album).toEqual({ id: expect.any(String), name: "Violator", releaseDate: "1990-03-19", coverUrl: "https://img.example/violator.jpg" });
		expect(res.body.genre).toBe("electronic");
		const listed = await gw.request<{ items: TrackView[] }>("GET", "/api/v1/tracks/search?q=policy%20truth");
		expect(listed.body.items[0].album?.name).toBe("Violator");
	});

	it("serves one track by id and 404s an unknown one", async () => {
		const res = await gw.request<TrackView>("GET", `/api/v1/tracks/${ids[3]}`);
		expect(res.body).toMatchObject({ name: "Enjoy the Silence", tempo: 113, genre: "synthpop" });
		expect((await gw.request("GET", "/api/v1/tracks/nope")).status).toBe(404);
	});

	it("matches tracklist lines by ISRC, then by artist and bare title", async () => {
		const res = await gw.broker.call<unknown[], object>("catalog.match", {
			items: [
				{ isrc: "ussm10000001", artist: "whoever", title: "whatever" },
				{ artist: "Depeche Mode & Someone", title: "Halo [Goldfrapp Remix]" },
				{ artist: "Nobody", title: "Halo" }
			]
		});
		expect(res).toEqual([
			{ trackId: ids[0], tempo: 80, matchedBy: "isrc" },
			{ trackId: ids[2], tempo: 128, matchedBy: "name" },
			null
		]);
	});

	it("filters tempo queries by genre and counts tempos per bin", async () => {
		const byGenre = await gw.broker.call<Array<{ _id: string }>, object>("catalog.byTempo", { bpm: 120, tolerance: 10, genre: "Synth-Pop" });
		expect(byGenre.map(t => t._id).sort()).toEqual([ids[2], ids[3]].sort());
		const hist = await gw.broker.call<{ total: number; bins: Array<{ from: number; count: number }> }, object>("catalog.tempoHistogram", { binSize: 10 });
		expect(hist.total).toBe(4);
		expect(hist.bins.filter(b => b.count > 0)).toEqual([
			{ from: 80, to: 90, count: 1 },
			{ from: 110, to: 120, count: 1 },
			{ from: 120, to: 130, count: 2 }
		]);
		const many = await gw.broker.call<Array<{ _id: string }>, object>("catalog.getMany", { ids: [ids[4], "missing", ids[0]] });
		expect(many.map(t => t._id)).toEqual([ids[4], ids[0]]);
	});
});

describe("features from several sources", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway([CatalogService as ServiceSchema]);
	});
	afterAll(() => gw.stop());

	it("drops an analysis's octave alternative when a provider later gives the tempo", async () => {
		const [{ id }] = await gw.broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", {
			tracks: [{ provider: "deezer", id: "t1", name: "Octaves", artists: [{ id: "a", name: "Band" }] }]
		});
		await gw.broker.call("catalog.setFeatures", { items: [{ id, tempo: 87, tempoAlt: 174, tempoSource: "analysis", tempoAlgorithm: "onset-acf/1" }] });
		const found = (bpm: number) => gw.broker.call<Array<{ _id: string }>, object>("catalog.byTempo", { bpm, tolerance: 1 });
		expect((await found(174)).map(t => t._id)).toEqual([id]);
		await gw.broker.call("catalog.setFeatures", { items: [{ id, tempo: 88, tempoSource: "spotify" }] });
		const track = await gw.request<TrackView & { tempoAlgorithm?: string }>("GET", `/api/v1/tracks/${id}`);
		expect(track.body).toMatchObject({ tempo: 88, tempoSource: "spotify" });
		expect(track.body.tempoAlt).toBeUndefined();
		expect(await found(174)).toEqual([]);
	});
});
