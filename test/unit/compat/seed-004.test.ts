/**
 * Seed 004 (Tracklist Service): its curl calls and Python client examples replayed through the
 * gateway against the tracklist-site simulator, checking the fields they read (results[].dj_name,
 * tracklist.tracks[].timestamp.formatted_time, artist, title, cue_content). Its paths are the
 * scraper's own; the seed's names are added beside the native ones. Differences that remain are listed
 * in docs/compat.md.
 */
import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import type { TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { startTracklistSite, type TracklistSite } from "../../simulators/tracklists";
import { startCompatGateway } from "./helpers";

const admin = { id: "root", role: "admin" as const };

interface SeedTrack {
	artist: string;
	title: string;
	timestamp: { track_number: number; timestamp_ms: number; formatted_time: string } | null;
}

describe("seed 004 (Tracklist Service) through the gateway", () => {
	let site: TracklistSite;
	let gw: TestGateway;

	beforeAll(async () => {
		site = await startTracklistSite({ sets: 12, tracksPerSet: 8, pageSize: 5 });
		const services = ["tasks", "scheduler", "catalog", "scraper", "scraper-worker", "activity", "insights", "users"].map(n => serviceCatalog[n] as ServiceSchema);
		gw = await startCompatGateway(
			{
				SCRAPER_SITE_URL: site.url,
				SCRAPER_ALLOWED_HOSTS: site.host,
				SCRAPER_ALLOW_PRIVATE_ADDRESSES: "true",
				SCRAPER_RETRY_BASE_MS: "10",
				SCRAPER_TIMEOUT_MS: "2000",
				SCRAPER_RETRIES: "1",
				SCRAPE_DEFAULT_DELAY_MS: "5",
				WORKER_POLL_MS: "20",
				JOB_BACKOFF_BASE_MS: "10",
				JOB_BACKOFF_MAX_MS: "50"
			},
			services
		);
	});
	afterAll(async () => {
		await gw?.stop();
		await site?.close();
	});

	it("Search for DJs: GET /api/v1/search/?query=&search_type=dj&limit=10 answers results with dj_name", async () => {
		const dj = site.sets[0].djs[0];
		const res = await gw.request<{ results: Array<{ dj_name: string | null; event_name: string | null; title: string }> }>(
			"GET",
			`/api/v1/search/?query=${encodeURIComponent(dj.name)}&search_type=dj&limit=10`
		);
		expect(res.status).toBe(200);
		expect(res.body.results.length).toBeGreaterThan(0);
		expect(res.body.results.length).toBeLessThanOrEqual(10);
		expect(res.body.results.some(r => r.dj_name === dj.name)).toBe(true);
		expect(res.body.results[0]).toHaveProperty("event_name");
		const byDj = await gw.request<{ results: unknown[] }>("GET", `/api/v1/search/dj/${dj.slug}`);
		expect(byDj.status).toBe(200);
		expect(byDj.body.results.length).toBeGreaterThan(0);
		const byEvent = await gw.request<{ results: unknown[] }>("GET", `/api/v1/search/event/${site.sets[0].event.slug}`);
		expect(byEvent.status).toBe(200);
		expect(byEvent.body.results.length).toBeGreaterThan(0);
		// search_type is honoured: the same words searched as an event find that event's sets.
		const event = site.sets[0].event;
		const asEvent = await gw.request<{ results: Array<{ title: string }> }>(
			"GET",
			`/api/v1/search/?query=${encodeURIComponent(event.name)}&search_type=event&limit=10`
		);
		expect(asEvent.status).toBe(200);
		expect(asEvent.body.results.length).toBeGreaterThan(0);
		expect(asEvent.body.results.every(r => r.title.includes(event.name))).toBe(true);
	});

	it("Retrieve a Tracklist: POST /api/v1/tracklist {url, include_transitions} answers tracklist.tracks with timestamp, artist, title", async () => {
		const set = site.sets[1];
		const res = await gw.request<{ tracklist: { tracks: SeedTrack[]; dj_name: string; transitions?: unknown[] } }>("POST", "/api/v1/tracklist", {
			body: { url: site.url + site.pathOf(set), include_transitions: true }
		});
		expect(res.status).toBe(200);
		const tracks = res.body.tracklist.tracks;
		expect(tracks).toHaveLength(set.tracks.length);
		expect(res.body.tracklist.dj_name).toBe(set.djs[0].name);
		for (const t of tracks) {
			expect(typeof t.title).toBe("string");
			expect(typeof t.artist).toBe("string");
			if (t.timestamp) expect(t.timestamp.formatted_time).toMatch(/^(\d+:)?\d\d:\d\d$/);
		}
		expect(tracks.some(t => t.timestamp !== null)).toBe(true);
		expect(res.body.tracklist.transitions).toBeDefined();
	});

	it("Generate CUE File: POST /api/v1/cue/generate with the seed's own body (a URL not scraped yet, no audio_file_name) answers cue_content; GET /api/v1/cue/{id}", async () => {
		const set = site.sets[3];
		const res = await gw.request<{ id: string; cue_content: string; file_size: number }>("POST", "/api/v1/cue/generate", {
			body: { tracklist_url: site.url + site.pathOf(set), format: "standard", include_pregap: true }
		});
		expect(res.status).toBe(201);
		expect(res.body.cue_content).toContain("TRACK 01 AUDIO");
		expect(res.body.cue_content).toMatch(/^FILE "[^"]+" (MP3|WAVE)$/m);
		expect(res.body.file_size).toBe(Buffer.byteLength(res.body.cue_content));
		const got = await gw.request<{ cue_content: string }>("GET", `/api/v1/cue/${res.body.id}`);
		expect(got.status).toBe(200);
		expect(got.body.cue_content).toBe(res.body.cue_content);
	});

	it("POST /api/v1/tracklist with the client's correlation_id, then GET /api/v1/tracklist/status/{correlation_id}; DELETE /api/v1/tracklist/cache", async () => {
		const set = site.sets[2];
		const correlationId = "3f0c9a52-6f1e-4c55-9a57-0d2b1f6e8c11";
		const started = await gw.request<{ correlation_id: string }>("POST", "/api/v1/tracklist", {
			body: { url: site.url + site.pathOf(set), force_refresh: false, include_transitions: true, correlation_id: correlationId, async: true }
		});
		expect(started.status).toBe(202);
		expect(started.body.correlation_id).toBe(correlationId);
		await eventually("the async scrape", async () => (await gw.request<{ status: string }>("GET", `/api/v1/tracklist/status/${correlationId}`)).body.status === "done");
		expect((await gw.request("DELETE", "/api/v1/tracklist/cache", { user: admin })).status).toBe(200);
	});

	it("the admin curl calls: /health, /api/v1/admin/health, /api/v1/admin/cache/clear, /api/v1/admin/stats with every service reporting", async () => {
		expect((await gw.request("GET", "/health")).status).toBe(200);
		expect((await gw.request("GET", "/api/v1/admin/health", { user: admin })).status).toBe(200);
		expect((await gw.request("POST", "/api/v1/admin/cache/clear", { user: admin })).status).toBe(200);
		const stats = await gw.request<Record<string, Record<string, unknown>>>("GET", "/api/v1/admin/stats", { user: admin });
		expect(stats.status).toBe(200);
		for (const part of ["catalog", "crawl", "users", "activity", "scraper", "insights"]) {
			expect(stats.body[part]).not.toEqual({ available: false });
			expect(stats.body[part]).not.toHaveProperty("error");
		}
		expect(stats.body.activity).toMatchObject({ events: expect.any(Number) });
		expect(stats.body.insights).toMatchObject({ generator: "builtin" });
	});
});
