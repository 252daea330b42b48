import * as fs from "node:fs";
import * as path from "node:path";
import { STATUS_SECTIONS } from "../../../services/status/sections";
import { labelValuesMetric, metricNames } from "../../harness/promql";

interface Override {
	matcher: { id: string; options: string };
	properties: Array<{ id: string; value: unknown }>;
}

interface Panel {
	id: number;
	type: string;
	title: string;
	gridPos: { x: number; y: number; w: number; h: number };
	targets?: Array<{ expr: string; refId: string; legendFormat?: string }>;
	fieldConfig?: { defaults: { unit?: string }; overrides?: Override[] };
	options?: { legend?: { showLegend?: boolean } };
}

/** What a query's values are, read off its shape and its metrics' names. */
type Quantity = "per second" | "per minute" | "ratio" | "cores" | "seconds" | "milliseconds" | "bytes" | "count";

function quantity(expr: string): Quantity {
	const names = metricNames(expr);
	if (/histogram_quantile/.test(expr)) {
		// Moleculer's request and event timers are in milliseconds; the project's histograms say their unit in the name.
		if (names.every(n => n.startsWith("moleculer_") && n.endsWith("_time_bucket"))) return "milliseconds";
		if (names.every(n => n.endsWith("_seconds_bucket"))) return "seconds";
		throw new Error(`no unit known for the quantiles of ${names.join(", ")}`);
	}
	const rates = expr.match(/\brate\(/g)?.length ?? 0;
	if (rates > 0 && names.every(n => n.startsWith("process_cpu_") && n.endsWith("_seconds_total"))) return "cores";
	if (rates > 1 && /\)\s*\/\s*(clamp_min\()?\s*sum/.test(expr)) return "ratio";
	if (rates > 0) return /\*\s*60\b/.test(expr) ? "per minute" : "per second";
	if (names.every(n => n.endsWith("_per_second"))) return "per second";
	if (names.every(n => n.endsWith("_seconds"))) return "seconds";
	if (names.every(n => n.startsWith("process_memory_") || n.endsWith("_bytes"))) return "bytes";
	return "count";
}

/** Grafana units that say each quantity. A custom `suffix:` unit names what is counted. */
const UNITS: Record<Quantity, RegExp> = {
	"per second": /^(reqps|pps|suffix: [a-z]+\/s)$/,
	"per minute": /^suffix: [a-z]+\/min$/,
	ratio: /^percentunit$/,
	cores: /^percentunit$/,
	seconds: /^s$/,
	milliseconds: /^ms$/,
	bytes: /^bytes$/,
	count: /^(short|none)$/
};

/** The unit Grafana shows a query's series in: an override for its query, else the panel's. */
function unitOf(panel: Panel, refId: string): string | undefined {
	const override = panel.fieldConfig?.overrides?.find(o => o.matcher.id === "byFrameRefID" && o.matcher.options === refId);
	const unit = override?.properties.find(p => p.id === "unit")?.value;
	return typeof unit === "string" ? unit : panel.fieldConfig?.defaults.unit;
}

const dashboard = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../../deploy/grafana/dashboards/cratedigger.json"), "utf8")) as {
	panels: Panel[];
	templating: { list: Array<{ query: { query: string } }> };
};
const charts = dashboard.panels.filter(p => p.type !== "row");

describe("PromQL metric names", () => {
	it.each([
		['max by (priority) (crawler_queue_depth{namespace=~"$namespace", role=~"$role"})', ["crawler_queue_depth"]],
		['histogram_quantile(0.95, sum by (le, action) (rate(moleculer_request_time_bucket{le="+Inf"}[$__rate_interval])))', ["moleculer_request_time_bucket"]],
		["sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total[5m])), 1e-9)", ["a_total", "b_total"]],
		["max by (limiter) (status_limiter_paused_seconds) > 0", ["status_limiter_paused_seconds"]],
		["sum(rate(x_total[1m])) * 60 and on (nodeID) up", ["x_total", "up"]]
	])("%s reads %j", (expr, names) => {
		expect(metricNames(expr).sort()).toEqual([...names].sort());
	});

	it("reads the metric of a template variable", () => {
		expect(labelValuesMetric('label_values(up{job="cratedigger"}, role)')).toBe("up");
	});
});

describe("units", () => {
	it.each([
		["sum(rate(crawler_jobs_finished_total[5m]))", "per second"],
		["sum(rate(crawler_errors_total[5m])) * 60", "per minute"],
		["sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total[5m])), 1e-9)", "ratio"],
		["rate(process_cpu_seconds_total[5m])", "cores"],
		["histogram_quantile(0.95, sum by (le) (rate(crawler_job_duration_seconds_bucket[5m])))", "seconds"],
		["histogram_quantile(0.95, sum by (le) (rate(moleculer_request_time_bucket[5m])))", "milliseconds"],
		["max(status_limiter_paused_seconds) > 0", "seconds"],
		["max by (limiter) (status_limiter_limit_per_second)", "per second"],
		["process_memory_rss", "bytes"],
		["max(status_dead_letter_jobs)", "count"]
	])("%s is a quantity %s", (expr, expected) => {
		expect(quantity(expr)).toBe(expected);
	});
});

