import { ServiceBroker, type ServiceSchema } from "moleculer";
import { ensureCrawlerMetrics } from "../../../mixins/metrics/crawler";
import { nodeCounters } from "../../../services/ops/local";
import CatalogService from "../../../services/catalog.service";
import OpsService from "../../../services/ops.service";
import SchedulerService from "../../../services/scheduler.service";
import StatusService from "../../../services/status.service";
import { CounterTotals, StatusHistory } from "../../../services/status/history";
import { STATUS_SECTIONS } from "../../../services/status/sections";
import type { StatusSnapshot } from "../../../services/status/types";
import { mergeTracklists, tracklistView, upstreamViews } from "../../../services/status/views";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";

const SERVICES = [OpsService, SchedulerService, CatalogService, StatusService] as unknown as ServiceSchema[];
const admin = { id: "u-admin", role: "admin" as const };
const user = { id: "u-1", role: "user" as const };

describe("the status service behind the gateway", () => {
	let gw: TestGateway;

	beforeAll(async () => {
		gw = await startGateway(SERVICES, { STATUS_SAMPLE_MS: "200" });
	});
	afterAll(() => gw.stop());

	it("serves the page as HTML at /status, with a policy that keeps the token on this origin", async () => {
		const res = await fetch(`${gw.base}/status`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
		expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
		const html = await res.text();
		for (const s of STATUS_SECTIONS) expect(html).toContain(`<section id="${s.id}"`);
		expect(html).toContain("/api/v1/status");
	});

	it("answers the JSON to admins only", async () => {
		expect((await gw.request("GET", "/api/v1/status")).status).toBe(401);
		expect((await gw.request("GET", "/api/v1/status", { user })).status).toBe(403);
		const res = await gw.request<StatusSnapshot>("GET", "/api/v1/status", { user: admin });
		expect(res.status).toBe(200);
		expect(res.body.nodes.map(n => n.nodeID)).toEqual([gw.broker.nodeID]);
		expect(res.body.nodes[0].roles).toEqual(["api", "data"]);
		expect(res.body.crawl?.tiers.low).toEqual({ queued: 0, leased: 0 });
	});

	it("charts the queue over time and lists tracklist.processed events", async () => {
		await gw.broker.call("scheduler.pause", {});
		await gw.broker.call("scheduler.seed", { artists: ["A", "B", "C"] });
		gw.broker.emit("tracklist.processed", { tracklistId: "t1", url: "https://tl.example/t1", trackCount: 12, processingTimeMs: 340 });
		const s = await eventually("a sample with the seeds", async () => {
			const res = await gw.request<StatusSnapshot>("GET", "/api/v1/status", { user: admin });
			return res.body.crawl?.tiers.low.queued === 3 && res.body.tracklists.items.length === 1 ? res.body : null;
		});
		expect(s.history.length).toBeGreaterThan(1);
		expect(s.history[s.history.length - 1].queued.low).toBe(3);
		expect(s.crawl?.paused).toEqual(["*"]);
		expect(s.tracklists).toEqual({ sources: ["events"], items: [expect.objectContaining({ tracklistId: "t1", trackCount: 12, processingTimeMs: 340 })] });
	});
});

describe("the status JSON with STATUS_PAGE_PUBLIC", () => {
	it("needs no token", async () => {
		const gw = await startGateway(SERVICES, { STATUS_PAGE_PUBLIC: "true" });
		try {
			const res = await gw.request<StatusSnapshot>("GET", "/api/v1/status");
			expect(res.status).toBe(200);
			expect(res.body.sampleMs).toBe(5000);
		} finally {
			await gw.stop();
		}
	});
});

describe("cluster-wide counter totals", () => {
	const reading = (nodeID: string, uptimeSec: number, tracks: number) => ({
		nodeID,
		uptimeSec,
		counters: { tracksProcessed: { album: tracks }, jobErrors: 0, apiCalls: {} }
	});

	it("adds each node's increase, counts a restarted node's new value whole, and ignores the past of a long-running newcomer", () => {
		const totals = new CounterTotals(10_000);
		totals.observe([reading("a", 500, 100)]);
		expect(totals.snapshot().tracks).toBe(0);
		totals.observe([reading("a", 505, 130), reading("b", 3, 20)]);
		expect(totals.snapshot().tracks).toBe(50);
		totals.observe([reading("a", 1, 5), reading("b", 8, 20), reading("c", 9000, 777)]);
		expect(totals.snapshot().tracks).toBe(55);
	});

	it("turns totals into per-minute rates over the last minute", () => {
		const history = new StatusHistory(3_600_000);
		const base = { queued: { high: 0, medium: 0, low: 0 }, leased: { high: 0, medium: 0, low: 0 }, dead: 0 };
		expect(history.record(0, { tracks: 0, "api:spotify": 0 }, base, true).tracksPerMin).toBeNull();
		const s = history.record(30_000, { tracks: 60, errors: 3, "api:spotify": 90 }, base, true);
		expect(s).toMatchObject({ tracksPerMin: 120, errorsPerMin: 6, apiPerSec: { spotify: 3 } });
		expect(history.record(40_000, { tracks: 60 }, base, false).tracksPerMin).toBeNull();
	});
});

describe("status views", () => {
	it("shows one row per limiter for the cluster: the override's settings and the longest pause", () => {
		const now = 1_000_000;
		const rows = upstreamViews(
			[
				{ name: "spotify", nodeID: "a", mode: "shared", settings: { maxPerWindow: 90, windowMs: 30000 }, queued: 0, running: 0, recentRatePerSec: 1 },
				{ name: "spotify", nodeID: "b", mode: "shared", settings: { maxPerWindow: 60, windowMs: 30000 }, queued: 0, running: 0, recentRatePerSec: 2, overridden: true, pausedUntil: now + 5000 }
			],
			{},
			now
		);
		expect(rows).toEqual([{ name: "spotify", limitPerSec: 2, maxPerWindow: 60, windowMs: 30000, ratePerSec: 3, pausedUntil: now + 5000, modes: ["shared"], overridden: true }]);
	});

	it("accepts a tracklist from the event or from the scraper's list, and drops one without id or url", () => {
		expect(tracklistView({ id: "x", url: "https://a/b", title: "Set", tracks: [1, 2], scrapedAt: "2026-01-01T00:00:00Z" }, null)).toEqual({
			tracklistId: "x",
			url: "https://a/b",
			title: "Set",
			trackCount: 2,
			processingTimeMs: null,
			at: Date.parse("2026-01-01T00:00:00Z")
		});
		expect(tracklistView({ url: "https://a/b" }, 1)).toBeNull();
		expect(tracklistView("nonsense", 1)).toBeNull();
	});

	it("merges the scraper's list with the events heard: one row per tracklist, newest first", () => {
		const t = (id: string, at: number, processingTimeMs: number | null, title: string | null = null) => ({ tracklistId: id, url: `https://x/${id}`, title, trackCount: 3, processingTimeMs, at });
		const merged = mergeTracklists([t("a", 10, null, "A set"), t("b", 30, null)], [t("a", 11, 250), t("c", 20, 90)], 10);
		expect(merged.map(m => [m.tracklistId, m.title, m.processingTimeMs, m.at])).toEqual([
			["b", null, null, 30],
			["c", null, 90, 20],
			["a", "A set", 250, 10]
		]);
		expect(mergeTracklists([t("a", 1, null), t("b", 2, null)], [], 1).map(m => m.tracklistId)).toEqual(["b"]);
	});
});

describe("a node's failed-job count", () => {
	it("leaves out 429 waits, as the scheduler's failures (10 min) do", async () => {
		const broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
		ensureCrawlerMetrics(broker);
		await broker.start();
		try {
			broker.metrics.increment("crawler_errors_total", { type: "album.tracks", kind: "rate-limited" }, 140);
			broker.metrics.increment("crawler_errors_total", { type: "album.tracks", kind: "retryable" }, 9);
			broker.metrics.increment("crawler_errors_total", { type: "artist.discover", kind: "fatal" }, 2);
			expect(nodeCounters(broker)?.jobErrors).toBe(11);
		} finally {
			await broker.stop();
		}
	});
});
