/**
 * The bad-input suite (issue 5): malformed requests to every route the gateway publishes in its
 * OpenAPI document, as an admin (so authorization is not what stops them) and a sample without a
 * token. Each must get a 4xx in the documented error shape, none a 5xx, and nothing stored may
 * change. Routes are read from GET /api/v1/openapi.json, so a new route is covered without edits.
 * Since issue 20 it also sends OPTIONS with bodies, bodies that do not decode as their
 * Content-Encoding, nesting 10,000 levels deep, prototype keys and credentials in the query, and
 * races concurrent requests.
 */
import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import type { SessionView } from "../../../services/users.service";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { eventually, freePort } from "../../harness/ports";
import { seedCatalog } from "../recommendations/fixtures";
import { anonymousSample, casesFor, oversizedUrlCase, unknownRouteCases, type Case, type KnownIds, type OpenApiDocument } from "./bad-input/cases";
import { rawRequest, type RawRequest } from "./bad-input/http";
import { changedCollections, storedData } from "./bad-input/stored";
import { verdict } from "./bad-input/verdict";

/** Every service that serves REST and runs in a test broker without outside hosts. */
const SERVICES = ["tasks", "catalog", "scheduler", "users", "activity", "recommendations", "playlists", "scraper", "insights", "status"];
const BODY_LIMIT = 64 * 1024;
const ADMIN_EMAIL = "admin@example.com";

/** Upstreams point at a port nothing listens on: no request may leave the machine. */
function offlineEnv(closedPort: number) {
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
async function seed(gw: TestGateway): Promise<{ ids: KnownIds; admin: SessionView }> {
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

/** Stored data once background work (events, caches) has settled: two reads in a row agree. */
async function settledData(gw: TestGateway) {
	let last = JSON.stringify(await storedData(gw.broker));
	return eventually("stored data to settle", async () => {
		await new Promise(r => setTimeout(r, 200));
		const now = await storedData(gw.broker);
		const same = JSON.stringify(now) === last;
		last = JSON.stringify(now);
		return same ? now : undefined;
	});
}

function toRequest(c: Case, adminAuth: Record<string, string>): RawRequest {
	return { method: c.method, path: c.path, headers: { ...(c.anonymous ? {} : adminAuth), ...c.headers }, body: c.body };
}

describe("malformed requests to every route get a 4xx in the error shape and change nothing", () => {
	let gw: TestGateway;
	let ids: KnownIds;
	let adminAuth: Record<string, string>;

	beforeAll(async () => {
		gw = await startGateway(
			SERVICES.map(n => serviceCatalog[n] as ServiceSchema),
			offlineEnv(await freePort())
		);
		const seeded = await seed(gw);
		ids = seeded.ids;
		adminAuth = { authorization: `Bearer ${seeded.admin.accessToken}` };
	}, 120_000);
	afterAll(() => gw?.stop());

	it("covers every route of the OpenAPI document and answers each malformed request as promised", async () => {
		const doc = await gw.request<OpenApiDocument>("GET", "/api/v1/openapi.json");
		expect(doc.status).toBe(200);
		const routes = Object.entries(doc.body.paths).flatMap(([p, ms]) => Object.keys(ms).map(m => `${m.toUpperCase()} ${p}`));
		const asAdmin = casesFor(doc.body, { ids, bodyLimit: BODY_LIMIT });
		const cases = [...asAdmin, ...anonymousSample(asAdmin, 3), ...unknownRouteCases(doc.body), oversizedUrlCase(doc.body)];
		// Every route gets malformed requests, so a new route cannot slip through untested.
		const covered = new Set(cases.map(c => c.route));
		expect(routes.filter(r => !covered.has(r))).toEqual([]);

		const before = await settledData(gw);
		const failures = new Map<string, string[]>();
		for (const c of cases) {
			const res = await rawRequest(gw.base, toRequest(c, adminAuth));
			const problem = verdict(c, res);
			if (!problem) continue;
			// Grouped by what went wrong, so one cause shared by many routes reads as one line.
			const key = `${c.family}${c.anonymous ? " (anonymous)" : ""}: ${c.label.replace(/^(path|query|body)\.\w+/, "$1.<field>")} -> ${problem.replace(/: .*$/s, "")}`;
			failures.set(key, [...(failures.get(key) ?? []), `${c.route}${c.label.match(/^(path|query|body)\.(\w+)/) ? ` (${c.label.split(" ")[0]})` : ""}`]);
		}
		const changed = changedCollections(before, await settledData(gw));

		const byFamily = new Map<string, number>();
		for (const c of cases) byFamily.set(c.family, (byFamily.get(c.family) ?? 0) + 1);
		const failed = [...failures.values()].reduce((n, routes) => n + routes.length, 0);
		console.log(
			`bad-input: ${cases.length} malformed requests to ${routes.length} routes (${cases.filter(c => c.anonymous).length} without a token; ` +
				`${cases.filter(c => c.expect.kind === "4xx").length} must get a 4xx, ${cases.filter(c => c.expect.kind === "no-5xx").length} odd but valid reads must not fail); ` +
				[...byFamily].map(([f, n]) => `${f} ${n}`).join(", ") +
				`; ${failed} answered wrongly; ${changed.length} collections changed`
		);
		expect(cases.length).toBeGreaterThanOrEqual(300);
		// One assertion, so a run shows both the wrong answers and the changed data.
		expect({ wrongAnswers: [...failures].map(([what, where]) => `${what}: ${where.join(", ")}`), changedData: changed }).toEqual({ wrongAnswers: [], changedData: [] });
	}, 300_000);

	it("holds under concurrent races: one account per email, the login limit, one run per Idempotency-Key", async () => {
		const email = `race-${Date.now()}@example.com`;
		const registrations = await Promise.all(
			Array.from({ length: 20 }, () => gw.request("POST", "/api/v1/users/register", { body: { email, password: "correct horse battery", displayName: "Race" } }))
		);
		expect(registrations.map(r => r.status).sort()).toEqual([201, ...Array.from({ length: 19 }, () => 409)]);

		const logins = await Promise.all(Array.from({ length: 30 }, (_, i) => gw.request("POST", "/api/v1/auth/login", { body: { email, password: `wrong guess ${i}` } })));
		// LOGIN_MAX_FAILURES (5 by default) attempts are checked; every other one is refused unchecked.
		expect(logins.filter(r => r.status !== 429).length).toBeLessThanOrEqual(5);
		expect(logins.filter(r => r.status >= 500)).toEqual([]);

		const playlists = await Promise.all(
			Array.from({ length: 10 }, () => gw.request<{ id?: string }>("POST", "/api/v1/playlist/bpm/171", { headers: { ...adminAuth, "idempotency-key": "race-playlist" }, body: { duration: 10, spotify: false } }))
		);
		const created = new Set(playlists.filter(r => r.status === 201).map(r => r.body.id));
		expect(created.size).toBe(1);
		expect(playlists.every(r => r.status === 201 || r.status === 409)).toBe(true);
	}, 120_000);
});
