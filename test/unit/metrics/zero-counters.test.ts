import { ServiceBroker } from "moleculer";
import { withAliases } from "../../../mixins/metrics/prometheus";
import { ensureCrawlerMetrics, SEED_000_ALIASES, zeroEmptyCounters } from "../../../mixins/metrics/crawler";

describe("metrics present from start-up", () => {
	it("starts every registered counter without series at 0, keeps counts already there, and leaves Moleculer's own alone", async () => {
		const broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
		broker.createService({
			name: "counting",
			created() {
				this.broker.metrics.register({ type: "counter", name: "things_total", labelNames: ["kind"] });
				this.broker.metrics.register({ type: "counter", name: "counted_total", labelNames: [] });
			}
		});
		await broker.start();
		broker.metrics.increment("counted_total", {}, 3);
		ensureCrawlerMetrics(broker);
		const zeroed = zeroEmptyCounters(broker);
		expect(zeroed).toContain("things_total");
		expect(zeroed).not.toContain("counted_total");
		expect(zeroed.some(n => n.startsWith("moleculer."))).toBe(false);
		expect(broker.metrics.getMetric("things_total")?.snapshot()).toEqual([expect.objectContaining({ value: 0 })]);
		expect(broker.metrics.getMetric("counted_total")?.snapshot()).toEqual([expect.objectContaining({ value: 3 })]);
		expect(broker.metrics.getMetric("crawler_api_errors_total")?.snapshot().map(v => [v.labels, (v as { value?: number }).value])).toEqual([
			[{ provider: "spotify" }, 0],
			[{ provider: "deezer" }, 0]
		]);
		await broker.stop();
	});

	it("renames whole blocks for the aliases and leaves other metrics alone", () => {
		const page = [
			"# HELP crawler_queue_depth Jobs waiting",
			"# TYPE crawler_queue_depth gauge",
			'crawler_queue_depth{priority="high"} 4',
			"",
			"# HELP other_total Other",
			"# TYPE other_total counter",
			"other_total 1",
			""
		].join("\n");
		const out = withAliases(page, SEED_000_ALIASES);
		expect(out).toContain('crawler_queue_depth{priority="high"} 4');
		expect(out).toContain("# TYPE rundj_crawler_queue_depth gauge");
		expect(out).toContain('rundj_crawler_queue_depth{priority="high"} 4');
		expect(out).not.toContain("rundj_other_total");
	});
});
