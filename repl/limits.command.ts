import type { ServiceBroker } from "moleculer";
import { setLimitOverride } from "../mixins/rate-limit/admin";
import { formatSettings, formatWindow, limiterSettingsFromConfig, parseLimitSpec } from "../mixins/rate-limit/settings";
import { configFor } from "../config";
import type { LimiterSettings } from "../mixins/rate-limit/types";
import { collectLimiterStatus } from "../services/ops/cluster";
import { renderTable } from "./table";
import { replParams, type ReplCommand } from "./types";

export { collectLimiterStatus };

export async function limitsReport(broker: ServiceBroker, now = Date.now()): Promise<string> {
	const all = await collectLimiterStatus(broker);
	if (all.length === 0) return "No node runs a rate limiter.";
	return renderTable(
		["limiter", "node", "mode", "limit", "share", "used", "calls/s", "queued", "running", "paused"],
		all.map(l => [
			l.name,
			l.nodeID === broker.nodeID ? `${l.nodeID} (this)` : l.nodeID,
			l.mode,
			formatSettings(l.settings) + (l.overridden ? " (override)" : ""),
			l.budget,
			l.usedInWindow === undefined ? undefined : `${l.usedInWindow}/${formatWindow(l.settings.windowMs)}`,
			l.recentRatePerSec,
			l.queued,
			l.running,
			l.pausedUntil ? `${((l.pausedUntil - now) / 1000).toFixed(1)} s` : ""
		])
	);
}

/** A limiter some node runs, a configured upstream, or a scraped host's: an override for anything else would only sit in Redis. */
async function knownLimiter(broker: ServiceBroker, name: string): Promise<void> {
	const configured = Object.keys(limiterSettingsFromConfig(configFor(broker) as unknown as Record<string, unknown>).named);
	if (configured.includes(name) || /^host:[a-z0-9.-]+(:\d{1,5})?$/.test(name)) return;
	const running = new Set((await collectLimiterStatus(broker)).map(l => l.name));
	if (running.has(name)) return;
	throw new Error(`no limiter is named "${name}": one of ${[...new Set([...configured, ...running])].sort().join(", ")}, or host:<hostname>`);
}

/** `limits set <name> <spec>`: the new limit for the whole cluster. */
export async function setLimit(broker: ServiceBroker, name: string, spec: string, concurrency?: number): Promise<string> {
	await knownLimiter(broker, name);
	const settings: LimiterSettings = parseLimitSpec(spec);
	if (concurrency !== undefined) {
		if (!Number.isInteger(concurrency) || concurrency < 0) throw new Error(`--concurrency must be a whole number, 0 for no cap (got ${concurrency})`);
		settings.maxConcurrent = concurrency;
	}
	const { persisted } = await setLimitOverride(broker, name, settings);
	return `${name}: ${formatSettings(settings)} on every node${persisted ? " (stored in Redis)" : " (announced to the running nodes; not persisted without Redis)"}`;
}

export async function resetLimit(broker: ServiceBroker, name: string): Promise<string> {
	await knownLimiter(broker, name);
	const { persisted } = await setLimitOverride(broker, name, null);
	return `${name}: back to its configured limit${persisted ? " (override removed from Redis)" : ""}`;
}

const USAGE = "Usage: limits | limits set <name> <calls>/<window> [--concurrency <n>] | limits reset <name>";

export const limitsCommand: ReplCommand = {
	command: "limits [action] [name] [spec]",
	description: "Rate limiters on every node; 'limits set spotify 120/30s' changes one for the whole cluster, 'limits reset spotify' undoes it",
	options: [{ option: "--concurrency <n>", description: "with set: most calls in flight at once across the cluster (0: no cap)" }],
	async action(broker, args) {
		const p = replParams(args);
		const action = typeof p.action === "string" ? p.action : undefined;
		const name = typeof p.name === "string" ? p.name : undefined;
		const spec = typeof p.spec === "string" ? p.spec : undefined;
		try {
			if (!action || action === "show") {
				console.log(await limitsReport(broker));
			} else if (action === "set" && name && spec) {
				const c = p.options?.concurrency;
				console.log(await setLimit(broker, name, spec, c === undefined ? undefined : Number(c)));
			} else if (action === "reset" && name) {
				console.log(await resetLimit(broker, name));
			} else {
				console.log(USAGE);
			}
		} catch (err) {
			console.log(`limits: ${(err as Error).message}`);
		}
	}
};
