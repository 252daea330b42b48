/**
 * The gateway both the bad-input suite and the answers suite run: every REST service, upstreams
 * pointing nowhere, and seeded data (users, tracks, a like, a playlist, a finished task).
 */
import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../../services";
import type { SessionView } from "../../../../services/users.service";
import { startGateway, type TestGateway } from "../../../harness/gateway";
import { eventually, freePort } from "../../../harness/ports";
import { seedCatalog } from "../../recommendations/fixtures";
import type { KnownIds } from "./cases";

/** Every service that serves REST and runs in a test broker without outside hosts. */
export const SERVICES = ["tasks", "catalog", "scheduler", "users", "activity", "recommendations", "playlists", "scraper", "insights", "status"];
export const BODY_LIMIT = 64 * 1024;
const ADMIN_EMAIL = "admin@example.com";

/** Upstreams point at a port nothing listens on: no request may leave the machine. */
export function offlineEnv(closedPort: number) {
	const nowhere = `http://127.0.0.1:${closedPort}`;
	return {
		API_BODY_LIMIT: "64kb",
		API_RATE_LIMIT_PER_MIN: "1000000",
		ADMIN_EMAILS: ADMIN_EMAIL,
		PASSWORD_HASH_COST: "12",
		SPOTIFY_ACCOUNTS_URL: nowhere,
		SPOTIFY_API_URL: nowhere,
		SPOTIFY_CLIENT_ID: "bad-input-client",
		SPOTIFY_CLIENT_SECRET: "bad-input-secret",
		SPOTIFY_REDIRECT_URI: `${nowhere}/callback`,
		TOKEN_ENCRYPTION_KEY: "ab".repeat(32),
		DEEZER_API_URL: nowhere,
		OPENAI_BASE_URL: `${nowhere}/v1`,
		INSIGHTS_GENERATOR: "builtin",
		INSIGHTS_SCHEDULES: "false",
		INSIGHTS_SPOTIFY_SOURCE: "false",
		SCRAPER_SITE_URL: nowhere,
		SCRAPER_ALLOWED_HOSTS: `127.0.0.1:${closedPort}`,
		SCRAPER_RETRIES: "0",
		SCRAPER_TIMEOUT_MS: "1000",
		TIER_HIGH_INTERVAL_MS: "86400000",
		TIER_MEDIUM_INTERVAL_MS: "86400000",
		TIER_LOW_INTERVAL_MS: "86400000",
		CRAWL_STATUS_LOG_MS: "0",
		STATUS_SAMPLE_MS: "300000"
	};
}

async function register(gw: TestGateway, email: string): Promise<SessionView> {
	const res = await gw.request<SessionView>("POST", "/api/v1/users/register", { body: { email, password: "correct horse battery", displayName: email.split("@")[0] } });
	if (res.status !== 201) throw new Error(`register ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
	return res.body;
}

/** A user, an admin, catalog tracks with features, a like, a playlist and a finished task. */
export async function seed(gw: TestGateway): Promise<{ ids: KnownIds; admin: SessionView }> {
	const admin = await register(gw, ADMIN_EMAIL);
	expect(admin.user).toMatchObject({ role: "admin" });
	const user = await register(gw, "runner@example.com");
	const auth = { authorization: `Bearer ${user.accessToken}` };
	const tracks = await seedCatalog(
		gw.broker,
		Array.from({ length: 8 }, (_, i) => ({ key: `t${i}`, artist: `Artist ${i % 3}`, tempo: 168 + i, energy: 0.5 + i / 20, durationMs: 200_000, genre: "house" }))
	);
	const track = [...tracks.values()][0];
	expect((await gw.request("POST", `/api/v1/tracks/${track}/like`, { headers: auth })).status).toBe(200);
	const playlist = await gw.request<{ id: string }>("POST", "/api/v1/playlist/bpm/170", { headers: auth, body: { duration: 10, spotify: false } });
	expect(playlist.status).toBe(201);
	const task = await gw.request<{ id: string }>("POST", `/api/v1/recommendations/user/${user.user.id}/refresh`, { headers: auth });
	expect(task.status).toBe(202);
	await eventually("the refresh task to finish", async () => (await gw.request<{ status: string }>("GET", `/api/v1/tasks/${task.body.id}`, { headers: auth })).body.status === "done");
	return { ids: { user: user.user.id, track, playlist: playlist.body.id, task: task.body.id }, admin };
}

export interface SeededGateway {
	gw: TestGateway;
	ids: KnownIds;
	/** The seeded admin's bearer header. */
	adminAuth: Record<string, string>;
}

/** Every REST service on one gateway, offline, with the seeded data. */
export async function startSeededGateway(): Promise<SeededGateway> {
	const gw = await startGateway(
		SERVICES.map(n => serviceCatalog[n] as ServiceSchema),
		offlineEnv(await freePort())
	);
	const seeded = await seed(gw);
	return { gw, ids: seeded.ids, adminAuth: { authorization: `Bearer ${seeded.admin.accessToken}` } };
}
