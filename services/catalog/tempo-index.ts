/**
 * catalog.byTempo on the embedded store, answered from memory. NeDB uses no index for the `$or` of
 * tempo ranges and sorts every match, so each query scanned the whole catalog (about half a second
 * at 1M tracks). This index gives the same tracks in the same order as that query: tracks whose
 * tempo or tempoAlt lies in one of tempoRanges(q), with energy >= minEnergy and the genre when
 * given, sorted by tempo then id, offset then limit.
 *
 * It is kept current by following the store's writes (followCollection), which only the embedded
 * store offers: it lives in one process, so this index sees every write. MongoDB keeps the query.
 */
import { copyStored, followCollection } from "../../mixins/store/embedded-adapter";
import type { Collection } from "../../mixins/store/types";
import type { TrackDoc } from "./model";
import { lowerBound, mergeRuns, Run, type Segment } from "./sorted-runs";
import { tempoRanges, type TempoQuery } from "./tempo";

export interface TempoPageQuery extends TempoQuery {
	genre?: string;
	limit: number;
	offset: number;
}

export type Indexed = Pick<TrackDoc, "_id" | "tempo" | "tempoAlt" | "energy" | "genre">;

/** What a query selects on and sorts by, for one track, and the track. */
interface Entry<D extends Indexed> {
	/** Replaced by a write that leaves the fields below as they were. */
	doc: D;
	readonly id: string;
	/** -Infinity without a tempo: the store sorts a missing field before every number. */
	readonly tempo: number;
	readonly alt: number | undefined;
	/** NaN when unknown, so no minEnergy admits it (the store's $gte never matches a missing field). */
	readonly energy: number;
	readonly genre: string | undefined;
}

type Interval = readonly [lo: number, hi: number];

/*
 * Bucket widths. Tempo buckets are cut to a range by binary search, so their width only bounds the
 * cost of an insert. TempoAlt buckets are sorted by tempo, not by tempoAlt, so a query reads the
 * whole of the buckets at a range's ends: a quarter of a BPM keeps that small.
 */
const tempoKey = (tempo: number) => Math.floor(tempo);
const altKey = (alt: number) => Math.floor(alt * 4);

