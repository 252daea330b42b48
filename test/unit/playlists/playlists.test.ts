import type { ServiceSchema } from "moleculer";
import ActivityService from "../../../services/activity.service";
import CatalogService from "../../../services/catalog.service";
import type { PlaylistView } from "../../../services/playlists/model";
import PlaylistsService from "../../../services/playlists.service";
import UsersService, { type SessionView } from "../../../services/users.service";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { startSpotifySimulator, type SpotifySimulator } from "../../simulators";
import { bearer, FAST_HASH, feedback, register, seedCatalog, spotifyIdOf, type SeedTrack } from "../recommendations/fixtures";

/** 260 tracks known to Spotify between 168 and 172 BPM, by 40 artists, 3 to 4 minutes each; 20 Deezer-only ones. */
const TRACKS: SeedTrack[] = [
	...Array.from({ length: 260 }, (_, i) => ({
		key: `s${i}`,
		artist: `Artist ${i % 40}`,
		tempo: Math.round((168 + (i % 80) * 0.05) * 100) / 100,
		energy: 0.4 + (i % 6) * 0.1,
		durationMs: 180_000 + ((i * 7919) % 60) * 1000
	})),
	...Array.from({ length: 20 }, (_, i) => ({ key: `d${i}`, artist: `Deezer ${i}`, tempo: 170 + i * 0.01, durationMs: 200_000, spotify: false }))
];

type PlaylistBody = PlaylistView & ErrorBody;

