/* eslint-disable @typescript-eslint/no-require-imports -- one synchronous require per service, so a node loads only the services it runs (see below) */
import type { ServiceSchema } from "moleculer";

/**
 * Every service a node can run, by name. `SERVICES=a,b` picks some; empty picks all. `ops` runs
 * on every node whatever SERVICES says, so operators can always see the node.
 *
 * A service's module (and what it imports: moleculer-web, cheerio, the OpenAI client, the store)
 * is loaded the first time its schema is read, not when this file is: a worker node running three
 * crawlers then does not carry the gateway's or the scraper's code.
 */
/*
 * Schemas are typed by their own settings, methods and vars, which makes them incompatible with the
 * bare ServiceSchema type through `this`; the catalog holds them as plain named objects and hands
 * them to the broker as ServiceSchema in one place.
 */
type NamedSchema = { name: string };

const loaders: Record<string, () => NamedSchema> = {
	api: () => (require("./api.service") as typeof import("./api.service")).default,
	ops: () => (require("./ops.service") as typeof import("./ops.service")).default,
	scheduler: () => (require("./scheduler.service") as typeof import("./scheduler.service")).default,
	catalog: () => (require("./catalog.service") as typeof import("./catalog.service")).default,
	"artist-crawler": () => (require("./artist-crawler.service") as typeof import("./artist-crawler.service")).default,
	"album-crawler": () => (require("./album-crawler.service") as typeof import("./album-crawler.service")).default,
	"audio-feature": () => (require("./audio-feature.service") as typeof import("./audio-feature.service")).default,
	scraper: () => (require("./scraper.service") as typeof import("./scraper.service")).default,
	"scraper-worker": () => (require("./scraper-worker.service") as typeof import("./scraper-worker.service")).default,
	insights: () => (require("./insights.service") as typeof import("./insights.service")).default,
	activity: () => (require("./activity.service") as typeof import("./activity.service")).default,
	playlists: () => (require("./playlists.service") as typeof import("./playlists.service")).default,
	recommendations: () => (require("./recommendations.service") as typeof import("./recommendations.service")).default,
	status: () => (require("./status.service") as typeof import("./status.service")).default,
	tasks: () => (require("./tasks.service") as typeof import("./tasks.service")).default,
	users: () => (require("./users.service") as typeof import("./users.service")).default
};

/** Every service by name; reading an entry loads that service's module. */
export const serviceCatalog: Record<string, NamedSchema> = Object.defineProperties(
	{},
	Object.fromEntries(Object.entries(loaders).map(([name, load]) => [name, { enumerable: true, get: load }]))
);

export function selectServices(names: readonly string[]): ServiceSchema[] {
	const known = Object.keys(loaders);
	if (names.length === 0) return known.map(name => serviceCatalog[name] as ServiceSchema);
	const unknown = names.filter(n => !(n in loaders));
	if (unknown.length) {
		throw new Error(`SERVICES names unknown services: ${unknown.join(", ")}. Known: ${known.join(", ")}`);
	}
	const wanted = new Set([...names, "ops"]);
	return known.filter(name => wanted.has(name)).map(name => serviceCatalog[name] as ServiceSchema);
}
