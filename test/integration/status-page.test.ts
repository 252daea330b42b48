import * as fs from "node:fs";
import * as path from "node:path";
import type { ServiceBroker } from "moleculer";
import { chromium, type Browser, type Page } from "playwright-core";
import { parse } from "yaml";
import type { JobDoc } from "../../services/scheduler/jobs";
import type { StatusSnapshot } from "../../services/status/types";
import { signAccessToken } from "../../services/users/access-token";
import { findBinary } from "../harness/binaries";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { TEST_JWT_SECRET } from "../harness/gateway";
import { clientBroker, startNode, type NodeProcess } from "../harness/nodes";
import { eventually, freePort, sleep } from "../harness/ports";
import { exportedMetricNames, labelValuesMetric, metricNames } from "../harness/promql";
import { startNats, type ServerProcess } from "../harness/servers";
import { pairUrls, upstreamEnv } from "../harness/upstream-env";
import { startSimulators, type SimulatorPair } from "../simulators";

const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts");
/** Metrics Prometheus makes itself while scraping; no node exports them. */
const PROMETHEUS_MADE = new Set(["up"]);
const CRAWL_TYPES = /^(artist|album|track)\./;
const ADMIN = { email: "ops@example.org", password: "correct horse battery" };

interface PageFigures {
	at: string;
	figures: Record<string, string>;
	nodes: Array<{ id: string; roles: string }>;
	bars: Array<{ from: number; count: number }>;
	tracklists: string[];
	limiters: string[];
	state: string;
	charts: Record<string, ChartView>;
}

/** A chart's axes (title and tick values) and its legend, as drawn. */
interface ChartView {
	axes: Record<string, { title: string; ticks: number[]; labels: string[] }>;
	legend: Array<{ name: string; axis: string }>;
	lines: string[];
}

/**
 * Everything the page shows, read in one go so it all belongs to one sample. It runs in the page;
 * it is a string because this project compiles without the DOM's types.
 */
const READ_PAGE = `(() => {
	const attr = (sel, name) => [...document.querySelectorAll(sel)].map(e => e.getAttribute(name) ?? "");
	const figures = {};
	for (const e of document.querySelectorAll("[data-figure]")) figures[e.getAttribute("data-figure")] = e.getAttribute("data-value") ?? "";
	return {
		at: document.getElementById("sample-at")?.getAttribute("data-at") ?? "",
		figures,
		nodes: [...document.querySelectorAll("#nodes-rows tr")].map(tr => ({ id: tr.getAttribute("data-node") ?? "", roles: tr.querySelector("[data-roles]")?.getAttribute("data-roles") ?? "" })),
		bars: [...document.querySelectorAll("#bpm-chart rect")].map(r => ({ from: Number(r.getAttribute("data-from")), count: Number(r.getAttribute("data-count")) })),
		tracklists: attr("#tracklist-items li", "data-tracklist"),
		limiters: attr("#upstream-rows tr", "data-limiter"),
		state: document.getElementById("state")?.textContent ?? "",
		charts: Object.fromEntries([...document.querySelectorAll("main svg")].map(svg => [svg.id, {
			axes: Object.fromEntries([...svg.querySelectorAll("[data-axis]")].map(g => [g.getAttribute("data-axis"), {
				title: g.getAttribute("data-title") ?? "",
				ticks: [...g.querySelectorAll("[data-tick]")].map(t => Number(t.getAttribute("data-tick"))),
				labels: [...g.querySelectorAll("[data-tick]")].map(t => t.textContent ?? "")
			}])),
			legend: [...document.querySelectorAll("#" + svg.id + "-legend li")].map(li => ({ name: li.getAttribute("data-series") ?? "", axis: li.getAttribute("data-axis") ?? "" })),
			lines: [...svg.querySelectorAll("polyline")].map(l => l.getAttribute("data-series") ?? "")
		}]))
	};
})()`;

const READ_SESSION = `sessionStorage.getItem("cratedigger.statusSession")`;

function readPage(page: Page): Promise<PageFigures> {
	return page.evaluate<PageFigures>(READ_PAGE);
}

/** A figure's value in the JSON, by the same path the page uses (`leased` is the page's own sum). */
function jsonFigure(s: StatusSnapshot, figurePath: string): string {
	const leased = s.crawl ? s.crawl.tiers.high.leased + s.crawl.tiers.medium.leased + s.crawl.tiers.low.leased : null;
	const value = figurePath.split(".").reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), { ...s, leased });
	return value === null || value === undefined ? "" : String(value);
}