describe("the provisioned dashboard and the status page", () => {
	it.each(STATUS_SECTIONS.map(s => s.title))("has exactly one panel for the page's figure '%s'", title => {
		expect(charts.filter(p => p.title === title)).toHaveLength(1);
	});

	it("keeps the page's figures together in one row, in the page's order", () => {
		const row = dashboard.panels.find(p => p.type === "row" && p.title === "Status page figures") as Panel;
		const nextRow = dashboard.panels.filter(p => p.type === "row" && p.gridPos.y > row.gridPos.y).sort((a, b) => a.gridPos.y - b.gridPos.y)[0];
		const inRow = charts.filter(p => p.gridPos.y > row.gridPos.y && p.gridPos.y < nextRow.gridPos.y);
		const order = (p: Panel) => p.gridPos.y * 100 + p.gridPos.x;
		const pagePanels = STATUS_SECTIONS.map(s => inRow.find(p => p.title === s.title) as Panel);
		expect(pagePanels.every(Boolean)).toBe(true);
		expect(pagePanels.map(order)).toEqual([...pagePanels.map(order)].sort((a, b) => a - b));
	});

	it("gives every panel a query, and every query a metric", () => {
		for (const p of charts) {
			expect(p.targets?.length).toBeGreaterThan(0);
			for (const t of p.targets ?? []) expect({ panel: p.title, metrics: metricNames(t.expr).length > 0 }).toEqual({ panel: p.title, metrics: true });
		}
	});

	it.each(charts.filter(p => p.type !== "table").map(p => [p.title, p] as const))("shows '%s' in the unit of what each of its queries computes", (_title, panel) => {
		for (const t of panel.targets ?? []) {
			const unit = unitOf(panel, t.refId) ?? "";
			expect({ query: t.refId, quantity: quantity(t.expr), unit: UNITS[quantity(t.expr)].test(unit) }).toEqual({ query: t.refId, quantity: quantity(t.expr), unit: true });
		}
	});

	it.each(charts.filter(p => p.type === "timeseries").map(p => [p.title, p] as const))("gives '%s' a legend naming every series", (_title, panel) => {
		expect(panel.options?.legend?.showLegend).toBe(true);
		for (const t of panel.targets ?? []) expect({ query: t.refId, legend: Boolean(t.legendFormat?.trim()) }).toEqual({ query: t.refId, legend: true });
	});

	it("puts a second unit in a panel on its own axis", () => {
		for (const p of charts) {
			for (const o of p.fieldConfig?.overrides ?? []) {
				const ids = o.properties.map(x => x.id);
				if (ids.includes("unit")) expect({ panel: p.title, ids }).toEqual({ panel: p.title, ids: expect.arrayContaining(["custom.axisPlacement"]) });
			}
		}
	});

	it("counts finished jobs, not leased batches, and reads no metric known to mislead", () => {
		const jobs = charts.find(p => p.title === "Jobs finished / s") as Panel;
		expect(jobs.targets?.flatMap(t => metricNames(t.expr))).toEqual(["crawler_jobs_finished_total"]);
		// Moleculer 0.15.2 adds to moleculer_transit_requests_active and never subtracts; os_cpu_utilization is the whole host.
		const read = charts.flatMap(p => (p.targets ?? []).flatMap(t => metricNames(t.expr)));
		expect(read).not.toContain("moleculer_transit_requests_active");
		expect(read).not.toContain("os_cpu_utilization");
		expect(read).toEqual(expect.arrayContaining(["process_cpu_seconds_total", "process_event_loop_lag_p99_seconds", "transit_requests_pending"]));
	});

	it("leaves 429 waits out of the failed jobs per minute, as the status page does", () => {
		const errors = charts.find(p => p.title === "Errors and dead-letter") as Panel;
		const failed = (errors.targets ?? []).find(t => t.expr.includes("crawler_errors_total"));
		expect(failed?.expr).toContain('kind!="rate-limited"');
	});

	it("lays panels out without overlap", () => {
		const cells = new Set<string>();
		for (const p of dashboard.panels) {
			for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
				for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
					const cell = `${x},${y}`;
					expect({ panel: p.title, free: !cells.has(cell) }).toEqual({ panel: p.title, free: true });
					cells.add(cell);
				}
			}
		}
	});
});
