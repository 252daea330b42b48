import * as os from "node:os";
import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { version } from "../package.json";
import type { WorkerStatus } from "../mixins/worker.mixin";
import { ensureCrawlerMetrics } from "../mixins/metrics/crawler";
import { localWorkers, nodeCounters, workerStatuses, type NodeCounters } from "./ops/local";

export interface NodeInfo {
	nodeID: string;
	hostname: string;
	pid: number;
	version: string;
	node: string;
	uptimeSec: number;
	rssMb: number;
	heapUsedMb: number;
	cpuPercent: number;
	services: string[];
	/** Node IDs this node currently sees as available, itself included. */
	peers: string[];
	/** This node's crawl workers: concurrency, jobs in flight, drain state. */
	workers: WorkerStatus[];
	/** Every worker on the node is draining. */
	draining: boolean;
	/** Running totals of the crawl counters; null when metrics are off. */
	counters: NodeCounters | null;
}

/** What `ops.drain` answers for its node. */
export interface DrainStatus {
	nodeID: string;
	draining: boolean;
	inFlight: number;
	/** Draining with nothing in flight: the node can be stopped without losing work. */
	safeToStop: boolean;
	workers: WorkerStatus[];
}

interface OpsMethods {
	cpuPercent(): number;
	drainStatus(): DrainStatus;
}
interface OpsVars {
	lastCpu?: { at: bigint; usage: NodeJS.CpuUsage };
}
type OpsThis = Service & OpsMethods & OpsVars;

const SERVICE_GAUGE = "node_service_up";

/**
 * Runs on every node and tells operators about it, and carries out what operators ask of one node:
 * worker concurrency and draining. It is also the action the cluster tests balance calls over,
 * because every node has it.
 */
const OpsService: ServiceSchema<ServiceSettingSchema, OpsMethods, OpsVars> = {
	name: "ops",

	actions: {
		info: {
			visibility: "public",
			// A read: a call to a node that just died is retried on another one.
			idempotent: true,
			handler(this: OpsThis): NodeInfo {
				const broker = this.broker;
				const mem = process.memoryUsage();
				const localServices = broker.registry
					.getServiceList({ onlyLocal: true, skipInternal: true })
					.map((s: { name: string }) => s.name);
				const peers = broker.registry
					.getNodeList({ onlyAvailable: true, withServices: false })
					.map((n: { id: string }) => n.id)
					.sort();
				const workers = workerStatuses(broker);
				return {
					nodeID: broker.nodeID,
					hostname: os.hostname(),
					pid: process.pid,
					version,
					node: process.version,
					uptimeSec: Math.round(process.uptime()),
					rssMb: Math.round(mem.rss / 1048576),
					heapUsedMb: Math.round(mem.heapUsed / 1048576),
					cpuPercent: this.cpuPercent(),
					services: [...new Set<string>(localServices)].sort(),
					peers,
					workers,
					draining: workers.length > 0 && workers.every(w => w.draining),
					counters: nodeCounters(broker)
				};
			}
		},

		/** Sets a worker service's concurrency on this node, now. Persisting it is the caller's business (scheduler). */
		setConcurrency: {
			visibility: "public",
			params: { service: { type: "string", min: 1, max: 100 }, concurrency: { type: "number", integer: true, min: 0, max: 256 } },
			handler(this: OpsThis, ctx: Context<{ service: string; concurrency: number }>) {
				const worker = localWorkers(this.broker).find(w => w.name === ctx.params.service);
				if (!worker) {
					throw new Errors.MoleculerClientError(`No worker service "${ctx.params.service}" on node ${this.broker.nodeID}`, 404, "NOT_FOUND", { service: ctx.params.service });
				}
				const before = worker.workerStatus().concurrency;
				worker.setConcurrency(ctx.params.concurrency);
				return { nodeID: this.broker.nodeID, service: worker.name, before, after: worker.workerStatus().concurrency };
			}
		},

		/**
		 * Stops every worker on this node from leasing (`cancel` resumes). Jobs in flight finish and
		 * are reported; poll `drainStatus` until `safeToStop`.
		 */
		drain: {
			visibility: "public",
			params: { cancel: { type: "boolean", optional: true } },
			handler(this: OpsThis, ctx: Context<{ cancel?: boolean }>): DrainStatus {
				for (const w of localWorkers(this.broker)) {
					if (ctx.params.cancel) w.undrain();
					else w.drain();
				}
				return this.drainStatus();
			}
		},

		drainStatus: {
			visibility: "public",
			idempotent: true,
			handler(this: OpsThis): DrainStatus {
				return this.drainStatus();
			}
		}
	},

	methods: {
		/** CPU use of this process since the previous call, as a percentage of one core. */
		cpuPercent(this: OpsThis): number {
			const now = process.hrtime.bigint();
			const usage = process.cpuUsage();
			const last = this.lastCpu;
			this.lastCpu = { at: now, usage };
			if (!last) return 0;
			const elapsedUs = Number(now - last.at) / 1000;
			const usedUs = usage.user - last.usage.user + (usage.system - last.usage.system);
			return elapsedUs > 0 ? Math.round((usedUs / elapsedUs) * 1000) / 10 : 0;
		},

		/** A node without workers holds no leased jobs, so it is always safe to stop as far as the crawl goes. */
		drainStatus(this: OpsThis): DrainStatus {
			const workers = workerStatuses(this.broker);
			const inFlight = workers.reduce((n, w) => n + w.inFlight, 0);
			const draining = workers.every(w => w.draining);
			return { nodeID: this.broker.nodeID, draining, inFlight, safeToStop: draining && inFlight === 0, workers };
		}
	},

	created(this: OpsThis) {
		this.lastCpu = undefined;
		// Every node exports the crawl counters from start-up, at 0 until something counts.
		ensureCrawlerMetrics(this.broker);
	},

	started(this: OpsThis) {
		// One series per local service, so Grafana can list the nodes with their roles.
		const m = this.broker.metrics;
		if (!this.broker.isMetricsEnabled()) return;
		if (!m.getMetric(SERVICE_GAUGE)) m.register({ type: "gauge", name: SERVICE_GAUGE, labelNames: ["service"], description: "1 for every service this node runs" });
		for (const s of this.broker.services) if (!s.name.startsWith("$")) m.set(SERVICE_GAUGE, 1, { service: s.name });
	}
};

export default OpsService;
