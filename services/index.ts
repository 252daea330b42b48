import type { ServiceSchema } from "moleculer";

/**
 * Every service a node can run, by name. `SERVICES=a,b` picks some; empty picks all. `ops` runs
 * on every node whatever SERVICES says, so operators can always see the node.
 */
/*
 * Schemas are typed by their own settings, methods and vars, which makes them incompatible with the
 * bare ServiceSchema type through `this`; the catalog holds them as plain named objects and hands
 * them to the broker as ServiceSchema in one place.
 */
type NamedSchema = { name: string };

/*
 * Each service's module is required when its schema is first read, not when this file is: a node
 * runs a few services, and loading all of them (the scraper's HTML parsers, the OpenAI and HTTP
 * clients, the scheduler) took seconds of every start on a busy machine.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const loaders: Record<string, () => NamedSchema> = {
	api: () => require("./api.service").default,
	ops: () => require("./ops.service").default,
	scheduler: () => require("./scheduler.service").default,
	catalog: () => require("./catalog.service").default,
	"artist-crawler": () => require("./artist-crawler.service").default,
	"album-crawler": () => require("./album-crawler.service").default,
	"audio-feature": () => require("./audio-feature.service").default,
	scraper: () => require("./scraper.service").default,
	"scraper-worker": () => require("./scraper-worker.service").default,
	insights: () => require("./insights.service").default,
	activity: () => require("./activity.service").default,
	playlists: () => require("./playlists.service").default,
	recommendations: () => require("./recommendations.service").default,
	status: () => require("./status.service").default,
	tasks: () => require("./tasks.service").default,
	users: () => require("./users.service").default
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const serviceCatalog: Record<string, NamedSchema> = {};
for (const [name, load] of Object.entries(loaders)) {
	Object.defineProperty(serviceCatalog, name, { enumerable: true, get: load });
}

export function selectServices(names: readonly string[]): ServiceSchema[] {
	if (names.length === 0) return Object.values(serviceCatalog) as ServiceSchema[];
	const unknown = names.filter(n => !(n in serviceCatalog));
	if (unknown.length) {
		throw new Error(`SERVICES names unknown services: ${unknown.join(", ")}. Known: ${Object.keys(serviceCatalog).join(", ")}`);
	}
	const wanted = new Set([...names, "ops"]);
	return Object.keys(serviceCatalog)
		.filter(name => wanted.has(name))
		.map(name => serviceCatalog[name] as ServiceSchema);
}
