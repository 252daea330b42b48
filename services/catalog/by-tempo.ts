/**
 * catalog.byTempo: tracks whose tempo or tempoAlt lies in one of tempoRanges(q), with energy >=
 * minEnergy and the genre when given, sorted by tempo then id, offset then limit.
 *
 * As one query that is an `$or` of ranges over two fields sorted by a third order, which no store
 * answers from an index (it was measured at seconds on SQLite). So each reading (tempo, tempoAlt)
 * of each range is one indexed range query for its first offset + limit tracks in the final order,
 * and the page is merged here. The same on both stores.
 */
import type { Collection, Filter } from "../../mixins/store/types";
import { canonicalGenre } from "./genres";
import type { TrackDoc } from "./model";
import { tempoRanges, type TempoQuery } from "./tempo";

export interface TempoPageQuery extends TempoQuery {
	genre?: string;
	limit: number;
	offset: number;
}

/** tempoRanges may overlap (a wide tolerance with halfDouble): merged, a track is read once per reading. */
export function mergeIntervals(ranges: Array<[number, number]>): Array<[number, number]> {
	const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
	const out: Array<[number, number]> = [];
	for (const [lo, hi] of sorted) {
		const last = out.at(-1);
		if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
		else out.push([lo, hi]);
	}
	return out;
}

/** The store's order: a missing tempo first, then by tempo, then by id. */
function compare(a: Pick<TrackDoc, "_id" | "tempo">, b: Pick<TrackDoc, "_id" | "tempo">): number {
	const ta = typeof a.tempo === "number" ? a.tempo : -Infinity;
	const tb = typeof b.tempo === "number" ? b.tempo : -Infinity;
	if (ta !== tb) return ta < tb ? -1 : 1;
	return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

type SortKeys = Array<Pick<TrackDoc, "_id" | "tempo">>;

/**
 * The sort keys each reading found, kept until the catalog's tracks change: a tempoAlt reading is
 * ordered by tempo, which its index cannot give, so it sorts every track in its range (4 ms at 1M,
 * ten times that at 10M), and signed-in pages that signals change ask for it on every request.
 * Only ids and tempos are kept; the page's documents are read each time.
 */
export class TempoReadings {
	private readonly kept = new Map<string, SortKeys>();
	/** Bumped by every clear: a reading that started before one may be stale, and is not kept. */
	private version = 0;

	constructor(private readonly maxReadings = 1000) {}

	async read(key: string, find: () => Promise<SortKeys>): Promise<SortKeys> {
		const hit = this.kept.get(key);
		if (hit) return hit;
		const version = this.version;
		const found = await find();
		if (version === this.version) {
			// A Map iterates in insertion order: dropping the first key drops the oldest reading.
			if (this.kept.size >= this.maxReadings) this.kept.delete(this.kept.keys().next().value as string);
			this.kept.set(key, found);
		}
		return found;
	}

	clear(): void {
		this.version++;
		this.kept.clear();
	}
}

export async function tracksByTempo(tracks: Collection<TrackDoc>, q: TempoPageQuery, readings?: TempoReadings): Promise<TrackDoc[]> {
	const want = q.offset + q.limit;
	const rest: Filter = {};
	if (q.minEnergy !== undefined) rest.energy = { $gte: q.minEnergy };
	if (q.genre) rest.genre = canonicalGenre(q.genre) ?? q.genre.toLowerCase();
	const sort = { tempo: 1, _id: 1 } as const;
	// Only the sort keys first (an index covers them), then the page's documents.
	const reads = mergeIntervals(tempoRanges(q)).flatMap(([lo, hi]) =>
		(["tempo", "tempoAlt"] as const).map(field => {
			const find = () => tracks.find({ ...rest, [field]: { $gte: lo, $lte: hi } }, { sort, limit: want, projection: { tempo: 1 } });
			return readings ? readings.read(JSON.stringify([field, lo, hi, rest, want]), find) : find();
		})
	);
	// Every track of the page is among the first `want` of some reading, so the union holds the page.
	const byId = new Map<string, Pick<TrackDoc, "_id" | "tempo">>();
	for (const list of await Promise.all(reads)) for (const doc of list) byId.set(doc._id, doc);
	const page = [...byId.values()].sort(compare).slice(q.offset, want).map(d => d._id);
	if (page.length === 0) return [];
	const docs = new Map((await tracks.find({ _id: { $in: page } })).map(d => [d._id, d]));
	return page.flatMap(id => docs.get(id) ?? []);
}

/**
 * Counts of tracks per bin of `size` BPM, only bins between the lowest and highest tempo: one
 * indexed count per bin rather than reading every track (minutes at 10M).
 */
export async function tempoHistogram(tracks: Collection<TrackDoc>, size: number): Promise<{ total: number; bins: Array<{ from: number; to: number; count: number }> }> {
	const numeric: Filter = { tempo: { $gte: -Number.MAX_VALUE } };
	const [lowest] = await tracks.find(numeric, { sort: { tempo: 1 }, limit: 1, projection: { tempo: 1 } });
	const [highest] = await tracks.find(numeric, { sort: { tempo: -1 }, limit: 1, projection: { tempo: 1 } });
	const total = await tracks.count({ tempo: { $exists: true } });
	if (lowest?.tempo === undefined || highest?.tempo === undefined) return { total, bins: [] };
	const bins: Array<{ from: number; to: number; count: number }> = [];
	for (let from = Math.floor(lowest.tempo / size) * size; from <= highest.tempo; from += size) {
		bins.push({ from, to: from + size, count: await tracks.count({ tempo: { $gte: from, $lt: from + size } }) });
	}
	return { total, bins };
}
