import type { ServiceBroker } from "moleculer";
import type { LimiterStatus } from "../../mixins/rate-limit/types";
import type { NodeInfo } from "../ops.service";

/** Asks the ops service on every available node (or one) for its figures; a node that does not answer is left out. */
export async function collectNodeInfo(broker: ServiceBroker, nodeID?: string): Promise<NodeInfo[]> {
	// Only nodes whose ops service is up: one still starting would only log "not found".
	const nodes = broker.registry
		.getNodeList({ onlyAvailable: true, withServices: true })
		.filter(n => (!nodeID || n.id === nodeID) && (n.services ?? []).some(s => s.name === "ops"));
	const infos = await Promise.all(
		nodes.map(async n => {
			try {
				return await broker.call<NodeInfo, Record<string, never>>("ops.info", {}, { nodeID: n.id, timeout: 3000, retries: 0 });
			} catch {
				return null;
			}
		})
	);
	return infos.filter((i): i is NodeInfo => i !== null).sort((a, b) => a.nodeID.localeCompare(b.nodeID));
}

interface ServiceEntry {
	name: string;
	nodeID?: string;
	actions?: Record<string, unknown>;
}

/**
 * Every limiter on every node. Each node's services share its limiters, so one service per node
 * (any that uses the rate-limit mixin) answers for all of them.
 */
export async function collectLimiterStatus(broker: ServiceBroker): Promise<LimiterStatus[]> {
	const byNode = new Map<string, string>();
	for (const s of broker.registry.getServiceList({ onlyAvailable: true, withActions: true }) as ServiceEntry[]) {
		if (s.nodeID && s.actions && `${s.name}.limiterStatus` in s.actions && !byNode.has(s.nodeID)) byNode.set(s.nodeID, s.name);
	}
	const answers = await Promise.all(
		[...byNode].map(async ([nodeID, service]) => {
			try {
				const list = await broker.call<LimiterStatus[], Record<string, never>>(`${service}.limiterStatus`, {}, { nodeID, timeout: 3000, retries: 0 });
				return list.map(l => ({ ...l, nodeID: l.nodeID ?? nodeID }));
			} catch {
				return [];
			}
		})
	);
	return answers.flat().sort((a, b) => a.name.localeCompare(b.name) || (a.nodeID ?? "").localeCompare(b.nodeID ?? ""));
}
