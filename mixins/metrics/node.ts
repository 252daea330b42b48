/**
 * Per-process health figures Moleculer does not export (or exports wrongly), refreshed each time
 * the metrics page is rendered: the process's own CPU time (Moleculer's os_cpu_utilization is
 * host-wide), event-loop lag, and the calls this node awaits from other nodes
 * (moleculer_transit_requests_active only ever grows in Moleculer 0.15.2: it adds the pending
 * count at every publish and never subtracts).
 */
import { monitorEventLoopDelay, type ELDHistogram } from "node:perf_hooks";
import type { ServiceBroker } from "moleculer";

export const NODE_METRICS = {
	cpu: "process_cpu_seconds_total",
	cpuUser: "process_cpu_user_seconds_total",
	cpuSystem: "process_cpu_system_seconds_total",
	lagP99: "process_event_loop_lag_p99_seconds",
	lagMax: "process_event_loop_lag_max_seconds",
	pendingRemote: "transit_requests_pending"
} as const;

/**
 * The histogram starts over this often. A scrape reports the worse of the window just closed and
 * the one under way, so a stall shows at the next scrape and stays for 10 to 20 s: a scrape every
 * 10-15 s sees each one.
 */
export const LAG_WINDOW_MS = 10_000;

interface LagWindow {
	p99: number;
	max: number;
}

/*
 * One monitor per process (the event loop is the process's, however many brokers a test runs),
 * started on first use. Every window its figures are kept and the histogram starts over.
 */
let monitor: { histogram: ELDHistogram; last: LagWindow | null } | undefined;

function lagWindow(): LagWindow {
	if (!monitor) {
		const histogram = monitorEventLoopDelay({ resolution: 10 });
		histogram.enable();
		const state: { histogram: ELDHistogram; last: LagWindow | null } = { histogram, last: null };
		setInterval(() => {
			state.last = read(histogram);
			histogram.reset();
		}, LAG_WINDOW_MS).unref();
		monitor = state;
	}
	const now = read(monitor.histogram);
	const last = monitor.last ?? now;
	return { p99: Math.max(last.p99, now.p99), max: Math.max(last.max, now.max) };
}

function read(h: ELDHistogram): LagWindow {
	// Nanoseconds; an empty histogram has no percentiles worth reading.
	if (h.count === 0) return { p99: 0, max: 0 };
	return { p99: h.percentile(99) / 1e9, max: h.max / 1e9 };
}

/** Registers the figures and starts measuring the event loop; called when the reporter starts. */
export function startNodeMetrics(broker: ServiceBroker): void {
	if (!broker.isMetricsEnabled()) return;
	lagWindow();
	const m = broker.metrics;
	const counter = (name: string, description: string) => {
		if (!m.hasMetric(name)) m.register({ type: "counter", name, labelNames: [], description });
	};
	const gauge = (name: string, description: string) => {
		if (!m.hasMetric(name)) m.register({ type: "gauge", name, labelNames: [], description });
	};
	counter(NODE_METRICS.cpu, "CPU time this process used, user and system, in seconds (rate() is cores busy)");
	counter(NODE_METRICS.cpuUser, "User CPU time this process used, in seconds");
	counter(NODE_METRICS.cpuSystem, "System CPU time this process used, in seconds");
	const window = `over the last ${LAG_WINDOW_MS / 1000}-${(2 * LAG_WINDOW_MS) / 1000} s`;
	gauge(NODE_METRICS.lagP99, `99th percentile of event-loop delay ${window}, in seconds`);
	gauge(NODE_METRICS.lagMax, `Longest event-loop delay ${window}, in seconds`);
	gauge(NODE_METRICS.pendingRemote, "Calls this node made to other nodes that await an answer");
}

/** Updates the figures; called before each rendering of the metrics page. */
export function refreshNodeMetrics(broker: ServiceBroker): void {
	if (!broker.isMetricsEnabled()) return;
	const m = broker.metrics;
	const cpu = process.cpuUsage();
	m.set(NODE_METRICS.cpuUser, cpu.user / 1e6, {});
	m.set(NODE_METRICS.cpuSystem, cpu.system / 1e6, {});
	m.set(NODE_METRICS.cpu, (cpu.user + cpu.system) / 1e6, {});
	const lag = lagWindow();
	m.set(NODE_METRICS.lagP99, lag.p99, {});
	m.set(NODE_METRICS.lagMax, lag.max, {});
	// No transporter, no remote calls.
	m.set(NODE_METRICS.pendingRemote, broker.transit?.pendingRequests.size ?? 0, {});
}
