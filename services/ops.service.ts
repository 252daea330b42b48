import * as os from "node:os";
import type { Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { version } from "../package.json";

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
}

interface OpsMethods {
	cpuPercent(): number;
}
interface OpsVars {
	lastCpu?: { at: bigint; usage: NodeJS.CpuUsage };
}
type OpsThis = Service & OpsMethods & OpsVars;

/**
 * Runs on every node and tells operators about it. It is also the action the cluster tests
 * balance calls over, because every node has it.
 */
const OpsService: ServiceSchema<ServiceSettingSchema, OpsMethods, OpsVars> = {
	name: "ops",

	actions: {
		info: {
			visibility: "public",
			handler(): NodeInfo {
				const broker = this.broker;
				const mem = process.memoryUsage();
				const localServices = broker.registry
					.getServiceList({ onlyLocal: true, skipInternal: true })
					.map((s: { name: string }) => s.name);
				const peers = broker.registry
					.getNodeList({ onlyAvailable: true, withServices: false })
					.map((n: { id: string }) => n.id)
					.sort();
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
					peers
				};
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
		}
	},

	created(this: OpsThis) {
		this.lastCpu = undefined;
	}
};

export default OpsService;
