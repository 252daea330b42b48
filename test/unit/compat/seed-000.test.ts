/**
 * Seed 000 (RunDJServer): every endpoint its document lists, replayed through the gateway at its
 * /api/v1 paths, and its Prometheus names (rundj_crawler_*) on the metrics page beside the current
 * ones, every counter at 0 from start-up. Spotify is the simulator, faked at the HTTP level.
 * The seed gives no request bodies; the bodies here are cratedigger's (docs/compat.md).
 */
import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import { aliasingPrometheus } from "../../../mixins/metrics/prometheus";
import type { TestGateway } from "../../harness/gateway";
import { freePort } from "../../harness/ports";
import { startSpotifySimulator, type SpotifySimulator } from "../../simulators/spotify";
import { seedCatalog } from "../recommendations/fixtures";
import { bearerOf, startCompatGateway } from "./helpers";

const SERVICES = ["ops", "tasks", "catalog", "users", "activity", "recommendations", "playlists"];

describe("seed 000 (RunDJServer) through the gateway", () => {
	let sim: SpotifySimulator;
	let gw: TestGateway;
	let metricsPort: number;
	let user: { id: string; access_token: string };
	let songId: string;

	beforeAll(async () => {
		sim = await startSpotifySimulator({ catalog: { artists: 2, seed: 3 } });
		metricsPort = await freePort();
		gw = await startCompatGateway(
			{
				SPOTIFY_CLIENT_ID: sim.clientId,
				SPOTIFY_CLIENT_SECRET: sim.clientSecret,
				SPOTIFY_ACCOUNTS_URL: sim.accountsUrl,
				SPOTIFY_API_URL: sim.apiUrl,
				SPOTIFY_REDIRECT_URI: "http://127.0.0.1:8888/callback"
			},
			SERVICES.map(n => serviceCatalog[n] as ServiceSchema),
			{ metrics: { enabled: true, reporter: [aliasingPrometheus(metricsPort)] } }
		);
		const ids = await seedCatalog(gw.broker, Array.from({ length: 10 }, (_, i) => ({ key: `r${i}`, artist: `Runner ${i % 3}`, tempo: 168 + i % 5, energy: 0.8, durationMs: 200_000 })));
		songId = [...ids.values()][0];
	});
	afterAll(async () => {
		await gw.stop();
		await sim.close();
	});

	it("exports rundj_crawler_* beside crawler_*, every counter at 0 before anything happened", async () => {
		const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
		for (const name of ["crawler_tracks_processed_total", "crawler_errors_total", "crawler_api_calls_total", "crawler_api_errors_total"]) {
			for (const exported of [name, `rundj_${name}`]) {
				expect(text).toMatch(new RegExp(`^# TYPE ${exported} counter$`, "m"));
				expect(text).toMatch(new RegExp(`^${exported}(\\{[^}]*\\})? 0$`, "m"));
			}
		}
		expect(text).toMatch(/^crawler_api_errors_total\{[^}]*provider="spotify"\} 0$/m);
		expect(text).toMatch(/^rundj_crawler_api_errors_total\{[^}]*provider="spotify"\} 0$/m);
	});

	it("POST /api/v1/user/register registers a user", async () => {
		const res = await gw.request<{ id: string; access_token: string }>("POST", "/api/v1/user/register", {
			body: { email: "runner@example.com", password: "correct horse battery", display_name: "Runner" }
		});
		expect(res.status).toBe(201);
		user = res.body;
		expect(typeof user.id).toBe("string");
	});

	it("POST /api/v1/spotify/auth/token and /refresh return a Spotify access token the owner can play with", async () => {
		const start = await gw.request<{ url: string }>("GET", "/api/v1/spotify/auth/url", { headers: bearerOf(user) });
		const back = await fetch(`${start.body.url}&sim_user=rundj`, { redirect: "manual" });
		const location = new URL(back.headers.get("location") ?? "");
		const token = await gw.request<{ access_token: string; accessToken: string; expires_in: number; token_type: string }>("POST", "/api/v1/spotify/auth/token", {
			headers: bearerOf(user),
			body: { code: location.searchParams.get("code"), state: location.searchParams.get("state") }
		});
		expect(token.status).toBe(200);
		expect(token.body).toMatchObject({ token_type: "Bearer", access_token: expect.any(String) });
		expect(token.body.expires_in).toBeGreaterThan(0);
		expect(sim.accounts.userOf(token.body.access_token)).toBe("rundj");
		const refreshed = await gw.request<{ access_token: string }>("POST", "/api/v1/spotify/auth/refresh", { headers: bearerOf(user) });
		expect(refreshed.status).toBe(200);
		expect(sim.accounts.userOf(refreshed.body.access_token)).toBe("rundj");
		expect(JSON.stringify(refreshed.body)).not.toContain(sim.accounts.currentRefreshToken("rundj") ?? "no refresh token");
	});

	it("GET /api/v1/songs/bpm/:bpm, POST /api/v1/playlist/bpm/:bpm and POST /api/v1/song/:songId/feedback", async () => {
		const songs = await gw.request<{ items: Array<{ id: string; tempo: number }> }>("GET", "/api/v1/songs/bpm/170");
		expect(songs.status).toBe(200);
		expect(songs.body.items.length).toBeGreaterThan(0);
		const playlist = await gw.request<{ id: string; tracks: unknown[] }>("POST", "/api/v1/playlist/bpm/170", { headers: bearerOf(user), body: { duration: 10, spotify: false } });
		expect(playlist.status).toBe(201);
		expect(playlist.body.tracks.length).toBeGreaterThan(0);
		const feedback = await gw.request<{ type: string }>("POST", `/api/v1/song/${songId}/feedback`, { headers: bearerOf(user), body: { type: "like" } });
		expect(feedback.status).toBe(201);
		expect(feedback.body.type).toBe("like");
	});
});
