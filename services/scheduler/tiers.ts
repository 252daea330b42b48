import type { ServiceBroker } from "moleculer";
import type { Config } from "../../config";
import type { NewJob } from "../scheduler.service";
import { serviceAvailable } from "../shared/registry";

export type TierName = "high" | "medium" | "low";

interface EntityRef {
	id: string;
	provider: "spotify" | "deezer";
	providerId: string;
}

/*
 * The seed system's priority tiers, run on timers:
 *  - high: tracks still missing audio features;
 *  - medium: artists and albums not crawled for STALE_AFTER_DAYS;
 *  - low: rediscovery of every known artist, to find new releases.
 * Each pass asks catalog for the entities and enqueues jobs; existing jobs are left alone, done
 * ones are refreshed.
 */
export async function runTier(broker: ServiceBroker, tier: TierName, config: Config): Promise<{ enqueued: number }> {
	if (!serviceAvailable(broker, "catalog")) return { enqueued: 0 };
	let jobs: NewJob[];
	if (tier === "high") {
		const ids = await broker.call<string[], object>("catalog.missingFeatures", { limit: 10000 });
		jobs = ids.map(id => ({ type: "track.features", entity: id, tier: "high", refresh: true }));
	} else if (tier === "medium") {
		const olderThan = Date.now() - config.STALE_AFTER_DAYS * 86_400_000;
		const stale = await broker.call<{ artists: EntityRef[]; albums: EntityRef[] }, object>("catalog.stale", { olderThan, limit: 5000 });
		jobs = [
			...stale.artists.map(a => ({ type: "artist.discover", entity: `${a.provider}:${a.providerId}`, payload: { depth: config.CRAWL_MAX_DEPTH }, tier: "medium" as const, refresh: true })),
			...stale.albums.map(a => ({ type: "album.tracks", entity: `${a.provider}:${a.providerId}`, tier: "medium" as const, refresh: true }))
		];
	} else {
		const artists = await broker.call<EntityRef[], object>("catalog.knownArtists", { limit: 10000 });
		jobs = artists.map(a => ({ type: "artist.discover", entity: `${a.provider}:${a.providerId}`, payload: { depth: config.CRAWL_MAX_DEPTH }, tier: "low" as const, refresh: true }));
	}
	let enqueued = 0;
	for (let i = 0; i < jobs.length; i += 1000) {
		const res = await broker.call<{ created: number }, object>("scheduler.enqueue", { jobs: jobs.slice(i, i + 1000) });
		enqueued += res.created;
	}
	return { enqueued };
}