/** The store's order: tempo, then id by code units. */
function compare(a: Entry<Indexed>, b: Entry<Indexed>): number {
	if (a.tempo !== b.tempo) return a.tempo < b.tempo ? -1 : 1;
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Only numbers match a range in the store, so other values count as absent. */
function entryOf<D extends Indexed>(doc: D): Entry<D> | undefined {
	const tempo = typeof doc.tempo === "number" ? doc.tempo : -Infinity;
	const alt = typeof doc.tempoAlt === "number" ? doc.tempoAlt : undefined;
	if (tempo === -Infinity && alt === undefined) return undefined;
	return { doc, id: doc._id, tempo, alt, energy: typeof doc.energy === "number" ? doc.energy : NaN, genre: typeof doc.genre === "string" ? doc.genre : undefined };
}

function sameEntry(a: Entry<Indexed>, b: Entry<Indexed>): boolean {
	return a.tempo === b.tempo && a.alt === b.alt && Object.is(a.energy, b.energy) && a.genre === b.genre;
}

/** tempoRanges may overlap (a wide tolerance with halfDouble); a track matches once however many it falls in. */
function mergeIntervals(ranges: Array<[number, number]>): Interval[] {
	const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
	const out: Array<[number, number]> = [];
	for (const [lo, hi] of sorted) {
		const last = out.at(-1);
		if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
		else out.push([lo, hi]);
	}
	return out;
}

/** Positions [start, end) of a bucket (sorted by tempo) whose tempo is within [lo, hi]. */
function tempoSpan(bucket: readonly Entry<Indexed>[], [lo, hi]: Interval): [number, number] {
	return [lowerBound(bucket, e => e.tempo < lo), lowerBound(bucket, e => e.tempo <= hi)];
}

/**
 * Tracks in buckets by tempo and by tempoAlt, each bucket sorted in result order. A query walks
 * the tempo buckets of each range in order (already sorted there) and merges in the tempoAlt
 * buckets of the ranges, whose tracks sort elsewhere by their own tempo; it reads only as far as
 * offset + limit admitted tracks.
 */
export class TempoIndex<D extends Indexed = TrackDoc> {
	private readonly entries = new Map<string, Entry<D>>();
	private readonly byTempo = new Map<number, Entry<D>[]>();
	private readonly byAlt = new Map<number, Entry<D>[]>();

	/** Fills an empty index in one pass and one sort per bucket; `docs` must not repeat an id. */
	load(docs: Iterable<D>): this {
		if (this.entries.size > 0) throw new Error("TempoIndex.load needs an empty index");
		for (const doc of docs) {
			const e = entryOf(doc);
			if (!e) continue;
			this.entries.set(e.id, e);
			if (e.tempo !== -Infinity) bucketOf(this.byTempo, tempoKey(e.tempo)).push(e);
			if (e.alt !== undefined) bucketOf(this.byAlt, altKey(e.alt)).push(e);
		}
		for (const bucket of this.byTempo.values()) bucket.sort(compare);
		for (const bucket of this.byAlt.values()) bucket.sort(compare);
		return this;
	}

	/** Tracks that can match some query (those with a tempo or a tempoAlt). */
	get size(): number {
		return this.entries.size;
	}

	/** Takes in a track as it is now stored. */
	put(doc: D): void {
		const old = this.entries.get(doc._id);
		const next = entryOf(doc);
		if (old && next && sameEntry(old, next)) {
			old.doc = doc;
			return;
		}
		if (old) this.unlink(old);
		if (next) this.link(next);
	}

	remove(id: string): void {
		const old = this.entries.get(id);
		if (old) this.unlink(old);
	}

	/** The tracks catalog.byTempo's query would return, in its order. */
	page(q: TempoPageQuery): D[] {
		const intervals = mergeIntervals(tempoRanges(q));
		const genre = q.genre?.toLowerCase();
		const { minEnergy } = q;
		const admits = (e: Entry<D>) => (minEnergy === undefined || e.energy >= minEnergy) && (genre === undefined || e.genre === genre);
		const altInside = (e: Entry<D>) => e.alt !== undefined && intervals.some(([lo, hi]) => (e.alt as number) >= lo && (e.alt as number) <= hi);

		const runs = intervals.map(iv => new Run(this.tempoSegments(iv), admits));
		for (const key of altKeys(intervals)) {
			const bucket = this.byAlt.get(key);
			if (bucket) runs.push(new Run(this.outsideTempoRanges(bucket, intervals), e => altInside(e) && admits(e)));
		}
		return mergeRuns(runs, compare, q.offset, q.limit).map(e => e.doc);
	}

	/** The tempo buckets an interval covers, cut to the tracks inside it. */
	private tempoSegments(iv: Interval): Array<Segment<Entry<D>>> {
		const segments: Array<Segment<Entry<D>>> = [];
		for (let key = tempoKey(iv[0]); key <= tempoKey(iv[1]); key++) {
			const bucket = this.byTempo.get(key);
			if (!bucket) continue;
			const [start, end] = tempoSpan(bucket, iv);
			if (start < end) segments.push([bucket, start, end]);
		}
		return segments;
	}

	/** A tempoAlt bucket without the tracks whose tempo is in range: the tempo buckets give those. */
	private outsideTempoRanges(bucket: Entry<D>[], intervals: readonly Interval[]): Array<Segment<Entry<D>>> {
		const segments: Array<Segment<Entry<D>>> = [];
		let from = 0;
		for (const iv of intervals) {
			const [start, end] = tempoSpan(bucket, iv);
			if (start > from) segments.push([bucket, from, start]);
			from = Math.max(from, end);
		}
		if (from < bucket.length) segments.push([bucket, from, bucket.length]);
		return segments;
	}

	private link(e: Entry<D>): void {
		this.entries.set(e.id, e);
		if (e.tempo !== -Infinity) insertSorted(bucketOf(this.byTempo, tempoKey(e.tempo)), e);
		if (e.alt !== undefined) insertSorted(bucketOf(this.byAlt, altKey(e.alt)), e);
	}

	private unlink(e: Entry<D>): void {
		this.entries.delete(e.id);
		if (e.tempo !== -Infinity) removeSorted(this.byTempo, tempoKey(e.tempo), e);
		if (e.alt !== undefined) removeSorted(this.byAlt, altKey(e.alt), e);
	}
}

function bucketOf<E>(buckets: Map<number, E[]>, key: number): E[] {
	let bucket = buckets.get(key);
	if (!bucket) buckets.set(key, (bucket = []));
	return bucket;
}

/** TempoAlt bucket keys the intervals touch, each once. */
function altKeys(intervals: readonly Interval[]): number[] {
	const keys = new Set<number>();
	for (const [lo, hi] of intervals) for (let key = altKey(lo); key <= altKey(hi); key++) keys.add(key);
	return [...keys];
}

function insertSorted<E extends Entry<Indexed>>(bucket: E[], e: E): void {
	bucket.splice(lowerBound(bucket, x => compare(x, e) < 0), 0, e);
}

function removeSorted<E extends Entry<Indexed>>(buckets: Map<number, E[]>, key: number, e: E): void {
	const bucket = buckets.get(key);
	if (!bucket) return;
	const at = lowerBound(bucket, x => compare(x, e) < 0);
	if (bucket[at] === e) bucket.splice(at, 1);
	if (bucket.length === 0) buckets.delete(key);
}

export interface FollowedTempoIndex {
	/** Tracks that can match some query. */
	readonly size: number;
	/** byTempo's answer, as copies: the indexed documents are the store's own. */
	page(q: TempoPageQuery): TrackDoc[];
	stop(): void;
}

/**
 * A tempo index of the tracks collection, built from what is stored now and then kept current by
 * every write; undefined when the collection is not on the embedded store.
 */
export function followTempoIndex(tracks: Collection<TrackDoc>): FollowedTempoIndex | undefined {
	const index = new TempoIndex<TrackDoc>();
	const following = followCollection(tracks, change => (change.doc ? index.put(change.doc) : index.remove(change.id)));
	if (!following) return undefined;
	// Loaded in the same tick as the snapshot was taken, so no write can be missed or applied twice.
	index.load(following.docs);
	return {
		get size() {
			return index.size;
		},
		page: q => index.page(q).map(doc => copyStored(doc)),
		stop: following.stop
	};
}
