import type { ServiceBroker } from "moleculer";
import type { NodeInfo } from "../services/ops.service";
import { MAX_WORKER_CONCURRENCY } from "../services/scheduler/concurrency";
import { serviceAvailable } from "../services/shared/registry";
import { answer, stringArg, stringOption, UsageError, wholeNumber } from "./args";
import { collectNodeInfo, nodeLabel } from "./cluster.command";
import { renderTable } from "./table";
import { replParams, type ReplCommand } from "./types";

const USAGE = `usage: workers | workers <service> <n> [--node <id>]   (n from 0 to ${MAX_WORKER_CONCURRENCY}; 0 stops that service leasing)`;

/** Every worker service on every node, with its concurrency and where that value came from. */
export function workersTable(broker: ServiceBroker, infos: NodeInfo[]): string {
	const rows = infos.flatMap(i =>
		i.workers.map(w => [nodeLabel(broker, i.nodeID), w.service, w.concurrency, w.concurrencySource, w.inFlight, w.processed, w.failed, w.draining ? "draining" : "leasing"])
	);
	if (rows.length === 0) return "No node runs a worker service.";
	return renderTable(["node", "service", "concurrency", "set by", "in flight", "done", "failed", "state"], rows);
}

/**
 * `workers <service> <n> [--node id]`: stores the value with the scheduler (so restarted and new
 * nodes take it), then applies it on the running nodes at once.
 */
export async function setWorkers(broker: ServiceBroker, service: string, concurrency: number, nodeID?: string): Promise<string> {
	const infos = await collectNodeInfo(broker);
	const running = new Set(infos.flatMap(i => i.workers.map(w => w.service)));
	if (!running.has(service)) {
		throw new UsageError(`no node runs a worker service "${service}"; worker services: ${[...running].sort().join(", ") || "none"}`);
	}
	let targets = infos.filter(i => i.workers.some(w => w.service === service));
	if (nodeID !== undefined) {
		const node = infos.find(i => i.nodeID === nodeID);
		if (!node) throw new UsageError(`no node "${nodeID}" answers; nodes: ${infos.map(i => i.nodeID).join(", ")}`);
		if (!targets.includes(node)) throw new UsageError(`node "${nodeID}" does not run ${service}`);
		targets = [node];
	}

	let stored: string;
	if (serviceAvailable(broker, "scheduler")) {
		await broker.call("scheduler.setWorkerConcurrency", { service, concurrency, ...(nodeID ? { nodeID } : {}) });
		stored = nodeID ? `stored for node ${nodeID}: it keeps ${concurrency} after a restart` : `stored for every node, including restarted and new ones`;
	} else {
		stored = "NOT stored (no scheduler is reachable): a restarted node goes back to its configured value";
	}

	const rows = await Promise.all(
		targets.map(async t => {
			try {
				const r = await broker.call<{ before: number; after: number }, object>("ops.setConcurrency", { service, concurrency }, { nodeID: t.nodeID, timeout: 3000, retries: 0 });
				return [nodeLabel(broker, t.nodeID), service, r.before, r.after, "applied"];
			} catch (err) {
				return [nodeLabel(broker, t.nodeID), service, undefined, undefined, `failed: ${(err as Error).message}`];
			}
		})
	);
	return `${renderTable(["node", "service", "before", "now", "result"], rows)}\n${service} concurrency ${concurrency}: ${stored}`;
}

export const workersCommand: ReplCommand = {
	command: "workers [service] [n]",
	description: "Worker concurrency per node; 'workers album-crawler 4 [--node id]' changes it at run time and keeps it across restarts",
	options: [{ option: "--node <id>", description: "only this node (default: every node running the service)" }],
	async action(broker, args) {
		const p = replParams(args);
		await answer("workers", USAGE, async () => {
			const service = stringArg(p, "service");
			const n = stringArg(p, "n");
			const node = stringOption(p, "node");
			if (service === undefined) {
				if (node !== undefined) throw new UsageError("--node needs a service and a concurrency");
				return workersTable(broker, await collectNodeInfo(broker));
			}
			if (n === undefined) throw new UsageError(`give the concurrency for ${service}`);
			return setWorkers(broker, service, wholeNumber(n, "concurrency", 0, MAX_WORKER_CONCURRENCY), node);
		});
	}
};
