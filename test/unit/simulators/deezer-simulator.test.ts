import { generateCatalog, startDeezerSimulator, type DeezerSimulator } from "../../simulators";
import { followDeezerPages, getJson, getText, isJson, type DeezerErrorBody, type DeezerList } from "./helpers";

const catalog = generateCatalog({ seed: 31, artists: 6, albumsPerArtist: 30, tracksPerAlbum: 40, deezerMissingRate: 0.1, malformedAlbums: 1 });

interface DeezerTrack {
	id: number;
	isrc: string;
	bpm: number;
	gain: number;
	duration: number;
	preview: string;
	rank: number;
	release_date: string;
	artist: { id: number };
	album: { id: number };
	contributors: { id: number; role: string }[];
}

describe("Deezer simulator", () => {
	let sim: DeezerSimulator;
	beforeAll(async () => {
		sim = await startDeezerSimulator({ catalog, maxPerWindow: Infinity });
	});
	afterAll(() => sim.close());

	it("finds artists by name", async () => {
		const name = catalog.artistNameOf(2);
		const res = await getJson<DeezerList<{ id: number; name: string }>>(`${sim.url}/search/artist?q=${encodeURIComponent(name)}`);
		expect(res.body.data[0]).toMatchObject({ id: catalog.deezerArtistId(2), name });
		expect(res.body.total).toBeGreaterThanOrEqual(1);
	});

	it("pages artist albums and album tracks through absolute next links", async () => {
		const albums = await followDeezerPages<{ id: number }>(`${sim.url}/artist/${catalog.deezerArtistId(1)}/albums`);
		expect(albums.pages).toBe(2);
		expect(albums.total).toBe(30);
		expect(albums.items.map((a) => a.id)).toEqual(catalog.artistAlbums(1).map((j) => catalog.deezerAlbumId(j)));
		const j = catalog.artistAlbums(1)[3];
		const tracks = await followDeezerPages<{ id: number; isrc: string }>(`${sim.url}/album/${catalog.deezerAlbumId(j)}/tracks?limit=15`);
		const { start, end } = catalog.albumTrackRange(j);
		const onDeezer = Array.from({ length: end - start }, (_, n) => catalog.track(start + n)).filter((t) => t.onDeezer);
		expect(tracks.items.map((t) => t.id)).toEqual(onDeezer.map((t) => t.deezerId));
		expect(tracks.pages).toBe(Math.ceil(onDeezer.length / 15));
	});

	it("serves track details with bpm (0 when unknown), gain, isrc and contributors", async () => {
		const k = Array.from({ length: catalog.trackCount }, (_, i) => i).find((i) => catalog.track(i).onDeezer && catalog.track(i).featured >= 0) ?? 0;
		const t = catalog.track(k);
		const res = await getJson<DeezerTrack>(`${sim.url}/track/${t.deezerId}`);
		expect(res.body).toMatchObject({ id: t.deezerId, isrc: t.isrc, bpm: t.deezerBpm, gain: t.gain, duration: Math.round(t.durationMs / 1000), rank: t.rank });
		expect(res.body.contributors.map((c) => c.role)).toEqual(["Main", "Featured"]);
		expect((await fetch(res.body.preview)).status).toBe(200);
		const byIsrc = await getJson<DeezerTrack>(`${sim.url}/track/isrc:${t.isrc}`);
		expect(byIsrc.body.id).toBe(t.deezerId);
		const unknownBpm = Array.from({ length: catalog.trackCount }, (_, i) => catalog.track(i)).find((x) => x.onDeezer && x.deezerBpm === 0);
		expect(unknownBpm).toBeDefined();
		expect((await getJson<DeezerTrack>(`${sim.url}/track/${unknownBpm?.deezerId}`)).body.bpm).toBe(0);
	});

	it("answers code 800 with HTTP 200 for unknown ids and tracks missing from Deezer", async () => {
		const missing = Array.from({ length: catalog.trackCount }, (_, i) => catalog.track(i)).find((t) => !t.onDeezer);
		for (const path of ["artist/1", "album/1", "track/1", "track/isrc:ZZZZZ0000000", `track/isrc:${missing?.isrc}`, `track/${missing?.deezerId}`, "nope/1"]) {
			const res = await getJson<DeezerErrorBody>(`${sim.url}/${path}`);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({ error: { type: "DataException", message: "no data", code: 800 } });
		}
	});

	it("always breaks catalog-malformed ids", async () => {
		const j = catalog.malformed.albums[0];
		for (let i = 0; i < 3; i++) expect(isJson((await getText(`${sim.url}/album/${catalog.deezerAlbumId(j)}`)).text)).toBe(false);
		expect(sim.stats().faults.malformedId).toBe(3);
	});
});

describe("Deezer simulator: quota and faults", () => {
	it("answers code 4 inside HTTP 200 over 50 requests per 5 s, then recovers", async () => {
		const sim = await startDeezerSimulator({ catalog });
		try {
			const url = `${sim.url}/artist/${catalog.deezerArtistId(0)}`;
			for (let i = 0; i < 50; i++) expect((await getJson<{ id: number }>(url)).body.id).toBe(catalog.deezerArtistId(0));
			const limited = await getJson<DeezerErrorBody>(url);
			expect(limited.status).toBe(200);
			expect(limited.body).toEqual({ error: { type: "Exception", message: "Quota limit exceeded", code: 4 } });
			sim.advanceClock(5000);
			expect((await getJson<{ id: number }>(url)).body.id).toBe(catalog.deezerArtistId(0));
			expect(sim.stats()).toMatchObject({ total: 52, rateLimited: 1 });
			expect(sim.counts["GET /artist/{id}"]).toBe(52);
		} finally {
			await sim.close();
		}
	});

	it("injects errors, malformed bodies and truncated pages, and counts them", async () => {
		const sim = await startDeezerSimulator({ catalog, maxPerWindow: Infinity, faults: { errorRate: 1 } });
		try {
			const url = `${sim.url}/album/${catalog.deezerAlbumId(0)}/tracks`;
			const err = await getText(url);
			expect(isJson(err.text) && (JSON.parse(err.text) as DeezerErrorBody).error.code).toBe(700);
			sim.setFaults({ errorRate: 0, malformedRate: 1 });
			expect(isJson((await getText(url)).text)).toBe(false);
			sim.setFaults({ malformedRate: 0, truncatedPageRate: 1 });
			const page = await getJson<DeezerList<{ id: number }>>(`${url}?limit=20`);
			expect(page.body.data.length).toBeLessThan(20);
			expect(page.body.next).toBeDefined();
			sim.setFaults({ truncatedPageRate: 0, malformedIds: [String(catalog.deezerArtistId(3))] });
			expect(isJson((await getText(`${sim.url}/artist/${catalog.deezerArtistId(3)}`)).text)).toBe(false);
			expect(sim.stats().faults).toEqual({ total: 4, error: 1, timeout: 0, malformed: 1, truncated: 1, malformedId: 1 });
		} finally {
			await sim.close();
		}
	});
});
