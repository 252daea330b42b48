import { generateCatalog, startSpotifySimulator, type SpotifySimulator } from "../../simulators";
import { followSpotifyPages, getJson, getText, isJson, requestToken, type IdName, type SpotifyErrorBody, type SpotifyPaging } from "./helpers";

const catalog = generateCatalog({ seed: 21, artists: 8, albumsPerArtist: 23, tracksPerAlbum: 45, audioFeaturesMissingRate: 0.1, malformedTracks: 2 });

async function start(options: Parameters<typeof startSpotifySimulator>[0] = {}): Promise<{ sim: SpotifySimulator; auth: Record<string, string> }> {
	const sim = await startSpotifySimulator({ catalog, ...options });
	return { sim, auth: { authorization: `Bearer ${sim.issueToken()}` } };
}

describe("Spotify simulator: accounts", () => {
	let sim: SpotifySimulator;
	beforeAll(async () => ({ sim } = await start({ tokenTtlSec: 3600 })));
	afterAll(() => sim.close());

	it("issues client-credentials tokens and rejects wrong clients", async () => {
		const ok = await requestToken(sim);
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 3600 });
		expect(typeof ok.body.access_token).toBe("string");
		const bad = await requestToken(sim, sim.clientId, "wrong");
		expect(bad.status).toBe(400);
		expect(bad.body.error).toBe("invalid_client");
	});

	it("answers 401 without a token and once the token expired", async () => {
		const token = String((await requestToken(sim)).body.access_token);
		const url = `${sim.apiUrl}/artists/${catalog.artistSpotifyId(0)}`;
		expect((await getJson(url)).status).toBe(401);
		expect((await getJson(url, { authorization: `Bearer ${token}` })).status).toBe(200);
		sim.advanceClock(3600 * 1000);
		const expired = await getJson<SpotifyErrorBody>(url, { authorization: `Bearer ${token}` });
		expect(expired.status).toBe(401);
		expect(expired.body).toEqual({ error: { status: 401, message: "The access token expired" } });
		expect(sim.stats().unauthorized).toBe(2);
	});
});

