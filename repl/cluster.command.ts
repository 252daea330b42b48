import type { ServiceBroker } from "moleculer";
import { replParams, type ReplCommand } from "./types";
import type { NodeInfo } from "../services/ops.service";
import { collectNodeInfo } from "../services/ops/cluster";
import { renderTable } from "./table";

export { collectNodeInfo };

/** "album-crawler 8, audio-feature 2": each worker service with its concurrency. */
function workerCell(info: NodeInfo): string {
	return info.workers.map(w => `${w.service} ${w.concurrency}`).join(", ");
}

function stateCell(info: NodeInfo): string {
	if (info.workers.length === 0) return "no workers";
	if (!info.draining) return info.workers.some(w => w.draining) ? "partly draining" : "leasing";
	return info.workers.every(w => w.idle) ? "drained: safe to stop" : "draining";
}

export function nodeLabel(broker: ServiceBroker, nodeID: string): string {
	return nodeID === broker.nodeID ? `${nodeID} (this)` : nodeID;
}

export async function clusterReport(broker: ServiceBroker, nodeID?: string): Promise<string> {
	const infos = await collectNodeInfo(broker, nodeID);
	if (infos.length === 0) return nodeID ? `No node "${nodeID}" answers.` : "No node answers.";
	return renderTable(
		["node", "services", "worker concurrency", "in flight", "state", "cpu %", "rss MB", "uptime s", "version"],
		infos.map(i => [
			nodeLabel(broker, i.nodeID),
			i.services.join(","),
			workerCell(i),
			i.workers.reduce((n, w) => n + w.inFlight, 0),
			stateCell(i),
			i.cpuPercent,
			i.rssMb,
			i.uptimeSec,
			i.version
		])
	);
}

export const clusterCommand: ReplCommand = {
	command: "cluster",
	description: "Every node with its services, worker concurrency, jobs in flight, CPU, memory and version (--node <id> for one)",
	options: [{ option: "--node <id>", description: "only this node" }],
	async action(broker, args) {
		const node = replParams(args).options?.node;
		console.log(await clusterReport(broker, typeof node === "string" ? node : undefined));
	}
};
