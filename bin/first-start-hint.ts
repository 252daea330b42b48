import type { ServiceBroker } from "moleculer";
import type { Config } from "../config";

/**
 * The line a newcomer needs after `npm start`: an empty catalog serves nothing until a crawl is
 * seeded, and nothing else says how. Only on a node that runs the scheduler and the catalog, when
 * nothing was seeded and the catalog holds no track (one indexed read: a start-up must not count
 * a big catalog).
 */
export async function logSeedingHint(broker: ServiceBroker, config: Config): Promise<void> {
	if (config.CRAWL_SEED_ARTISTS.length > 0 || !broker.getLocalService("scheduler") || !broker.getLocalService("catalog")) return;
	const page = (await broker.call("catalog.list", { limit: 1 })) as { items: unknown[] };
	if (page.items.length > 0) return;
	broker.logger.info(
		`The catalog is empty. To crawl, start with seed artists: CRAWL_SEED_ARTISTS="Daft Punk,Bicep" npm start ` +
			`(or type \`crawl seed Daft Punk\` in the REPL: npm start -- --repl; or POST /api/v1/crawl/seeds as an admin). ` +
			`Offline, \`npm run demo\` crawls bundled simulators.`
	);
}
