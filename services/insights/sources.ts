/**
 * Where snapshots get their inputs: the activity service's events and the catalog's track facts,
 * read only through those services' actions.
 */
import type { ServiceBroker } from "moleculer";
import type { TrackDoc } from "../catalog/model";
import { serviceAvailable } from "../shared/registry";
import type { ListeningEvent, TrackFacts } from "./model";

/** Events per activity.events call; a full page asks for the next one. */
export const EVENTS_PAGE = 5000;
const CATALOG_BATCH = 500;

/**
 * The user's activity events with since <= at < until, oldest first. Pages continue from the last
 * page's newest timestamp; events seen on both pages are dropped by id.
 */
export async function activityEvents(broker: ServiceBroker, userId: string, since: number, until: number): Promise<ListeningEvent[]> {
	if (!serviceAvailable(broker, "activity")) throw new Error("the activity service is not running anywhere in the cluster");
	const out: ListeningEvent[] = [];
	const seen = new Set<string>();
	let from = since;
	for (;;) {
		const page = await broker.call<ListeningEvent[], object>("activity.events", { userId, since: from, until, limit: EVENTS_PAGE });
		let added = 0;
		for (const e of page) {
			if (seen.has(e.id) || e.at < since || e.at >= until) continue;
			seen.add(e.id);
			out.push(e);
			added++;
		}
		if (page.length < EVENTS_PAGE || added === 0) break;
		from = page[page.length - 1].at;
	}
	return out.sort((a, b) => a.at - b.at);
}

export function trackFacts(doc: TrackDoc): TrackFacts {
	return {
		name: doc.name,
		artists: (doc.artists ?? []).map(a => a.name),
		genre: doc.genre,
		tempo: doc.tempo,
		energy: doc.energy,
		valence: doc.valence
	};
}

/** Catalog facts of the tracks it knows; without a catalog, none (snapshots still count plays). */
export async function catalogFacts(broker: ServiceBroker, ids: readonly string[]): Promise<Map<string, TrackFacts>> {
	const out = new Map<string, TrackFacts>();
	if (ids.length === 0 || !serviceAvailable(broker, "catalog")) return out;
	for (let i = 0; i < ids.length; i += CATALOG_BATCH) {
		const docs = await broker.call<TrackDoc[], object>("catalog.getMany", { ids: ids.slice(i, i + CATALOG_BATCH) });
		for (const doc of docs) out.set(doc._id, trackFacts(doc));
	}
	return out;
}