describe("Spotify simulator: extended mode", () => {
	let sim: SpotifySimulator;
	let auth: Record<string, string>;
	beforeAll(async () => ({ sim, auth } = await start()));
	afterAll(() => sim.close());

	it("serves Spotify-shaped objects", async () => {
		const track = await getJson<Record<string, unknown>>(`${sim.apiUrl}/tracks/${catalog.trackSpotifyId(3)}`, auth);
		expect(track.status).toBe(200);
		expect(Object.keys(track.body)).toEqual(
			expect.arrayContaining(["id", "name", "artists", "album", "duration_ms", "explicit", "external_ids", "popularity", "preview_url", "track_number", "disc_number", "uri"])
		);
		expect(track.body.external_ids).toEqual({ isrc: catalog.isrcOf(3) });
		const artist = await getJson<Record<string, unknown>>(`${sim.apiUrl}/artists/${catalog.artistSpotifyId(1)}`, auth);
		expect(Object.keys(artist.body)).toEqual(expect.arrayContaining(["id", "name", "type", "uri", "href", "external_urls", "genres", "popularity", "followers"]));
		const album = await getJson<Record<string, unknown>>(`${sim.apiUrl}/albums/${catalog.albumSpotifyId(2)}`, auth);
		expect(album.body).toMatchObject({ id: catalog.albumSpotifyId(2), total_tracks: 45, type: "album" });
		expect(Object.keys(album.body)).toEqual(expect.arrayContaining(["album_type", "release_date", "release_date_precision", "artists", "images", "tracks", "label"]));
		const k = Array.from({ length: catalog.trackCount }, (_, i) => i).find((i) => catalog.track(i).features !== null) ?? 0;
		const features = await getJson<Record<string, number | string>>(`${sim.apiUrl}/audio-features/${catalog.trackSpotifyId(k)}`, auth);
		expect(features.body.tempo).toBe(catalog.track(k).tempo);
		expect(Object.keys(features.body)).toEqual(expect.arrayContaining(["acousticness", "danceability", "energy", "key", "loudness", "mode", "time_signature", "valence", "duration_ms"]));
	});

	it("answers 404 with Spotify's error body for unknown ids", async () => {
		const res = await getJson<SpotifyErrorBody>(`${sim.apiUrl}/albums/0000000000000000000000`, auth);
		expect(res.status).toBe(404);
		expect(res.body).toEqual({ error: { status: 404, message: "Resource not found" } });
	});

	it("batches up to the documented sizes, with null for unknown or featureless ids", async () => {
		const ids = Array.from({ length: 100 }, (_, k) => catalog.trackSpotifyId(k));
		const features = await getJson<{ audio_features: (Record<string, unknown> | null)[] }>(`${sim.apiUrl}/audio-features?ids=${ids.join(",")}`, auth);
		expect(features.body.audio_features).toHaveLength(100);
		expect(features.body.audio_features.filter((f) => f === null)).toHaveLength(ids.filter((_, k) => !catalog.track(k).features).length);
		const tooMany = await getJson<SpotifyErrorBody>(`${sim.apiUrl}/tracks?ids=${ids.slice(0, 51).join(",")}`, auth);
		expect(tooMany.status).toBe(400);
		const albums = await getJson<{ albums: (IdName | null)[] }>(`${sim.apiUrl}/albums?ids=${catalog.albumSpotifyId(0)},nope`, auth);
		expect(albums.body.albums[0]?.id).toBe(catalog.albumSpotifyId(0));
		expect(albums.body.albums[1]).toBeNull();
	});

	it("pages with absolute next links that reach every album and track", async () => {
		const groups = "album,single,compilation";
		const albums = await followSpotifyPages<IdName>(`${sim.apiUrl}/artists/${catalog.artistSpotifyId(2)}/albums?include_groups=${groups}&limit=10`, auth);
		expect(albums.pages).toBe(3);
		expect(albums.items.map((a) => a.id).sort()).toEqual(catalog.artistAlbums(2).map((j) => catalog.albumSpotifyId(j)).sort());
		const first = await getJson<SpotifyPaging<IdName>>(`${sim.apiUrl}/albums/${catalog.albumSpotifyId(5)}/tracks`, auth);
		expect(Object.keys(first.body).sort()).toEqual(["href", "items", "limit", "next", "offset", "previous", "total"]);
		expect(first.body).toMatchObject({ limit: 20, offset: 0, previous: null, total: 45 });
		expect(first.body.next?.startsWith(sim.apiUrl)).toBe(true);
		const tracks = await followSpotifyPages<IdName>(first.body.href, auth);
		expect(tracks.pages).toBe(3);
		const { start, end } = catalog.albumTrackRange(5);
		expect(tracks.items.map((t) => t.id)).toEqual(Array.from({ length: end - start }, (_, n) => catalog.trackSpotifyId(start + n)));
	});

	it("lists appears_on albums for featured artists", async () => {
		const appears = await getJson<SpotifyPaging<{ album_group: string }>>(`${sim.apiUrl}/artists/${catalog.artistSpotifyId(3)}/albums?include_groups=appears_on&limit=50`, auth);
		expect(appears.body.total).toBe(catalog.appearsOn(3).length);
		expect(appears.body.items.every((a) => a.album_group === "appears_on")).toBe(true);
	});

	it("finds artists and ISRCs through search", async () => {
		const name = catalog.artistNameOf(4);
		const res = await getJson<{ artists: SpotifyPaging<IdName> }>(`${sim.apiUrl}/search?q=${encodeURIComponent(`artist:"${name}"`)}&type=artist&limit=1`, auth);
		expect(res.body.artists.items[0].id).toBe(catalog.artistSpotifyId(4));
		const byIsrc = await getJson<{ tracks: SpotifyPaging<IdName> }>(`${sim.apiUrl}/search?q=isrc:${catalog.isrcOf(9)}&type=track`, auth);
		expect(byIsrc.body.tracks.items[0].id).toBe(catalog.trackSpotifyId(9));
	});

	it("counts requests per endpoint template", async () => {
		sim.resetStats();
		await getJson(`${sim.apiUrl}/albums/${catalog.albumSpotifyId(0)}/tracks`, auth);
		await getJson(`${sim.apiUrl}/albums/${catalog.albumSpotifyId(1)}/tracks?offset=20`, auth);
		expect(sim.counts).toEqual({ "GET /v1/albums/{id}/tracks": 2 });
		expect(sim.stats()).toMatchObject({ total: 2, byStatus: { 200: 2 } });
	});
});

