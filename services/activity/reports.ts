/** The read side of activity: trending, trends, the platform summary and one user's engagement. */
import type { Collection } from "../../mixins/store/types";
import type { TrackDoc } from "../catalog/model";
import { artistKeys, counts, engagement, genreKeys, groupBy, rankedTrack, rates, windowView, type RankedTrack } from "./analytics";
import type { Counters } from "./counters";
import type { EventDoc } from "./model";
import type { Reactions } from "./reactions";
import { rankTracks, type Ranked } from "./tally";
import { iso, type TimeWindow } from "./window";

/** catalog.getMany: the documents of the ids it knows. */
export type CatalogLookup = (ids: string[]) => Promise<TrackDoc[]>;

/** catalog.getMany takes this many ids per call. */
export const CATALOG_BATCH = 1000;
/** Trends group artists and genres over this many of the window's best tracks. */
const TREND_TRACKS = 1000;
/** A user's analytics read at most this many events of the window. */
const USER_EVENTS_CAP = 50_000;

/** Catalog documents by id; ids the catalog does not know are missing from the map. */
export async function hydrate(lookup: CatalogLookup, ids: string[]): Promise<Map<string, TrackDoc>> {
	const out = new Map<string, TrackDoc>();
	for (let i = 0; i < ids.length; i += CATALOG_BATCH) {
		for (const d of await lookup(ids.slice(i, i + CATALOG_BATCH))) out.set(d._id, d);
	}
	return out;
}

/** The first `limit` ranked tracks the catalog knows, looked up in slices so a long tail costs nothing. */
async function topTracks(lookup: CatalogLookup, ranked: Ranked[], limit: number): Promise<RankedTrack[]> {
	const out: RankedTrack[] = [];
	const slice = Math.max(limit * 2, 50);
	for (let i = 0; i < ranked.length && out.length < limit; i += slice) {
		const part = ranked.slice(i, i + slice);
		const docs = await hydrate(lookup, part.map(r => r.trackId));
		for (const r of part) {
			const doc = docs.get(r.trackId);
			if (doc && out.length < limit) out.push(rankedTrack(r, doc));
		}
	}
	return out;
}

/** Ranked tracks with their documents, dropping those the catalog no longer knows. */
async function known(lookup: CatalogLookup, ranked: Ranked[]): Promise<{ known: Array<Ranked & { doc: TrackDoc }>; docs: Map<string, TrackDoc> }> {
	const docs = await hydrate(lookup, ranked.map(r => r.trackId));
	return { known: ranked.flatMap(r => (docs.has(r.trackId) ? [{ ...r, doc: docs.get(r.trackId) as TrackDoc }] : [])), docs };
}

export class Reports {
	constructor(private readonly s: { counters: Counters; reactions: Reactions; events: Collection<EventDoc> }) {}

	async trending(w: TimeWindow, limit: number, lookup: CatalogLookup) {
		const ranked = rankTracks(await this.s.counters.tracksSince(w.from));
		return { ...windowView(w), items: await topTracks(lookup, ranked, limit) };
	}

	async summary(w: TimeWindow) {
		const total = await this.s.counters.platformSince(w.from);
		const activeUsers = await this.s.counters.countActiveSince(w.from);
		const playsPerActiveUser = activeUsers ? Math.round((total.plays / activeUsers) * 100) / 100 : 0;
		return { ...windowView(w), activeUsers, ...counts(total), ...rates(total), playsPerActiveUser };
	}

	async trends(w: TimeWindow, limit: number, lookup: CatalogLookup) {
		const ranked = rankTracks(await this.s.counters.tracksSince(w.from)).slice(0, TREND_TRACKS);
		const { known: top, docs } = await known(lookup, ranked);
		return {
			...windowView(w),
			tracksConsidered: top.length,
			tracks: top.slice(0, limit).map(r => rankedTrack(r, r.doc)),
			artists: groupBy(top, docs, artistKeys, limit).map(({ key, ...g }) => ({ name: key, ...g })),
			genres: groupBy(top, docs, genreKeys, limit).map(({ key, ...g }) => ({ genre: key, ...g }))
		};
	}

	async user(userId: string, w: TimeWindow, lookup: CatalogLookup) {
		const events = await this.s.events.find({ userId, at: { $gte: w.from } }, { sort: { at: 1 }, limit: USER_EVENTS_CAP });
		const { figures, byTrack } = engagement(events);
		const { known: top, docs } = await known(lookup, rankTracks(byTrack).slice(0, 200));
		const life = await this.s.counters.user(userId);
		return {
			userId,
			...windowView(w),
			...figures,
			truncated: events.length === USER_EVENTS_CAP,
			likedTracks: await this.s.reactions.count(userId, "like"),
			dislikedTracks: await this.s.reactions.count(userId, "dislike"),
			firstActiveAt: life ? iso(life.firstAt) : null,
			lastActiveAt: life ? iso(life.lastAt) : null,
			topTracks: top.slice(0, 5).map(r => rankedTrack(r, r.doc)),
			topArtists: groupBy(top, docs, artistKeys, 5).map(({ key, ...g }) => ({ name: key, ...g }))
		};
	}

	/** Artist names of the tracks, the most frequent first. */
	async artistsOf(trackIds: string[], lookup: CatalogLookup): Promise<string[]> {
		const byArtist = new Map<string, number>();
		for (const doc of (await hydrate(lookup, trackIds)).values()) {
			for (const a of new Set(doc.artists.map(x => x.name))) byArtist.set(a, (byArtist.get(a) ?? 0) + 1);
		}
		return [...byArtist.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
	}
}