describe("playlists", () => {
	let sim: SpotifySimulator;
	let gw: TestGateway;
	let ids: Map<string, string>;
	let plain: SessionView;
	let linked: SessionView;
	const create = (s: SessionView | undefined, body: Record<string, unknown>, bpm = 170) =>
		gw.request<PlaylistBody>("POST", `/api/v1/playlist/bpm/${bpm}`, { headers: s ? bearer(s) : undefined, body });

	async function linkSpotify(s: SessionView, simUser: string): Promise<void> {
		const start = await gw.request<{ url: string }>("GET", "/api/v1/spotify/auth/url", { headers: bearer(s) });
		const authorize = new URL(start.body.url);
		authorize.searchParams.set("sim_user", simUser);
		const back = new URL((await fetch(authorize, { redirect: "manual" })).headers.get("location") ?? "");
		const res = await gw.request("POST", "/api/v1/spotify/auth/token", {
			headers: bearer(s),
			body: { code: back.searchParams.get("code"), state: back.searchParams.get("state") }
		});
		if (res.status !== 200) throw new Error(`linking answered ${res.status}: ${JSON.stringify(res.body)}`);
	}

	beforeAll(async () => {
		sim = await startSpotifySimulator({ catalog: { tracks: 20, seed: 5 } });
		gw = await startGateway([CatalogService, ActivityService, UsersService, PlaylistsService] as ServiceSchema[], {
			...FAST_HASH,
			SPOTIFY_CLIENT_ID: sim.clientId,
			SPOTIFY_CLIENT_SECRET: sim.clientSecret,
			SPOTIFY_ACCOUNTS_URL: sim.accountsUrl,
			SPOTIFY_API_URL: sim.apiUrl,
			SPOTIFY_RATE_PER_30S: "100000",
			TOKEN_ENCRYPTION_KEY: "ab".repeat(32),
			SPOTIFY_REDIRECT_URI: "http://127.0.0.1:9/callback"
		});
		ids = await seedCatalog(gw.broker, TRACKS);
		plain = await register(gw);
		linked = await register(gw);
		await linkSpotify(linked, "spotify-runner");
	});
	afterAll(async () => {
		await gw.stop();
		await sim.close();
	});

	describe("for a user without Spotify", () => {
		let made: PlaylistBody;
		beforeAll(async () => {
			await feedback(gw, plain, ids.get("s0") as string, "dislike");
			const res = await create(plain, { duration: 30, tolerance: 2 });
			expect(res.status).toBe(201);
			expect(res.headers.get("location")).toBe(`/api/v1/playlists/${res.body.id}`);
			made = res.body;
		});

		it("fills the duration with tracks at the tempo, leaves out dislikes, and says Spotify is not linked", () => {
			expect(made).toMatchObject({ ownerId: plain.user.id, bpm: 170, tolerance: 2, targetDurationSec: 1800, spotify: { status: "not-linked" } });
			expect(Math.abs(made.durationSec - 1800)).toBeLessThanOrEqual(90);
			expect(made.durationSec).toBe(Math.round(made.tracks.reduce((s, t) => s + (t.durationMs ?? 0), 0) / 1000));
			expect(made.count).toBe(made.tracks.length);
			expect(made.tracks.every(t => (t.tempo ?? 0) >= 168 && (t.tempo ?? 0) <= 172)).toBe(true);
			expect(made.tracks.map(t => t.id)).not.toContain(ids.get("s0"));
			expect(new Set(made.tracks.map(t => t.id)).size).toBe(made.count);
			expect(made.name).toBe("Run 170 BPM · 30 min");
		});

		it("reads it back for the owner and admins only", async () => {
			const own = await gw.request<PlaylistBody>("GET", `/api/v1/playlists/${made.id}`, { headers: bearer(plain) });
			expect(own.status).toBe(200);
			expect(own.body).toEqual(made);
			expect((await gw.request("GET", `/api/v1/playlists/${made.id}`, { headers: bearer(linked) })).status).toBe(403);
			expect((await gw.request("GET", `/api/v1/playlists/${made.id}`)).status).toBe(401);
			expect((await gw.request("GET", `/api/v1/playlists/${made.id}`, { user: { id: "root", role: "admin" } })).status).toBe(200);
			expect((await gw.request("GET", "/api/v1/playlists/nope", { headers: bearer(plain) })).status).toBe(404);
		});

		it("exports M3U with #EXTINF lines and a location per track, as a download", async () => {
			const res = await fetch(`${gw.base}/api/v1/playlists/${made.id}/export?format=m3u`, { headers: bearer(plain) });
			expect(res.status).toBe(200);
			expect(res.headers.get("content-type")).toMatch(/^audio\/x-mpegurl/);
			expect(res.headers.get("content-disposition")).toBe('attachment; filename="run-170-bpm-30-min.m3u"');
			const lines = (await res.text()).trimEnd().split("\n");
			expect(lines[0]).toBe("#EXTM3U");
			const entries = lines.slice(2);
			expect(entries).toHaveLength(made.count * 2);
			const [first, location] = entries;
			const t = made.tracks[0];
			expect(first).toBe(`#EXTINF:${Math.round((t.durationMs ?? 0) / 1000)},${t.artists.join(", ")} - ${t.name}`);
			expect(location).toBe(t.spotifyId ? `https://open.spotify.com/track/${t.spotifyId}` : `https://www.deezer.com/track/${t.deezerId}`);
		});

		it("exports JSON with positions and links, and refuses other formats and other users", async () => {
			const res = await fetch(`${gw.base}/api/v1/playlists/${made.id}/export?format=json`, { headers: bearer(plain) });
			expect(res.headers.get("content-type")).toMatch(/^application\/json/);
			expect(res.headers.get("content-disposition")).toBe('attachment; filename="run-170-bpm-30-min.json"');
			const body = (await res.json()) as { name: string; tracks: Array<{ position: number; id: string; url: string }> };
			expect(body.name).toBe(made.name);
			expect(body.tracks.map(t => t.id)).toEqual(made.tracks.map(t => t.id));
			expect(body.tracks[1].position).toBe(2);
			expect((await gw.request("GET", `/api/v1/playlists/${made.id}/export?format=xml`, { headers: bearer(plain) })).status).toBe(422);
			expect((await gw.request("GET", `/api/v1/playlists/${made.id}/export`, { headers: bearer(linked) })).status).toBe(403);
		});

		it("validates the request and says when nothing matches", async () => {
			expect((await create(undefined, { duration: 30 })).status).toBe(401);
			for (const body of [{}, { duration: 0 }, { duration: 601 }, { duration: "long" }, { duration: 30, tolerance: 99 }, { duration: 30, name: "" }]) {
				const res = await create(plain, body);
				expect(res.status).toBe(422);
			}
			const none = await create(plain, { duration: 30 }, 250);
			expect(none.status).toBe(404);
			expect(none.body.error.type).toBe("NO_TRACKS");
		});
	});

	describe("for a user who linked Spotify", () => {
		afterEach(() => sim.setRateLimit({ maxPerWindow: null }));

		it("creates it on Spotify too, adding the items 100 at a time in playlist order", async () => {
			const res = await create(linked, { duration: 600, name: "Long run", public: true });
			expect(res.status).toBe(201);
			const p = res.body;
			const onSpotify = p.tracks.filter(t => t.spotifyId);
			expect(onSpotify.length).toBeGreaterThan(150);
			expect(p.spotify).toMatchObject({ status: "created", added: onSpotify.length, missing: p.count - onSpotify.length });
			const remote = sim.users.playlist(p.spotify?.playlistId as string);
			expect(remote).toMatchObject({ ownerId: "spotify-runner", name: "Long run", public: true });
			expect(remote?.batches).toEqual([100, onSpotify.length - 100]);
			expect(remote?.uris).toEqual(onSpotify.map(t => `spotify:track:${t.spotifyId}`));
			expect(p.spotify?.url).toBe(`https://open.spotify.com/playlist/${remote?.id}`);
			expect(onSpotify.every(t => t.spotifyId === spotifyIdOf([...ids].find(([, id]) => id === t.id)?.[0] ?? ""))).toBe(true);
		});

		it("waits out a short 429 through the shared limiter and finishes", async () => {
			const before = sim.stats().rateLimited;
			sim.users.failNext(1, 429, { retryAfterSec: 1, after: 1 });
			const res = await create(linked, { duration: 30 });
			expect(res.body.spotify).toMatchObject({ status: "created" });
			expect(sim.stats().rateLimited).toBe(before + 1);
			expect(sim.users.playlist(res.body.spotify?.playlistId as string)?.uris).toHaveLength(res.body.spotify?.added as number);
		});

		it("keeps the local playlist and records the error when Spotify keeps failing", async () => {
			sim.users.failNext(3, 503, { after: 1 });
			const res = await create(linked, { duration: 30 });
			expect(res.status).toBe(201);
			expect(res.body.spotify).toMatchObject({ status: "failed", added: 0, error: { status: 503, type: "UPSTREAM_RETRYABLE" } });
			const remoteId = res.body.spotify?.playlistId as string;
			expect(sim.users.playlist(remoteId)?.uris).toEqual([]);
			const stored = await gw.request<PlaylistBody>("GET", `/api/v1/playlists/${res.body.id}`, { headers: bearer(linked) });
			expect(stored.body).toMatchObject({ count: res.body.count, spotify: { status: "failed", playlistId: remoteId } });
		});

		it("records a 401 when Spotify no longer accepts the user's token", async () => {
			sim.expireTokens();
			const res = await create(linked, { duration: 20 });
			expect(res.status).toBe(201);
			expect(res.body.spotify).toMatchObject({ status: "failed", error: { status: 401, type: "UPSTREAM_FATAL" } });
			expect(res.body.spotify?.playlistId).toBeUndefined();
			await linkSpotify(linked, "spotify-runner");
		});

		it("skips Spotify when asked", async () => {
			const res = await create(linked, { duration: 20, spotify: false });
			expect(res.status).toBe(201);
			expect(res.body.spotify).toBeUndefined();
		});

		// Last: the long Retry-After pauses the shared Spotify limiter for two minutes.
		it("does not wait out a Retry-After longer than PLAYLIST_SPOTIFY_MAX_WAIT_SEC", async () => {
			sim.users.failNext(1, 429, { retryAfterSec: 120 });
			const res = await create(linked, { duration: 20 });
			expect(res.status).toBe(201);
			expect(res.body.spotify).toMatchObject({ status: "failed", error: { type: "UPSTREAM_RATE_LIMITED", status: 429 } });
			expect((await gw.request("GET", `/api/v1/playlists/${res.body.id}`, { headers: bearer(linked) })).status).toBe(200);
		});
	});

	it("forgets a user's playlists", async () => {
		const own = await gw.broker.call<{ playlists: number }, object>("playlists.forgetUser", { userId: plain.user.id });
		expect(own.playlists).toBeGreaterThanOrEqual(1);
		expect(await gw.broker.call("playlists.forgetUser", { userId: plain.user.id })).toEqual({ playlists: 0 });
	});
});