describe("Spotify simulator: development mode", () => {
	let sim: SpotifySimulator;
	let auth: Record<string, string>;
	beforeAll(async () => ({ sim, auth } = await start({ mode: "development" })));
	afterAll(() => sim.close());

	it("forbids batch gets and audio features", async () => {
		for (const path of [`artists?ids=${catalog.artistSpotifyId(0)}`, `albums?ids=${catalog.albumSpotifyId(0)}`, `tracks?ids=${catalog.trackSpotifyId(0)}`, `audio-features?ids=${catalog.trackSpotifyId(0)}`, `audio-features/${catalog.trackSpotifyId(0)}`]) {
			const res = await getJson<SpotifyErrorBody>(`${sim.apiUrl}/${path}`, auth);
			expect(res.status).toBe(403);
			expect(res.body.error.status).toBe(403);
		}
		expect(sim.stats().forbidden).toBe(5);
	});

	it("caps artist albums at limit 10, default 5", async () => {
		const url = `${sim.apiUrl}/artists/${catalog.artistSpotifyId(0)}/albums`;
		const tooBig = await getJson<SpotifyErrorBody>(`${url}?limit=11`, auth);
		expect(tooBig.status).toBe(400);
		expect(tooBig.body).toEqual({ error: { status: 400, message: "Invalid limit" } });
		expect((await getJson<SpotifyPaging<IdName>>(`${url}?limit=10`, auth)).body.items).toHaveLength(10);
		const all = await followSpotifyPages<IdName>(`${url}?include_groups=album,single,compilation`, auth);
		expect(all.pages).toBe(5);
		expect(all.items).toHaveLength(23);
	});

	it("drops preview_url and deprecated fields", async () => {
		const track = await getJson<Record<string, unknown>>(`${sim.apiUrl}/tracks/${catalog.trackSpotifyId(0)}`, auth);
		expect(track.body.preview_url).toBeNull();
		expect(track.body).not.toHaveProperty("popularity");
		const artist = await getJson<Record<string, unknown>>(`${sim.apiUrl}/artists/${catalog.artistSpotifyId(0)}`, auth);
		expect(artist.body).not.toHaveProperty("followers");
		expect(artist.body).not.toHaveProperty("genres");
	});
});

describe("Spotify simulator: rate limit", () => {
	let sim: SpotifySimulator;
	let auth: Record<string, string>;
	beforeAll(async () => ({ sim, auth } = await start({ maxPerWindow: 5, windowMs: 30_000 })));
	afterAll(() => sim.close());

	it("answers 429 with Retry-After over the rolling window, then recovers", async () => {
		const url = `${sim.apiUrl}/artists/${catalog.artistSpotifyId(0)}`;
		for (let i = 0; i < 5; i++) expect((await getJson(url, auth)).status).toBe(200);
		const limited = await getJson<SpotifyErrorBody>(url, auth);
		expect(limited.status).toBe(429);
		expect(limited.body).toEqual({ error: { status: 429, message: "Too many requests", reason: "QUOTA_EXCEEDED" } });
		const retryAfter = Number(limited.headers.get("retry-after"));
		expect(Number.isInteger(retryAfter)).toBe(true);
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(30);
		sim.advanceClock(retryAfter * 1000);
		expect((await getJson(url, auth)).status).toBe(200);
		expect(sim.stats().rateLimited).toBe(1);
		expect(sim.stats().byStatus[429]).toBe(1);
	});
});

