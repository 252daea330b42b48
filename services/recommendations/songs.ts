import type { TrackDoc } from "../catalog/model";
import { tempoMatch, type TempoMatch } from "../catalog/tempo";
import { trackView, type TrackView } from "../catalog/view";
import { decodeCursor, encodeCursor, queryHash } from "./cursor";
import type { SongsByBpmParams } from "./params";
import { NO_SIGNALS, SignalIndex, type Caller, type UserSignals } from "./signals";
import { tempoPage, type TempoSelection } from "./tempo-page";

export interface SongsPage {
	bpm: number;
	tolerance: number;
	halfDouble: boolean;
	/** True for a signed-in caller whose feedback (dislikes, skips, liked artists) was applied. */
	personalized: boolean;
	count: number;
	/** With the reading that matched the asked tempo (catalog/tempo.ts's tempoMatch). */
	items: Array<TrackView & Partial<TempoMatch>>;
	/** Pass as `cursor` for the next page; null at the end. */
	nextCursor: string | null;
}

/** Drops undefined fields: optional filters are left out of catalog calls and cursor hashes. */
function defined<T extends object>(value: T): T {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Whether a signed-in caller's signals change the page beyond marking it personalised: when they
 * do not (no liked artists, nothing to leave out), every such caller gets the same page.
 */
export function shapesPage(signals: UserSignals, p: SongsByBpmParams): boolean {
	return signals.likedArtists.length > 0 || (p.excludeDisliked && (signals.disliked.length > 0 || Object.keys(signals.skipped).length > 0));
}

/**
 * Tracks for a running cadence, in catalog order (tempo, then id) so pages are stable. With a
 * signed-in caller's signals, tracks they disliked or skipped are left out (unless
 * excludeDisliked=false) and, within each page, tracks by artists they like come first. Without
 * signals, or with NO_SIGNALS (activity is not running), the list is not personalised.
 */
export async function songsByBpm(call: Caller, p: SongsByBpmParams, fetched: UserSignals | undefined): Promise<SongsPage> {
	const selection: TempoSelection = defined({ bpm: p.bpm, tolerance: p.tolerance, halfDouble: p.halfDouble, minEnergy: p.minEnergy, genre: p.genre });
	const hash = queryHash({ ...selection });
	const cursor = p.cursor ? decodeCursor(p.cursor, hash) : undefined;
	const signals = fetched === undefined || fetched === NO_SIGNALS ? undefined : new SignalIndex(fetched);
	const filtering = signals !== undefined && p.excludeDisliked && signals.excludedCount > 0;
	const keep = filtering ? (doc: TrackDoc) => !signals.isExcluded(doc._id) : () => true;
	const page = await tempoPage(
		q => call<TrackDoc[]>("catalog.byTempo", q),
		selection,
		p.limit,
		cursor,
		keep,
		filtering ? Math.min(100, signals.excludedCount) : 0
	);
	let docs = page.docs;
	if (signals && signals.signals.likedArtists.length) {
		const boosted = docs.filter(d => signals.byLikedArtist(d));
		docs = [...boosted, ...docs.filter(d => !boosted.includes(d))];
	}
	return {
		bpm: p.bpm,
		tolerance: p.tolerance,
		halfDouble: p.halfDouble,
		personalized: signals !== undefined,
		count: docs.length,
		items: docs.map(d => ({ ...trackView(d), ...tempoMatch(selection, d) })),
		nextCursor: page.next ? encodeCursor({ ...page.next, q: hash }) : null
	};
}
