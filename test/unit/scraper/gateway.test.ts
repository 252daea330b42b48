import type { Context, ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import type { AuthUser } from "../../../services/shared/access";
import { eventually } from "../../harness/ports";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { startTracklistSite, type TracklistSite } from "../../simulators/tracklists";

const alice = { id: "alice", role: "user" as const };
const bob = { id: "bob", role: "user" as const };
const admin = { id: "root", role: "admin" as const };

interface Body {
	[key: string]: unknown;
	error?: { status: number; type: string; message: string; data?: Record<string, unknown> };
}
interface TrackBody {
	number: number;
	title: string;
	cue_ms: number | null;
	catalog: { track_id: string; tempo: number | null; matched_by: string } | null;
}
interface TracklistBody extends Body {
	id: string;
	title: string;
	version: number;
	cached?: boolean;
	changed?: boolean;
	tracks: TrackBody[];
	bpm_curve: Array<{ number: number; bpm: number }>;
	transitions?: Array<{ kind: string }>;
}
interface TaskBody extends Body {
	id: string;
	status: string;
	progress?: { done: number; total: number };
	result?: Record<string, unknown>;
	error?: { status: number; type: string; message: string };
	import?: { total: number; done: number; failed: number; items: Array<{ url: string; state: string; error: { type: string } | null }> };
}

describe("the scraper through the gateway, against the tracklist-site simulator", () => {
	let site: TracklistSite;
	let gw: TestGateway;
	const processed: Array<Record<string, unknown>> = [];
	const listener = {
		name: "processed-listener",
		events: {
			"tracklist.processed"(ctx: Context<Record<string, unknown>>) {
				processed.push(ctx.params);
			}
		}
	};

	beforeAll(async () => {
		site = await startTracklistSite({ sets: 30, tracksPerSet: 12, pageSize: 5 });
		const services = ["tasks", "scheduler", "catalog", "scraper", "scraper-worker"].map(n => serviceCatalog[n] as ServiceSchema);
		gw = await startGateway([...services, listener as ServiceSchema], {
			SCRAPER_SITE_URL: site.url,
			SCRAPER_ALLOWED_HOSTS: site.host,
			SCRAPER_ALLOW_PRIVATE_ADDRESSES: "true",
			SCRAPER_RETRY_BASE_MS: "10",
			SCRAPER_TIMEOUT_MS: "1000",
			SCRAPER_RETRIES: "1",
			SCRAPE_DEFAULT_DELAY_MS: "5",
			WORKER_POLL_MS: "20",
			JOB_BACKOFF_BASE_MS: "10",
			JOB_BACKOFF_MAX_MS: "50",
			CRAWLER_CONCURRENCY: "2"
		});
		await gw.broker.call("catalog.upsertTracks", {
			tracks: [
				{ provider: "deezer", id: "901", name: "Low Tide", artists: [{ id: "a1", name: "Sela Brandt" }], tempo: 122 },
				{ provider: "deezer", id: "902", name: "Northern Lights", artists: [{ id: "a2", name: "Hana Lirio" }], tempo: 126 }
			]
		});
	});
	afterAll(async () => {
		await gw?.stop();
		await site?.close();
	});

	const scrape = (path: string, extra: Record<string, unknown> = {}, user?: AuthUser) => gw.request<TracklistBody>("POST", "/api/v1/tracklist", { body: { url: site.url + path, ...extra }, user });
	const statusOf = (id: string, user?: AuthUser) => gw.request<TaskBody>("GET", `/api/v1/tracklist/status/${id}`, { user });
	const finished = (id: string, user?: AuthUser) =>
		eventually(`task ${id} to finish`, async () => {
			const res = await statusOf(id, user);
			return res.body.status === "done" || res.body.status === "failed" ? res.body : null;
		}, 20000, 50);

	it("scrapes a page, links its tracks to the catalog for a BPM curve, and emits tracklist.processed", async () => {
		const res = await scrape("/tracklist/fixture/full.html", { include_transitions: true });
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ title: expect.stringContaining("Lantern Hall Festival"), version: 1, cached: false, track_count: 9, date: "2024-06-15" });
		expect(res.body.tracks[1]).toMatchObject({ number: 2, title: "Low Tide", cue_ms: 227000, cue: "03:47", is_id: false, catalog: { tempo: 122, matched_by: "name" } });
		expect(res.body.tracks[3]).toMatchObject({ is_id: true, catalog: null });
		expect(res.body.bpm_curve).toEqual([
			{ number: 2, position: 2, cue_ms: 227000, bpm: 122 },
			{ number: 6, position: 7, cue_ms: 3725000, bpm: 126 }
		]);
		expect(res.body.transitions?.map(t => t.kind)).toEqual(["mix", "layer", "mix", "mix", "mix", "mix", "mix", "mix"]);
		expect(res.body.source_hash).toMatch(/^[0-9a-f]{64}$/);
		const event = await eventually("the processed event", () => processed.find(e => e.tracklistId === res.body.id));
		expect(event).toMatchObject({ url: `${site.url}/tracklist/fixture/full.html`, trackCount: 9 });
		expect(event.processingTimeMs).toEqual(expect.any(Number));
	});

	it("answers from the cache while it is fresh; force_refresh fetches again and makes no version when nothing changed", async () => {
		const before = site.count("/tracklist/fixture/full.html");
		const cached = await scrape("/tracklist/fixture/full.html");
		expect(cached.body.cached).toBe(true);
		expect(site.count("/tracklist/fixture/full.html")).toBe(before);
		const fresh = await scrape("/tracklist/fixture/full.html", { force_refresh: true });
		expect(fresh.body).toMatchObject({ cached: false, version: 1 });
		expect(site.count("/tracklist/fixture/full.html")).toBe(before + 1);
		const versions = await gw.request<Body & { versions: unknown[] }>("GET", `/api/v1/tracklist/${fresh.body.id}/versions`);
		expect(versions.body.versions).toHaveLength(1);
		expect((await gw.request<TracklistBody>("GET", `/api/v1/tracklist/${fresh.body.id}`)).body.id).toBe(fresh.body.id);
	});

	it("refuses URLs off the allowlist, and reports blocks, parse mismatches, robots.txt rules and missing pages without storing anything", async () => {
		const count = async () => (await gw.broker.call<{ tracklists: number }, object>("scraper.stats", {})).tracklists;
		const stored = await count();
		const off = await gw.request<Body>("POST", "/api/v1/tracklist", { body: { url: "http://example.com/tracklist/x.html" } });
		expect([off.status, off.body.error?.type]).toEqual([422, "URL_REFUSED"]);
		const blocked = await scrape("/tracklist/challenge/x.html");
		expect([blocked.status, blocked.body.error?.type, blocked.body.error?.data?.reason]).toEqual([503, "BLOCKED", "challenge"]);
		const ipBlock = await scrape("/tracklist/ipblock/x.html");
		expect([ipBlock.status, ipBlock.body.error?.data?.reason]).toEqual([503, "ip-block"]);
		const mismatch = await scrape("/tracklist/fixture/mismatch.html");
		expect([mismatch.status, mismatch.body.error?.type]).toEqual([502, "PARSE_MISMATCH"]);
		const robots = await scrape("/private/set.html");
		expect([robots.status, robots.body.error?.type]).toEqual([403, "ROBOTS_DISALLOWED"]);
		const missing = await scrape("/tracklist/nowhere/x.html");
		expect([missing.status, missing.body.error?.type]).toEqual([404, "PAGE_NOT_FOUND"]);
		expect(site.violations()).toEqual([]);
		expect(await count()).toBe(stored);
	});

	it("waits for a slow page within the timeout, and gives up on one slower than that after one retry", async () => {
		const slow = await scrape("/tracklist/slow/300/ok.html");
		expect([slow.status, slow.body.track_count]).toEqual([200, 9]);
		const tooSlow = await scrape("/tracklist/slow/4000/late.html");
		expect([tooSlow.status, tooSlow.body.error?.type]).toEqual([502, "FETCH_FAILED"]);
		expect(tooSlow.body.error?.message).toMatch(/timed out after 1000 ms/);
		expect(site.count("/tracklist/slow/4000/")).toBe(2);
	});

	it("scrapes asynchronously: 202 with a task, progress and the result through the status endpoint", async () => {
		const accepted = await scrape(site.pathOf(site.sets[0]), { async: true });
		expect(accepted.status).toBe(202);
		expect(accepted.body).toMatchObject({ kind: "tracklist.scrape", status: "pending" });
		const done = await finished(accepted.body.id);
		expect(done).toMatchObject({ status: "done", result: { outcome: "created" }, import: { total: 1, done: 1, failed: 0 } });
		const tracklist = await gw.request<TracklistBody>("GET", `/api/v1/tracklist/${done.result?.tracklist_id}`);
		expect(tracklist.body.track_count).toBe(12);

		const failed = await finished((await scrape("/tracklist/challenge/async.html", { async: true })).body.id);
		expect(failed).toMatchObject({ status: "failed", error: { type: "BLOCKED" } });
	});

	it("imports a batch as scheduler jobs, counting each URL once, with failures listed; only the owner and admins see it", async () => {
		const urls = [1, 2, 3, 4].map(i => site.url + site.pathOf(site.sets[i]));
		expect((await gw.request("POST", "/api/v1/tracklist/import", { body: { urls } })).status).toBe(401);
		const accepted = await gw.request<TaskBody>("POST", "/api/v1/tracklist/import", { body: { urls: [...urls, urls[0], `${site.url}/tracklist/challenge/b.html`] }, user: alice });
		expect(accepted.status).toBe(202);
		const done = await finished(accepted.body.id, alice);
		expect(done.status).toBe("done");
		expect(done.progress).toEqual({ done: 5, total: 5 });
		expect(done.import).toMatchObject({ total: 5, done: 4, failed: 1 });
		expect(done.import?.items.find(i => i.state === "failed")?.error?.type).toBe("BLOCKED");
		expect(done.result).toMatchObject({ total: 5, done: 4, failed: 1 });
		expect((await statusOf(accepted.body.id, bob)).status).toBe(403);
		expect((await statusOf(accepted.body.id)).status).toBe(401);
		expect((await statusOf(accepted.body.id, admin)).status).toBe(200);
		expect((await gw.request("GET", `/api/v1/tasks/${accepted.body.id}`, { user: alice })).status).toBe(200);
		const jobs = await gw.broker.call<{ done: number }, object>("scheduler.status", {});
		expect(jobs.done).toBeGreaterThanOrEqual(5);
	});

	it("makes one import for one Idempotency-Key, even when the repeat runs again after the first answer was lost", async () => {
		const urls = [5, 6].map(i => site.url + site.pathOf(site.sets[i]));
		const meta = { user: alice, idempotencyKey: "import-lost-answer" };
		const first = await gw.broker.call<TaskBody, object>("scraper.import", { urls }, { meta });
		const again = await gw.broker.call<TaskBody, object>("scraper.import", { urls }, { meta });
		expect(again.id).toBe(first.id);
		const other = await gw.broker.call<TaskBody, object>("scraper.import", { urls }, { meta: { user: bob, idempotencyKey: "import-lost-answer" } });
		expect(other.id).not.toBe(first.id);
		await finished(first.id, alice);
		await finished(other.id, bob);
	});

	it("lists an event's tracklists across site pages, filters by date, and reuses cached listing pages", async () => {
		const event = site.sets[0].event;
		const all = site.sets.filter(s => s.event.slug === event.slug);
		const first = await gw.request<Body & { items: Array<{ title: string; date: string }>; has_more: boolean }>("GET", `/api/v1/search/event/${event.slug}?limit=6`);
		expect(first.status).toBe(200);
		expect(first.body.items.map(i => i.title)).toEqual(all.slice(0, 6).map(s => s.title));
		expect(first.body.has_more).toBe(true);
		const second = await gw.request<Body & { items: unknown[]; has_more: boolean }>("GET", `/api/v1/search/event/${event.slug}?limit=6&page=2`);
		expect(second.body.items).toHaveLength(all.length - 6);
		expect(second.body.has_more).toBe(false);
		const requests = site.requests.length;
		await gw.request("GET", `/api/v1/search/event/${event.slug}?limit=6`);
		expect(site.requests.length).toBe(requests);
		const from = all[2].date;
		const dated = await gw.request<Body & { items: Array<{ date: string }> }>("GET", `/api/v1/search/event/${event.slug}?limit=100&start_date=${from}`);
		expect(dated.body.items.every(i => i.date >= from)).toBe(true);
		expect(dated.body.items.length).toBe(all.filter(s => s.date >= from).length);
	});

	it("searches by DJ and by track, and lists a DJ's sets", async () => {
		const dj = site.sets[1].djs[0];
		const byDj = await gw.request<Body & { items: Array<{ djs: string[] }> }>("GET", `/api/v1/search?query=${encodeURIComponent(dj.name)}&type=dj&limit=100`);
		expect(byDj.body.items.length).toBe(site.sets.filter(s => s.djs[0].name === dj.name).length);
		expect(byDj.body.items.every(i => i.djs.includes(dj.name))).toBe(true);
		const title = site.sets[3].tracks.find(t => !t.unknown)?.title ?? "";
		const byTrack = await gw.request<Body & { items: Array<{ url: string }> }>("GET", `/api/v1/search?query=${encodeURIComponent(title)}&type=track&limit=100`);
		expect(byTrack.body.items.map(i => i.url)).toContain(site.url + site.pathOf(site.sets[3]));
		const listing = await gw.request<Body & { dj: string; items: unknown[] }>("GET", `/api/v1/search/dj/${dj.slug}?limit=2`);
		expect(listing.body).toMatchObject({ dj: dj.slug, page: 1, limit: 2 });
		expect(listing.body.items).toHaveLength(2);
		expect((await gw.request("GET", "/api/v1/search?query=x&limit=101")).status).toBe(422);
	});

	it("lets admins only clear the cache, after which pages and robots.txt are fetched again", async () => {
		expect((await gw.request("DELETE", "/api/v1/tracklist/cache")).status).toBe(401);
		expect((await gw.request("DELETE", "/api/v1/tracklist/cache", { user: alice })).status).toBe(403);
		const robots = site.count("/robots.txt");
		const cleared = await gw.request<Body & { cleared: { tracklists: number } }>("DELETE", "/api/v1/tracklist/cache", { user: admin });
		expect(cleared.status).toBe(200);
		expect(cleared.body.cleared.tracklists).toBeGreaterThan(0);
		const again = await scrape("/tracklist/fixture/full.html");
		expect(again.body.cached).toBe(false);
		expect(site.count("/robots.txt")).toBe(robots + 1);
	});

	it("keeps drafts per user, publishes them as versions, never versions an unchanged rescrape, and restores old versions", async () => {
		const { body: original } = await scrape("/tracklist/fixture/full.html");
		const id = original.id;
		expect((await gw.request("PUT", `/api/v1/tracklist/${id}/draft`, { body: { title: "x" } })).status).toBe(401);
		const tracks = [
			{ artist: "Kay Morrow & Lio Vance", title: "Paper Lanterns", remix: "Deepwell Remix", cue_ms: 0 },
			{ artist: "Sela Brandt", title: "Low Tide", cue_ms: 227000 },
			{ artist: "Orin Vale", title: "Echo Chamber", played_with: true },
			{ artist: "Quentin Aube", title: "Found It", cue_ms: 570000 }
		];
		const draft = await gw.request<Body & { base_version: number; title: string; tracks: Array<{ number: number; cue_ms: number | null; is_id: boolean }> }>("PUT", `/api/v1/tracklist/${id}/draft`, {
			body: { title: "Edited set", tracks },
			user: alice
		});
		expect(draft.status).toBe(200);
		expect(draft.body).toMatchObject({ base_version: original.version, title: "Edited set", outdated: false });
		expect(draft.body.tracks.map(t => [t.number, t.cue_ms, t.is_id])).toEqual([
			[1, 0, false],
			[2, 227000, false],
			[2, 227000, false],
			[3, 570000, false]
		]);
		expect((await gw.request("GET", `/api/v1/tracklist/${id}/draft`, { user: bob })).status).toBe(404);
		const renamed = await gw.request<Body & { title: string; track_count: number }>("PUT", `/api/v1/tracklist/${id}/draft`, { body: { date: null, genres: ["Techno"] }, user: alice });
		expect(renamed.body).toMatchObject({ title: "Edited set", track_count: 4, date: null, genres: ["Techno"] });
		expect((await gw.request("PUT", `/api/v1/tracklist/${id}/draft`, { body: { tracks: [{ title: "no artist" }] }, user: alice })).status).toBe(422);

		const published = await gw.request<TracklistBody>("POST", `/api/v1/tracklist/${id}/draft/publish`, { user: alice });
		expect(published.body).toMatchObject({ changed: true, version: original.version + 1, title: "Edited set", track_count: 4 });
		expect(published.body.bpm_curve).toEqual([{ number: 2, position: 2, cue_ms: 227000, bpm: 122 }]);
		expect((await gw.request("POST", `/api/v1/tracklist/${id}/draft/publish`, { user: alice })).status).toBe(404);

		// The site's page did not change: a rescrape makes no version and keeps the published edit.
		const rescraped = await scrape("/tracklist/fixture/full.html", { force_refresh: true });
		expect(rescraped.body).toMatchObject({ version: original.version + 1, title: "Edited set" });

		const history = await gw.request<Body & { current: number; versions: Array<{ version: number; source: string; user_id: string | null }> }>("GET", `/api/v1/tracklist/${id}/versions`);
		expect(history.body.versions.map(v => [v.version, v.source, v.user_id])).toEqual([
			[original.version + 1, "draft", "alice"],
			[original.version, "scrape", null]
		]);
		const old = await gw.request<Body & { title: string; current: boolean }>("GET", `/api/v1/tracklist/${id}/versions/${original.version}`);
		expect(old.body).toMatchObject({ title: original.title, current: false });

		const restored = await gw.request<TracklistBody>("POST", `/api/v1/tracklist/${id}/versions/${original.version}/restore`, { user: bob });
		expect(restored.body).toMatchObject({ changed: true, version: original.version + 2, title: original.title, track_count: 9 });
		const again = await gw.request<TracklistBody>("POST", `/api/v1/tracklist/${id}/versions/${original.version}/restore`, { user: bob });
		expect(again.body).toMatchObject({ changed: false, version: original.version + 2 });
		expect((await gw.request("GET", `/api/v1/tracklist/${id}/versions/99`)).status).toBe(404);
	});

	it("generates CUE sheets, serves them by id and as a file, and validates them against the audio", async () => {
		const { body: set } = await scrape("/tracklist/fixture/no-microdata.html");
		const refused = await gw.request<Body>("POST", "/api/v1/cue/generate", { body: { tracklist_url: `${site.url}/tracklist/fixture/full.html`, audio_file_name: "set.mp3", missing_times: "refuse" } });
		expect([refused.status, refused.body.error?.type]).toEqual([422, "CUE_MISSING_TIMES"]);
		// By default (the seed systems' way) the missing time is estimated, and the answer says which.
		const estimated = await gw.request<Body & { estimated_tracks: number[]; text: string; audio_file_name: string }>("POST", "/api/v1/cue/generate", { body: { tracklist_url: `${site.url}/tracklist/fixture/full.html` } });
		expect(estimated.status).toBe(201);
		expect(estimated.body).toMatchObject({ estimated_tracks: [8], audio_file_name: "mara-quell-tobin-reyes-lantern-hall-festival-harbor-stage-portmere-2024-06-15.mp3" });
		expect(estimated.body.text).toContain("    REM INDEX_ESTIMATED\r\n");
		const made = await gw.request<Body & { id: string; text: string; checksum: string; size: number; track_count: number }>("POST", "/api/v1/cue/generate", {
			body: { tracklist_id: set.id, audio_file_name: "basement-031.mp3", format: "standard" },
			user: alice
		});
		expect(made.status).toBe(201);
		expect(made.body).toMatchObject({ track_count: 4, format: "standard", checksum_algorithm: "sha256", size: Buffer.byteLength(made.body.text) });
		expect(made.body.text).toContain('FILE "basement-031.mp3" MP3');
		expect(made.body.text).toContain("    INDEX 01 60:30:00");
		expect((await gw.request<Body>("GET", `/api/v1/cue/${made.body.id}`)).body).toMatchObject({ id: made.body.id, checksum: made.body.checksum });
		const file = await fetch(`${gw.base}/api/v1/cue/${made.body.id}?download=true`);
		expect(file.headers.get("content-disposition")).toBe('attachment; filename="basement-031.cue"');
		expect(await file.text()).toBe(made.body.text);

		const ok = await gw.request<Body & { ok: boolean }>("POST", "/api/v1/cue/validate", { body: { cue_id: made.body.id, duration_seconds: 3700 } });
		expect(ok.body).toMatchObject({ ok: true, problems: [], audio: { method: "given" } });
		const wav = Buffer.alloc(44);
		wav.write("RIFF", 0, "latin1");
		wav.write("WAVEfmt ", 8, "latin1");
		wav.writeUInt32LE(16, 16);
		wav.writeUInt32LE(176400, 28);
		wav.write("data", 36, "latin1");
		wav.writeUInt32LE(176400 * 1800, 40);
		const short = await gw.request<Body & { ok: boolean; problems: Array<{ track: number; code: string }> }>("POST", "/api/v1/cue/validate", {
			body: { tracklist_id: set.id, audio_header_base64: wav.toString("base64") }
		});
		expect(short.body).toMatchObject({ ok: false, durationMs: 1_800_000, audio: { format: "wav", method: "header" } });
		expect(short.body.problems.map(p => [p.track, p.code])).toEqual([[4, "beyond_end"]]);
		expect((await gw.request("POST", "/api/v1/cue/validate", { body: { cue_text: "TRACK 01 AUDIO" } })).status).toBe(422);
	});

	it("speaks the seed system's shapes: search_type, a client correlation_id kept and pollable, CUE sheets from a URL not scraped yet", async () => {
		// search_type=event is honoured (it used to fall back to a DJ search: 200 with nothing).
		const event = site.sets[0].event;
		const byEvent = await gw.request<Body & { type: string; items: Array<{ title: string }> }>("GET", `/api/v1/search?query=${encodeURIComponent(event.name)}&search_type=event&limit=100`);
		expect(byEvent.status).toBe(200);
		expect(byEvent.body.type).toBe("event");
		expect(byEvent.body.items.map(i => i.title).sort()).toEqual(site.sets.filter(s => s.event.name.includes(event.name)).map(s => s.title).sort());
		expect((await gw.request<Body>("GET", `/api/v1/search?query=x&type=dj&search_type=event`)).status).toBe(422);

		// An async scrape under the client's correlation_id is polled by that id.
		const correlationId = "3f0c8d6e-5b1a-4c2d-9e7f-000000000016";
		const accepted = await scrape(site.pathOf(site.sets[21]), { async: true, correlation_id: correlationId });
		expect(accepted.status).toBe(202);
		expect(accepted.body).toMatchObject({ correlation_id: correlationId });
		const done = await finished(correlationId);
		expect(done).toMatchObject({ id: accepted.body.id, correlation_id: correlationId, status: "done", result: { outcome: "created" } });
		const reused = await scrape(site.pathOf(site.sets[22]), { async: true, correlation_id: correlationId });
		expect([reused.status, reused.body.error?.type]).toEqual([409, "CORRELATION_ID_IN_USE"]);
		// A synchronous scrape with one answers at once and stays pollable.
		const sync = await scrape(site.pathOf(site.sets[22]), { correlation_id: "sync-16" });
		expect(sync.body).toMatchObject({ correlation_id: "sync-16", track_count: 12 });
		expect(await finished("sync-16")).toMatchObject({ status: "done", correlation_id: "sync-16", result: { tracklist_id: sync.body.id } });

		// CUE generation from a page nobody scraped yet: it is scraped first. No audio name: one is made from the title.
		const unscraped = site.sets[23];
		const before = site.count(site.pathOf(unscraped));
		const cue = await gw.request<Body & { text: string; audio_file_name: string; estimated_tracks: number[]; files: string[] }>("POST", "/api/v1/cue/generate", {
			body: { tracklist_url: site.url + site.pathOf(unscraped), format: "standard", include_pregap: true }
		});
		expect(cue.status).toBe(201);
		expect(site.count(site.pathOf(unscraped))).toBe(before + 1);
		expect(cue.body.audio_file_name).toMatch(/^[a-z0-9-]+\.mp3$/);
		expect(cue.body.files).toEqual([cue.body.audio_file_name]);
		expect(cue.body.text).toContain(`FILE "${cue.body.audio_file_name}" MP3`);
		// The seed sends a path: its last part names the FILE.
		const withPath = await gw.request<Body & { text: string; audio_file_name: string }>("POST", "/api/v1/cue/generate", {
			body: { tracklist_url: site.url + site.pathOf(unscraped), audio_file_path: "/music/sets/night-drive.flac" }
		});
		expect(withPath.body.audio_file_name).toBe("night-drive.flac");
		expect(withPath.body.text).toContain('FILE "night-drive.flac" WAVE');
		expect(site.count(site.pathOf(unscraped))).toBe(before + 1);
	});

	it("answers 503 BLOCKED for the site's forwarder and image captcha, never 422, and stores nothing", async () => {
		for (const name of ["forward-challenge", "image-captcha"]) {
			const res = await scrape(`/tracklist/fixture/${name}.html`);
			expect([res.status, res.body.error?.type, res.body.error?.data?.reason]).toEqual([503, "BLOCKED", "challenge"]);
		}
		const cue = await gw.request<Body>("POST", "/api/v1/cue/generate", { body: { tracklist_url: `${site.url}/tracklist/fixture/image-captcha.html` } });
		expect([cue.status, cue.body.error?.type]).toEqual([503, "BLOCKED"]);
		const latest = await gw.broker.call<Array<{ url: string }>, { limit: number }>("scraper.latest", { limit: 100 });
		expect(latest.filter(l => /challenge|captcha/.test(l.url))).toEqual([]);
	});

	it("lists the latest tracklists for the status page and forgets a user's drafts", async () => {
		const latest = await gw.broker.call<Array<Record<string, unknown>>, object>("scraper.latest", { limit: 2 });
		expect(latest).toHaveLength(2);
		expect(latest[0]).toEqual({ id: expect.any(String), url: expect.any(String), title: expect.any(String), trackCount: expect.any(Number), scrapedAt: expect.any(String) });
		const { body } = await scrape("/tracklist/fixture/full.html");
		await gw.request("PUT", `/api/v1/tracklist/${body.id}/draft`, { body: { title: "Mine" }, user: alice });
		const forgotten = await gw.broker.call<Record<string, number>, object>("scraper.forgetUser", { userId: "alice" });
		expect(forgotten.drafts).toBe(1);
		expect(forgotten.imports).toBeGreaterThanOrEqual(1);
		expect((await gw.request("GET", `/api/v1/tracklist/${body.id}/draft`, { user: alice })).status).toBe(404);
	});
});
