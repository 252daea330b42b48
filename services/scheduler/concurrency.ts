import type { Doc } from "../../mixins/store/types";

/**
 * Worker concurrency an operator set with the REPL's `workers` command. It lives in the
 * scheduler's `controls` collection, one document per worker service, so a node that restarts
 * (or joins later) leases at the same concurrency as before.
 */
export interface ConcurrencyDoc extends Doc {
	kind: "workers";
	service: string;
	/** For every node that has no value of its own. */
	cluster?: number;
	/** Per node (by NODE_ID); an array because node IDs may hold dots, which field paths cannot. */
	nodes: Array<{ nodeID: string; concurrency: number }>;
	updatedAt: number;
}

export interface ConcurrencySetting {
	concurrency: number;
	scope: "node" | "cluster";
}

export const MAX_WORKER_CONCURRENCY = 256;

export function concurrencyDocId(service: string): string {
	return `workers|${service}`;
}

/** A node's own value wins over the cluster-wide one; null when the operator set neither. */
export function resolveConcurrency(doc: ConcurrencyDoc | null | undefined, nodeID: string): ConcurrencySetting | null {
	if (!doc) return null;
	const own = doc.nodes.find(n => n.nodeID === nodeID);
	if (own) return { concurrency: own.concurrency, scope: "node" };
	return doc.cluster === undefined ? null : { concurrency: doc.cluster, scope: "cluster" };
}

/**
 * The document after an operator's change. A cluster-wide value replaces every node's own value,
 * because "every node" has to mean every node.
 */
export function withConcurrency(doc: ConcurrencyDoc | null | undefined, service: string, concurrency: number, nodeID: string | undefined, now: number): ConcurrencyDoc {
	const base: ConcurrencyDoc = doc ?? { _id: concurrencyDocId(service), kind: "workers", service, nodes: [], updatedAt: now };
	if (nodeID === undefined) return { ...base, cluster: concurrency, nodes: [], updatedAt: now };
	return { ...base, nodes: [...base.nodes.filter(n => n.nodeID !== nodeID), { nodeID, concurrency }], updatedAt: now };
}
