import type { TrackDoc } from "../catalog/model";
import type { Cursor } from "./cursor";

/** What catalog.byTempo takes besides limit and offset. */
export interface TempoSelection {
	bpm: number;
	tolerance: number;
	halfDouble: boolean;
	minEnergy?: number;
	genre?: string;
}

export type FetchTempo = (q: TempoSelection & { limit: number; offset: number }) => Promise<TrackDoc[]>;

export interface TempoPage {
	docs: TrackDoc[];
	/** Where the next page starts, or undefined at the end of the list. */
	next?: Omit<Cursor, "q">;
}

/** catalog.byTempo's largest page. */
const MAX_FETCH = 200;
/** How far before the cursor's position a page re-reads, to find its place again after tracks left the list. */
const SLACK = 20;
/** Catalog calls one page may take when many tracks are filtered out. */
const MAX_ROUNDS = 4;

type Key = { t: number; i: string };

const keyOf = (doc: TrackDoc): Key => ({ t: doc.tempo ?? -Infinity, i: doc._id });
const compare = (a: Key, b: Key): number => (a.t !== b.t ? a.t - b.t : a.i < b.i ? -1 : a.i > b.i ? 1 : 0);

/**
 * One page of tracks in catalog order (tempo, then id), skipping those `keep` rejects.
 *
 * The catalog pages by offset, which shifts when tracks are added or re-tempoed before the
 * position. So a page restarts a little before the cursor's offset and skips every track whose sort
 * key is not after the cursor's: pages never repeat a track, and none is missed unless more than
 * SLACK tracks left the list before the position between two calls.
 */
export async function tempoPage(
	fetch: FetchTempo,
	selection: TempoSelection,
	limit: number,
	cursor: Cursor | undefined,
	keep: (doc: TrackDoc) => boolean,
	/** Extra tracks to read ahead, for the ones `keep` is expected to reject. */
	overfetch = 0
): Promise<TempoPage> {
	const after: Key | undefined = cursor ? { t: cursor.t ?? -Infinity, i: cursor.i } : undefined;
	let offset = cursor ? Math.max(0, cursor.o - SLACK) : 0;
	const docs: TrackDoc[] = [];
	let last: Omit<Cursor, "q"> | undefined = cursor ? { o: cursor.o, t: cursor.t, i: cursor.i } : undefined;
	for (let round = 0; round < MAX_ROUNDS; round++) {
		const reread = cursor ? Math.max(0, cursor.o - offset) : 0;
		const want = Math.min(MAX_FETCH, limit - docs.length + 1 + reread + overfetch);
		const batch = await fetch({ ...selection, limit: want, offset });
		let consumed = 0;
		for (const doc of batch) {
			if (docs.length === limit) break;
			consumed++;
			if (after && compare(keyOf(doc), after) <= 0) continue;
			last = { o: offset + consumed, t: doc.tempo ?? null, i: doc._id };
			if (keep(doc)) docs.push(doc);
		}
		const exhausted = batch.length < want;
		if (docs.length === limit) return { docs, next: consumed < batch.length || !exhausted ? last : undefined };
		if (exhausted) return { docs };
		offset += batch.length;
	}
	// Too much was filtered out to fill the page in time: hand out what there is and continue later.
	return { docs, next: last };
}
