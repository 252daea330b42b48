import * as fs from "node:fs";
import * as path from "node:path";
import { STATUS_SECTIONS } from "../../../services/status/sections";
import { labelValuesMetric, metricNames } from "../../harness/promql";

interface Panel {
	id: number;
	type: string;
	title: string;
	gridPos: { x: number; y: number; w: number; h: number };
	targets?: Array<{ expr: string }>;
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
