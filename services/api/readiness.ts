import type { ServiceBroker } from "moleculer";
import type Redis from "ioredis";
import { pingRedis } from "../../mixins/redis";

export interface CheckResult {
	ok: boolean;
	detail: string;
	latencyMs?: number;
}

export interface Readiness {
	ready: boolean;
	nodeID: string;
	checks: Record<string, CheckResult>;
}

interface StoreHealth {
	ok: boolean;
	kind: string;
	latencyMs: number;
}

/** Every service that declared a store answers its `storeHealth` action. */
async function checkStores(broker: ServiceBroker): Promise<CheckResult> {
	const owners = broker.registry
		.getServiceList({ onlyAvailable: true, skipInternal: true, withActions: false })
		.filter((s: { metadata?: { store?: boolean } }) => s.metadata?.store === true)
		.map((s: { name: string }) => s.name);
	const names = [...new Set<string>(owners)].sort();
	if (names.length === 0) return { ok: false, detail: "no store-owning service is online" };
	const started = Date.now();
	const failures: string[] = [];
	let kind = "";
	await Promise.all(
		names.map(async name => {
			try {
				const res = await broker.call<StoreHealth, Record<string, never>>(`${name}.storeHealth`, {}, { timeout: 2000, retries: 0 });
				kind = res.kind;
			} catch (err) {
				failures.push(`${name}: ${(err as Error).message}`);
			}
		})
	);
	if (failures.length) return { ok: false, detail: failures.join("; ") };
	return { ok: true, detail: `${kind} store answers for ${names.join(", ")}`, latencyMs: Date.now() - started };
}

function checkTransporter(broker: ServiceBroker): CheckResult {
	if (!broker.transit) return { ok: true, detail: "none (single process)" };
	return broker.transit.connected ? { ok: true, detail: "connected" } : { ok: false, detail: "disconnected" };
}

async function checkRedis(redis: Redis | undefined): Promise<CheckResult> {
	if (!redis) return { ok: true, detail: "not configured" };
	try {
		const latencyMs = await pingRedis(redis);
		return { ok: true, detail: "up", latencyMs };
	} catch (err) {
		return { ok: false, detail: `down: ${(err as Error).message}` };
	}
}

/**
 * Readiness: the node can do useful work. Extra checks (the limiters' fallback mode, say) are
 * contributed by other modules through `extraChecks`.
 */
export async function readiness(
	broker: ServiceBroker,
	redis: Redis | undefined,
	extraChecks: Record<string, () => Promise<CheckResult>> = {}
): Promise<Readiness> {
	const checks: Record<string, CheckResult> = {
		// The gateway listens before the node's other services have started (a big embedded store
		// takes a while to load); until they have, the node is not ready.
		node: broker.started ? { ok: true, detail: "every local service started" } : { ok: false, detail: "services still starting" },
		store: await checkStores(broker),
		transporter: checkTransporter(broker),
		redis: await checkRedis(redis)
	};
	for (const [name, check] of Object.entries(extraChecks)) checks[name] = await check();
	return { ready: Object.values(checks).every(c => c.ok), nodeID: broker.nodeID, checks };
}
