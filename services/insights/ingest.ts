/**
 * Brings one user's snapshots up to date, incrementally: it reads the events since the user's
 * cursor (the last scan, less LATE_MS), rebuilds the day snapshots those events fall in, then the weeks and months holding those
 * days by merging their day tallies (events are not read twice), and the period-on-period change
 * of each rebuilt snapshot and of the one after it. Recomputing a period replaces its snapshot.
 */
import type { Collection } from "../../mixins/store/types";
import type { CursorDoc, ListeningEvent, SnapshotDoc, Tally, TrackFacts } from "./model";
import { DAY_MS, nextPeriod, periodAt, previousPeriod, snapshotId, type PeriodRange } from "./periods";
import { changeBetween, figuresOf, mergeTallies, tallyEvents, topTrackIds } from "./tally";

/** Events recorded up to this late (clock skew, offline apps syncing) are still picked up. */
export const LATE_MS = 3_600_000;

export interface IngestDeps {
	snapshots: Collection<SnapshotDoc>;
	cursors: Collection<CursorDoc>;
	/** The user's events with since <= at < until, oldest first, every source merged. */
	events(userId: string, since: number, until: number): Promise<ListeningEvent[]>;
	/** Catalog facts of the tracks it knows; unknown ids are left out. */
	tracks(ids: string[]): Promise<Map<string, TrackFacts>>;
	now: number;
	backfillDays: number;
}

export interface IngestResult {
	userId: string;
	events: number;
	snapshots: { day: number; week: number; month: number };
	since: string;
}

/** Looks each track up once per ingestion. */
class TrackCache {
	private readonly known = new Map<string, TrackFacts>();
	private readonly asked = new Set<string>();
	constructor(private readonly lookup: IngestDeps["tracks"]) {}

	async get(ids: Iterable<string>): Promise<Map<string, TrackFacts>> {
		const missing = [...new Set(ids)].filter(id => !this.asked.has(id));
		if (missing.length) {
			for (const id of missing) this.asked.add(id);
			for (const [id, facts] of await this.lookup(missing)) this.known.set(id, facts);
		}
		return this.known;
	}
}

function sourcesOf(events: readonly ListeningEvent[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const e of events) out[e.origin ?? "activity"] = (out[e.origin ?? "activity"] ?? 0) + 1;
	return out;
}

function uniqueRanges(ranges: PeriodRange[]): PeriodRange[] {
	const byKey = new Map(ranges.map(r => [r.key, r]));
	return [...byKey.values()].sort((a, b) => a.start - b.start);
}

export interface IngestOptions {
	/** Rebuild every period from here on (a repair), whatever the cursor says. */
	from?: number;
	/** The oldest event a source added since the last run (Spotify's plays come after the fact). */
	lateFrom?: number;
}

export async function ingestUser(deps: IngestDeps, userId: string, opts: IngestOptions = {}): Promise<IngestResult> {
	const cursor = await deps.cursors.findOne({ _id: userId });
	// A cursor may exist without a scan yet (the Spotify source keeps its own cursor there).
	const base = opts.from ?? (cursor?.scannedTo !== undefined ? cursor.scannedTo - LATE_MS : deps.now - deps.backfillDays * DAY_MS);
	const since = Math.min(base, opts.lateFrom ?? base);
	const fresh = (await deps.events(userId, since, deps.now + 1)).filter(e => e.at >= since && e.at <= deps.now);
	const cache = new TrackCache(deps.tracks);
	const counts = { day: 0, week: 0, month: 0 };
	const rebuilt = new Set<string>();

	const save = async (range: PeriodRange, tally: Tally, sources?: Record<string, number>) => {
		const figures = figuresOf(tally, await cache.get(topTrackIds(tally)));
		const prev = previousPeriod(range);
		const before = await deps.snapshots.findOne({ _id: snapshotId(userId, prev) });
		const change = before ? changeBetween(figures, before.figures, before.key) : null;
		await deps.snapshots.upsert(
			{ _id: snapshotId(userId, range) },
			{ $set: { userId, period: range.period, key: range.key, start: range.start, end: range.end, tally, figures, change, computedAt: deps.now, ...(sources ? { sources } : {}) } }
		);
		rebuilt.add(snapshotId(userId, range));
		counts[range.period]++;
	};

	const byDay = new Map<number, ListeningEvent[]>();
	for (const e of fresh) {
		const day = periodAt("day", e.at).start;
		const list = byDay.get(day) ?? [];
		list.push(e);
		byDay.set(day, list);
	}
	const days = [...byDay.keys()].sort((a, b) => a - b).map(d => periodAt("day", d));
	for (const day of days) {
		// The first day may have begun before `since`: its earlier events are read too.
		const events = day.start >= since ? (byDay.get(day.start) ?? []) : (await deps.events(userId, day.start, day.end)).filter(e => e.at >= day.start && e.at < day.end);
		await save(day, tallyEvents(events, await cache.get(events.map(e => e.trackId))), sourcesOf(events));
	}
	const longer = [...uniqueRanges(days.map(d => periodAt("week", d.start))), ...uniqueRanges(days.map(d => periodAt("month", d.start)))];
	for (const range of longer) {
		const parts = await deps.snapshots.find({ userId, period: "day", start: { $gte: range.start, $lt: range.end } });
		await save(range, mergeTallies(parts.map(p => p.tally)));
	}
	// A rebuilt period changes the "previous" of the period after it.
	for (const range of [...days, ...longer]) {
		const next = nextPeriod(range);
		const id = snapshotId(userId, next);
		if (rebuilt.has(id)) continue;
		const after = await deps.snapshots.findOne({ _id: id });
		const current = await deps.snapshots.findOne({ _id: snapshotId(userId, range) });
		if (after && current) await deps.snapshots.update({ _id: id }, { $set: { change: changeBetween(after.figures, current.figures, current.key) } });
	}

	await deps.cursors.upsert({ _id: userId }, { $set: { scannedTo: deps.now } });
	return { userId, events: fresh.length, snapshots: counts, since: new Date(since).toISOString() };
}
