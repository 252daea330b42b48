import type { Context, ServiceBroker } from "moleculer";
import { actionAvailable } from "../shared/registry";

/** Which action of which service answers a part of GET /admin/stats. */
const statSources: Array<[string, string]> = [
	["catalog", "catalog.counts"],
	["crawl", "scheduler.status"],
	["users", "users.stats"],
	["activity", "activity.stats"],
	["scraper", "scraper.stats"],
	["insights", "insights.stats"]
];

/** Caches each service clears on POST /admin/cache/clear. */
const cacheClearers = ["recommendations.clearCache", "scraper.clearCache"];

async function callIfOnline(broker: ServiceBroker, ctx: Context, action: string): Promise<unknown> {
	if (!actionAvailable(broker, action)) return { available: false };
	try {
		return await ctx.call(action, {}, { timeout: 5000 });
	} catch (err) {
		return { available: true, error: (err as Error).message };
	}
}

export async function collectAdminStats(broker: ServiceBroker, ctx: Context) {
	const parts = await Promise.all(statSources.map(async ([key, action]) => [key, await callIfOnline(broker, ctx, action)] as const));
	return { at: new Date().toISOString(), nodes: broker.registry.getNodeList({ onlyAvailable: true, withServices: false }).length, ...Object.fromEntries(parts) };
}

export async function clearCaches(broker: ServiceBroker, ctx: Context) {
	const cleared: Record<string, unknown> = {};
	if (broker.cacher) {
		await broker.cacher.clean();
		cleared.broker = true;
	}
	for (const action of cacheClearers) cleared[action.split(".")[0]] = await callIfOnline(broker, ctx, action);
	return { cleared };
}
