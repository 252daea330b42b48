/**
 * Moleculer's Prometheus reporter, also exporting each aliased metric under its alias: the same
 * HELP, TYPE and series, renamed; and the node's own health figures (./node.ts), fresh. Seed 000's dashboards read rundj_crawler_*; cratedigger's own
 * names stay the primary ones (docs/compat.md).
 */
import { MetricReporters, type MetricRegistry, type ServiceBroker } from "moleculer";
import { SEED_000_ALIASES } from "./crawler";
import { refreshNodeMetrics, startNodeMetrics } from "./node";

/** Copies of the blocks (HELP, TYPE, series) of aliased metrics, under the alias. */
export function withAliases(text: string, aliases: Record<string, string>): string {
	const extra: string[] = [];
	for (const block of text.split("\n\n")) {
		const name = /^# HELP (\S+)/.exec(block)?.[1];
		const alias = name === undefined ? undefined : aliases[name];
		if (name === undefined || alias === undefined) continue;
		const renamed = block
			.split("\n")
			.map(line => (line.startsWith("# ") ? line.replace(` ${name} `, ` ${alias} `) : line.startsWith(name) ? alias + line.slice(name.length) : line));
		extra.push(renamed.join("\n"));
	}
	if (!extra.length) return text;
	return `${text.replace(/\n*$/, "")}\n\n${extra.join("\n\n")}\n`;
}

type PrometheusBase = InstanceType<typeof MetricReporters.Prometheus> & { generatePrometheusResponse(): string; broker: ServiceBroker; init(registry: MetricRegistry): void };
/* Moleculer's typings leave out the method that renders the page; the class has it. */
const Base = MetricReporters.Prometheus as unknown as new (opts?: object) => PrometheusBase;

export class AliasingPrometheusReporter extends Base {
	override init(registry: MetricRegistry): void {
		super.init(registry);
		startNodeMetrics(this.broker);
	}

	override generatePrometheusResponse(): string {
		// CPU time, event-loop lag and pending remote calls are read when scraped, not on a timer.
		refreshNodeMetrics(this.broker);
		return withAliases(super.generatePrometheusResponse(), SEED_000_ALIASES);
	}
}

/**
 * The reporter for the broker options: Moleculer takes an instance, though its typings name only
 * the built-in types. It binds to `host` like the gateway (Moleculer's default is every address),
 * except on port 0, where Moleculer cannot combine a host with picking a free port.
 */
export function aliasingPrometheus(port: number, host?: string): { type: "Prometheus" } {
	return new AliasingPrometheusReporter({ port, path: "/metrics", ...(host && port !== 0 ? { host } : {}) }) as unknown as { type: "Prometheus" };
}