describe("Spotify simulator: faults", () => {
	const statusesOf = async (sim: SpotifySimulator, auth: Record<string, string>, n: number): Promise<number[]> => {
		const out: number[] = [];
		for (let i = 0; i < n; i++) out.push((await getText(`${sim.apiUrl}/tracks/${catalog.trackSpotifyId(i)}`, auth)).status);
		return out;
	};

	it("injects reproducible 5xx errors and counts them", async () => {
		const a = await start({ faults: { errorRate: 0.3 }, faultSeed: 99 });
		const b = await start({ faults: { errorRate: 0.3 }, faultSeed: 99 });
		try {
			const first = await statusesOf(a.sim, a.auth, 100);
			const errors = first.filter((s) => s >= 500);
			expect(errors.length).toBeGreaterThan(15);
			expect(errors.length).toBeLessThan(45);
			expect(new Set(errors).size).toBeGreaterThan(1);
			expect(a.sim.stats().faults.error).toBe(errors.length);
			expect(await statusesOf(b.sim, b.auth, 100)).toEqual(first);
		} finally {
			await Promise.all([a.sim.close(), b.sim.close()]);
		}
	});

	it("holds timed-out requests, truncates JSON and pages, and always breaks malformed ids", async () => {
		const { sim, auth } = await start();
		try {
			sim.setFaults({ timeoutRate: 1, timeoutMs: 100 });
			await expect(fetch(`${sim.apiUrl}/tracks/${catalog.trackSpotifyId(0)}`, { headers: auth })).rejects.toThrow();
			sim.setFaults({ timeoutRate: 0, malformedRate: 1 });
			const broken = await getText(`${sim.apiUrl}/tracks/${catalog.trackSpotifyId(0)}`, auth);
			expect(broken.status).toBe(200);
			expect(isJson(broken.text)).toBe(false);
			sim.setFaults({ malformedRate: 0, truncatedPageRate: 1 });
			const page = await getJson<SpotifyPaging<IdName>>(`${sim.apiUrl}/albums/${catalog.albumSpotifyId(0)}/tracks?limit=20`, auth);
			expect(page.body.items.length).toBeLessThan(20);
			expect(page.body.total).toBe(45);
			expect(page.body.next).not.toBeNull();
			sim.setFaults({ truncatedPageRate: 0, malformedIds: [catalog.albumSpotifyId(7)] });
			for (let i = 0; i < 3; i++) expect(isJson((await getText(`${sim.apiUrl}/albums/${catalog.albumSpotifyId(7)}`, auth)).text)).toBe(false);
			const badTrack = catalog.malformed.tracks[0];
			for (let i = 0; i < 3; i++) expect(isJson((await getText(`${sim.apiUrl}/tracks/${catalog.trackSpotifyId(badTrack)}`, auth)).text)).toBe(false);
			const batch = await getText(`${sim.apiUrl}/tracks?ids=${catalog.trackSpotifyId(0)},${catalog.trackSpotifyId(badTrack)}`, auth);
			expect(isJson(batch.text)).toBe(false);
			expect(sim.stats().faults).toEqual({ total: 10, error: 0, timeout: 1, malformed: 1, truncated: 1, malformedId: 7 });
		} finally {
			await sim.close();
		}
	});

	it("takes faults and stats over its control endpoints", async () => {
		const { sim, auth } = await start();
		try {
			const set = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ errorRate: 1 }) });
			expect(set.status).toBe(200);
			expect((await getText(`${sim.apiUrl}/tracks/${catalog.trackSpotifyId(0)}`, auth)).status).toBeGreaterThanOrEqual(500);
			const stats = await getJson<{ faults: { error: number } }>(`${sim.url}/__sim/stats`);
			expect(stats.body.faults.error).toBe(1);
		} finally {
			await sim.close();
		}
	});
});