describeWithBinaries(["nats-server", "chromium"], "the status page against a running single-process cratedigger", () => {
	let nats: ServerProcess;
	let sims: SimulatorPair;
	let node: NodeProcess;
	let client: ServiceBroker;
	let browser: Browser;
	let base = "";
	let metricsUrl = "";
	// The registered admin's own tokens: they live 30 s here, so the test signs in again after 20.
	let signedIn = { token: "", at: 0 };
	const adminToken = async (): Promise<string> => {
		if (Date.now() - signedIn.at < 20_000) return signedIn.token;
		const res = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
		if (!res.ok) throw new Error(`POST /api/v1/auth/login: ${res.status}`);
		signedIn = { token: ((await res.json()) as { accessToken: string }).accessToken, at: Date.now() };
		return signedIn.token;
	};
	const status = async (): Promise<StatusSnapshot> => {
		const res = await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${await adminToken()}` } });
		if (!res.ok) throw new Error(`GET /api/v1/status: ${res.status}`);
		return (await res.json()) as StatusSnapshot;
	};

	beforeAll(async () => {
		nats = await startNats();
		// A small catalog, a tight Spotify rate limit (429s and pauses), some 5xx, and one album that
		// always answers broken JSON (dead-letter): every figure of the page gets something to show.
		sims = await startSimulators({
			catalog: { seed: 17, artists: 6, albumsPerArtist: 3, tracksPerAlbum: 6, malformedAlbums: 1 },
			spotify: { maxPerWindow: 8, windowMs: 1000, faults: { errorRate: 0.1 } },
			deezer: { faults: { errorRate: 0.1 } }
		});
		const port = await freePort();
		const metricsPort = await freePort();
		base = `http://127.0.0.1:${port}`;
		metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
		node = startNode("solo", {
			NAMESPACE: "status-page",
			// The transporter lets the test emit the scraper's events into the process; every service still runs in it.
			TRANSPORTER: nats.url,
			PORT: String(port),
			METRICS_PORT: String(metricsPort),
			STORE_IN_MEMORY: "true",
			JWT_SECRET: TEST_JWT_SECRET,
			ADMIN_EMAILS: ADMIN.email,
			// Shorter than the page's renewal margin: every poll renews the session with its refresh token.
			ACCESS_TOKEN_TTL_SEC: "30",
			STATUS_SAMPLE_MS: "500",
			INSIGHTS_SCHEDULES: "false",
			...upstreamEnv(pairUrls(sims)),
			JOB_MAX_ATTEMPTS: "3",
			JOB_BACKOFF_BASE_MS: "50",
			JOB_BACKOFF_MAX_MS: "300",
			WORKER_POLL_MS: "50",
			CRAWL_MAX_DEPTH: "20",
			CRAWLER_CONCURRENCY: "3"
		});
		await eventually("GET /ready", async () => (await fetch(`${base}/ready`).catch(() => undefined))?.ok, 30000).catch(err => {
			throw new Error(`${(err as Error).message}\n${node.output()}`);
		});
		const registered = await fetch(`${base}/api/v1/users/register`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ ...ADMIN, displayName: "Ops" })
		});
		expect(registered.status).toBe(201);
		client = clientBroker("status-client", { NAMESPACE: "status-page", TRANSPORTER: nats.url, JWT_SECRET: TEST_JWT_SECRET });
		await client.start();
		await client.waitForServices(["status", "scheduler", "catalog"], 20000);
		browser = await chromium.launch({ executablePath: findBinary("chromium") });
	}, 60000);

	afterAll(async () => {
		await browser?.close();
		await client?.stop();
		if (node && node.child.exitCode === null) {
			node.kill("SIGKILL");
			await node.exited();
		}
		await sims?.close();
		await nats?.stop();
	});

	it("asks an admin to sign in, then shows the crawl live and agrees with GET /api/v1/status", async () => {
		const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
		const pageErrors: string[] = [];
		page.on("pageerror", err => pageErrors.push(err.message));
		page.on("console", msg => {
			// The first request goes without a token on purpose; Chromium logs its 401.
			if (msg.type() === "error" && !/status of 401/.test(msg.text())) pageErrors.push(msg.text());
		});
		await page.goto(`${base}/status`);
		await eventually("the sign-in prompt", async () => (await readPage(page)).state.includes("sign in with an admin account"));

		await page.fill("#email", ADMIN.email);
		await page.fill("#password", "not the password");
		await page.click("#sign-in");
		await eventually("a refused sign-in", async () => (await readPage(page)).state.startsWith("sign-in failed"));
		await page.fill("#password", ADMIN.password);
		await page.click("#sign-in");
		const before = await eventually("a first sample on the page", async () => {
			const p = await readPage(page);
			return p.at && p.state.startsWith("live") ? p : null;
		});
		expect(before.figures["crawl.done"]).toBe("0");
		expect(before.figures["tracklists.items.length"]).toBe("0");
		const firstSession = await page.evaluate<string | null>(READ_SESSION);
		expect(firstSession).toContain("refreshToken");

		// The crawl starts, and the scraper (played by the test) reports two tracklists.
		const seeded = await fetch(`${base}/api/v1/crawl/seeds`, {
			method: "POST",
			headers: { authorization: `Bearer ${await adminToken()}`, "content-type": "application/json" },
			body: JSON.stringify({ artists: [sims.catalog.artist(0).name] })
		});
		expect(seeded.status).toBe(200);
		for (const [i, trackCount] of [14, 22].entries()) {
			client.emit("tracklist.processed", { tracklistId: `tl-${i}`, url: `https://tracklists.example/tl-${i}`, trackCount, processingTimeMs: 100 + i });
		}

		let last: PageFigures | undefined;
		const moving = await eventually(
			"the page's figures to change",
			async () => {
				const p = (last = await readPage(page));
				const f = p.figures;
				return Number(f["crawl.done"]) > 0 && Number(f["tracks.processed"]) > 0 && Number(f["bpm.total"]) > 0 && f["tracklists.items.length"] === "2" ? p : null;
			},
			60000,
			200
		).catch(err => {
			throw new Error(`${(err as Error).message}\npage: ${JSON.stringify(last)}\n${node.output().slice(-3000)}`);
		});
		expect(Number(moving.at)).toBeGreaterThan(Number(before.at));

		// Let the crawl finish (the malformed album ends in dead-letter), so the rest is settled. A job
		// moving from queued to leased between the two queries could look like none; twice in a row cannot.
		let idleChecks = 0;
		await eventually(
			"the crawl to finish",
			async () => {
				const q = await client.call<{ next: JobDoc[]; oldestLeases: JobDoc[] }, object>("scheduler.queue", { limit: 200 });
				const s = await status();
				const idle = q.oldestLeases.length === 0 && !q.next.some(j => CRAWL_TYPES.test(j.type)) && s.errors.dead > 0 && s.bpm !== null && s.bpm.total > 0;
				idleChecks = idle ? idleChecks + 1 : 0;
				return idleChecks >= 2;
			},
			120000,
			250
		);

		// The page and the endpoint, for the same sample.
		const { shown, json } = await eventually(
			"the page and the endpoint on the same sample",
			async () => {
				const p = await readPage(page);
				const s = await status();
				return String(s.at) === p.at ? { shown: p, json: s } : null;
			},
			30000,
			50
		);
		for (const [figure, value] of Object.entries(shown.figures)) expect({ figure, value }).toEqual({ figure, value: jsonFigure(json, figure) });
		expect(Object.keys(shown.figures)).toEqual(expect.arrayContaining(["crawl.tiers.high.queued", "tracks.perMin", "errors.dead", "bpm.total", "upstreams.0.limitPerSec"]));
		expect(shown.nodes).toEqual(json.nodes.map(n => ({ id: n.nodeID, roles: n.roles.join(",") })));
		expect(shown.nodes[0].roles.split(",")).toEqual(expect.arrayContaining(["api", "crawler", "data"]));
		expect(shown.bars).toEqual(json.bpm?.bins.map(b => ({ from: b.from, count: b.count })));
		expect(shown.bars.reduce((n, b) => n + b.count, 0)).toBe(json.bpm?.total);
		expect(shown.tracklists).toEqual(["tl-1", "tl-0"]);
		expect(shown.limiters).toEqual(json.upstreams.map(u => u.name));
		expect(shown.limiters).toContain("spotify");
		expect(Number(shown.figures["errors.dead"])).toBeGreaterThan(0);
		expect(json.history.length).toBeGreaterThan(3);
		expect(json.history.some(h => h.queued.low + h.queued.high > 0)).toBe(true);
		expect(sims.spotify.stats().rateLimited).toBeGreaterThan(0);

		// Every chart has a time or BPM axis and a value axis with its unit, ticks from 0 to at least
		// the highest value drawn, and a legend naming each line.
		const { charts } = shown;
		const lineCharts = { "queue-chart": ["high", "medium", "low"], "tracks-chart": ["tracks/min"], "errors-chart": ["failed jobs/min", "dead-letter jobs"] };
		for (const [id, names] of Object.entries(lineCharts)) {
			const chart = charts[id];
			expect({ id, x: chart.axes.x?.title }).toEqual({ id, x: "time" });
			expect(chart.axes.x.labels.every(l => /\d:\d\d/.test(l))).toBe(true);
			expect(chart.axes.y.title).toBeTruthy();
			expect(chart.axes.y.ticks[0]).toBe(0);
			expect(chart.legend.map(l => l.name)).toEqual(names);
			expect(chart.lines).toEqual(names);
		}
		expect(charts["tracks-chart"].axes.y.title).toBe("tracks/min");
		expect(Math.max(...charts["tracks-chart"].axes.y.ticks)).toBeGreaterThanOrEqual(Math.max(...json.history.map(h => h.tracksPerMin ?? 0)));
		// The dead-letter count is on its own axis, so the rate beside it is not flattened.
		expect(charts["errors-chart"].legend).toEqual([{ name: "failed jobs/min", axis: "left" }, { name: "dead-letter jobs", axis: "right" }]);
		expect(charts["errors-chart"].axes.y2.title).toBe("dead jobs");
		expect(Math.max(...charts["errors-chart"].axes.y2.ticks)).toBeGreaterThanOrEqual(Math.max(...json.history.map(h => h.dead)));
		expect(charts["bpm-chart"].axes.x.title).toMatch(/^BPM/);
		expect(charts["bpm-chart"].axes.y.title).toBe("tracks");
		expect(Math.max(...charts["bpm-chart"].axes.y.ticks)).toBeGreaterThanOrEqual(Math.max(...shown.bars.map(b => b.count)));

		// The access token lives 30 s, so by now the page has renewed its session by itself.
		const renewed = await page.evaluate<string | null>(READ_SESSION);
		expect(renewed).not.toBe(firstSession);
		expect((await readPage(page)).state).toMatch(/^live/);

		fs.mkdirSync(ARTIFACTS, { recursive: true });
		await page.screenshot({ path: path.join(ARTIFACTS, "status-page.png"), fullPage: true });
		expect(pageErrors).toEqual([]);
		await page.close();
	}, 240000);

	it("keeps the JSON from anyone without an admin token", async () => {
		expect((await fetch(`${base}/api/v1/status`)).status).toBe(401);
		const userToken = signAccessToken({ id: "u-1", role: "user" }, TEST_JWT_SECRET, 600);
		expect((await fetch(`${base}/api/v1/status`, { headers: { authorization: `Bearer ${userToken}` } })).status).toBe(403);
	});

	it("every query of the Grafana dashboard and every alert rule names a metric the running node exports", async () => {
		const dashboard = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../deploy/grafana/dashboards/cratedigger.json"), "utf8")) as {
			panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }>;
			templating: { list: Array<{ name: string; query: { query: string } }> };
		};
		// A scrape after the crawl, so counters that only appear once something happened are there.
		await sleep(600);
		const page = await (await fetch(metricsUrl)).text();
		const exported = exportedMetricNames(page);
		// The crawl above finished jobs, and the counter behind "Jobs finished / s" saw them.
		const finished = [...page.matchAll(/^crawler_jobs_finished_total\{[^}]*\} (\S+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
		expect(finished).toBeGreaterThan(0);
		const missing: string[] = [];
		const check = (where: string, names: string[]) => {
			expect({ where, names: names.length > 0 }).toEqual({ where, names: true });
			for (const name of names) if (!exported.has(name) && !PROMETHEUS_MADE.has(name)) missing.push(`${where}: ${name}`);
		};
		for (const p of dashboard.panels.filter(x => x.type !== "row")) for (const t of p.targets ?? []) check(`panel "${p.title}"`, metricNames(t.expr));
		for (const v of dashboard.templating.list) check(`variable $${v.name}`, [labelValuesMetric(v.query.query)].filter((m): m is string => m !== undefined));
		const alerts = parse(fs.readFileSync(path.resolve(__dirname, "../../deploy/prometheus/alerts.yml"), "utf8")) as { groups: Array<{ rules: Array<{ alert?: string; expr: string }> }> };
		for (const rule of alerts.groups.flatMap(g => g.rules)) check(`alert ${rule.alert}`, metricNames(rule.expr));
		expect(missing).toEqual([]);
	});
});
