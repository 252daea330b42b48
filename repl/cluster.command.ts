import type { ServiceBroker } from "moleculer";
import { replParams, type ReplCommand } from "./types";
import type { NodeInfo } from "../services/ops.service";
import { renderTable } from "./table";

/** Asks the ops service on every available node (or one) for its figures. */
export async function collectNodeInfo(broker: ServiceBroker, nodeID?: string): Promise<NodeInfo[]> {
	const nodes = broker.registry
		.getNodeList({ onlyAvailable: true, withServices: true })
		.filter((n: { id: string }) => !nodeID || n.id === nodeID);
	const infos = await Promise.all(
		nodes.map(async (n: { id: string }) => {
			try {
				return await broker.call<NodeInfo, Record<string, never>>("ops.info", {}, { nodeID: n.id, timeout: 3000, retries: 0 });
			} catch {
				return null;
			}
		})
	);
	return infos.filter((i): i is NodeInfo => i !== null).sort((a, b) => a.nodeID.localeCompare(b.nodeID));
}

export async function clusterReport(broker: ServiceBroker, nodeID?: string): Promise<string> {
	const infos = await collectNodeInfo(broker, nodeID);
	if (infos.length === 0) return nodeID ? `No node "${nodeID}" answers.` : "No node answers.";
	return renderTable(
		["node", "services", "cpu %", "rss MB", "uptime s", "version", "pid"],
		infos.map(i => [i.nodeID + (i.nodeID === broker.nodeID ? " (this)" : ""), i.services.join(","), i.cpuPercent, i.rssMb, i.uptimeSec, i.version, i.pid])
	);
}

export const clusterCommand: ReplCommand = {
	command: "cluster",
	description: "Every node with its services, CPU, memory and version (--node <id> for one)",
	options: [{ option: "--node <id>", description: "only this node" }],
	async action(broker, args) {
		const node = replParams(args).options?.node;
		console.log(await clusterReport(broker, typeof node === "string" ? node : undefined));
	}
};
