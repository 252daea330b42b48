import type { ServiceBroker } from "moleculer";
import type { Config } from "../../config";
import type { ArtistRef, Provider } from "../../mixins/upstream/types";

/**
 * Turns artists met on albums and tracks (featured artists, collaborators) into discovery jobs,
 * one hop deeper than the job that met them, within CRAWL_MAX_DEPTH and CRAWL_MAX_ARTISTS.
 */
export async function discoverArtists(broker: ServiceBroker, config: Config, provider: Provider, artists: ArtistRef[], depth: number): Promise<number> {
	if (depth > config.CRAWL_MAX_DEPTH) return 0;
	const unique = new Map(artists.filter(a => a.id).map(a => [a.id, a]));
	if (unique.size === 0) return 0;
	const jobs = [...unique.values()].map(a => ({ type: "artist.discover", entity: `${provider}:${a.id}`, payload: { depth, name: a.name }, tier: "low" }));
	const res = await broker.call<{ created: number }, object>("scheduler.enqueue", { jobs, cap: { type: "artist.discover", max: config.CRAWL_MAX_ARTISTS } });
	return res.created;
}

/** "spotify:abc" → provider and id; a bare string is a name to search for. */
export function parseEntity(entity: string): { provider?: Provider; id?: string; name?: string } {
	const m = /^(spotify|deezer):(.+)$/.exec(entity);
	if (m) return { provider: m[1] as Provider, id: m[2] };
	return { name: entity };
}
