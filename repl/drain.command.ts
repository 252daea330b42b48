import type { ServiceBroker } from "moleculer";
import type { DrainStatus } from "../services/ops.service";
import { answer, flagOption, stringOption, UsageError, wholeNumber } from "./args";
import { collectNodeInfo, nodeLabel } from "./cluster.command";
import { renderTable } from "./table";
import { replParams, type ReplCommand } from "./types";

const USAGE = "usage: drain [--node <id>] [--wait <seconds>] | drain --cancel [--node <id>]";
const POLL_MS = 500;

export interface DrainOptions {
	nodeID?: string;
	cancel?: boolean;
	/** How long to wait for jobs in flight to finish (default 120 s; 0 reports at once). */
	waitSec?: number;
	/** Progress lines while waiting. */
	log?: (line: string) => void;
}

function drainTable(broker: ServiceBroker, statuses: DrainStatus[]): string {
	return renderTable(
		["node", "workers", "leasing", "in flight", "safe to stop"],
		statuses.map(s => [nodeLabel(broker, s.nodeID), s.workers.map(w => w.service).join(",") || "-", s.draining ? "no" : "yes", s.inFlight, s.safeToStop ? "yes" : "no"])
	);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Drains one node, or every node: their workers stop leasing, jobs in flight finish and are
 * reported, and the answer says which nodes can be stopped without losing work.
 */
export async function drain(broker: ServiceBroker, opts: DrainOptions = {}): Promise<string> {
	const infos = await collectNodeInfo(broker);
	let targets = infos.map(i => i.nodeID);
	if (opts.nodeID !== undefined) {
		if (!targets.includes(opts.nodeID)) throw new UsageError(`no node "${opts.nodeID}" answers; nodes: ${targets.join(", ")}`);
		targets = [opts.nodeID];
	}
	const ask = (action: "ops.drain" | "ops.drainStatus", nodeID: string) =>
		broker.call<DrainStatus, object>(action, action === "ops.drain" ? { cancel: Boolean(opts.cancel) } : {}, { nodeID, timeout: 3000, retries: 0 });
	let statuses = await Promise.all(targets.map(id => ask("ops.drain", id)));
	if (opts.cancel) return `${drainTable(broker, statuses)}\nleasing again on ${targets.join(", ")}`;

	const deadline = Date.now() + (opts.waitSec ?? 120) * 1000;
	let reported = -1;
	while (statuses.some(s => !s.safeToStop) && Date.now() < deadline) {
		const inFlight = statuses.reduce((n, s) => n + s.inFlight, 0);
		if (inFlight !== reported) opts.log?.(`waiting for ${inFlight} job(s) in flight on ${statuses.filter(s => !s.safeToStop).map(s => s.nodeID).join(", ")}…`);
		reported = inFlight;
		await sleep(POLL_MS);
		statuses = await Promise.all(targets.map(id => ask("ops.drainStatus", id).catch(() => statuses.find(s => s.nodeID === id) as DrainStatus)));
	}
	const safe = statuses.filter(s => s.safeToStop).map(s => s.nodeID);
	const busy = statuses.filter(s => !s.safeToStop);
	const verdict = busy.length
		? `still busy: ${busy.map(s => `${s.nodeID} (${s.inFlight} in flight)`).join(", ")}; run drain again to check, or stop anyway (their leases run out and other nodes take the jobs)`
		: `safe to stop: ${safe.join(", ")}`;
	return `${drainTable(broker, statuses)}\n${verdict}`;
}

export const drainCommand: ReplCommand = {
	// A stray word must not drain the whole cluster by accident: it is caught and refused.
	command: "drain [stray]",
	description: "Stops leasing on one node (--node) or every node, waits for jobs in flight and says when it is safe to stop; --cancel resumes",
	options: [
		{ option: "--node <id>", description: "only this node" },
		{ option: "--wait <seconds>", description: "how long to wait for jobs in flight (default 120, 0: report at once)" },
		{ option: "--cancel", description: "lease again" }
	],
	async action(broker, args) {
		const p = replParams(args);
		await answer("drain", USAGE, async () => {
			if (p.stray !== undefined) throw new UsageError(`unexpected "${String(p.stray)}"; name a node with --node <id>`);
			const wait = stringOption(p, "wait");
			const nodeID = stringOption(p, "node");
			return drain(broker, {
				...(nodeID !== undefined ? { nodeID } : {}),
				cancel: flagOption(p, "cancel"),
				...(wait !== undefined ? { waitSec: wholeNumber(wait, "--wait", 0, 3600) } : {}),
				log: line => console.log(line)
			});
		});
	}
};
