/** The figures behind /analytics/*: pure functions over counters, events and catalog tracks. */
import type { TrackDoc } from "../catalog/model";
import { trackView, type TrackView } from "../catalog/view";
import type { EventDoc, Tally } from "./model";
import { addTally, completionRate, emptyTally, eventTally, skipRate, trendingScore, type Ranked } from "./tally";
import { DAY_MS, iso, type TimeWindow } from "./window";

export interface Rates {
	skipRate: number | null;
	completionRate: number | null;
}

/** Counts as the API shows them: net likes never below zero, listening time in ms. */
export type Counts = Omit<Tally, "msPlayed"> & { listeningMs: number };

export function counts(t: Tally): Counts {
	return { plays: t.plays, completes: t.completes, likes: Math.max(0, t.likes), skips: t.skips, shares: t.shares, dislikes: t.dislikes, listeningMs: t.msPlayed };
}

export const rates = (t: Tally): Rates => ({ skipRate: skipRate(t), completionRate: completionRate(t) });

export const windowView = (w: TimeWindow) => ({ window: w.window, from: iso(w.from), to: iso(w.to) });

export interface RankedTrack extends Counts {
	track: TrackView;
	score: number;
}

export const rankedTrack = (r: Ranked, doc: TrackDoc): RankedTrack => ({ track: trackView(doc), score: r.score, ...counts(r.tally) });

export interface GroupFigure extends Counts {
	score: number;
	/** Distinct tracks of the group that had activity. */
	tracks: number;
}

/**
 * Adds ranked tracks up by a key of their catalog document (artist names, genre), best first. A
 * track with two artists counts fully for each.
 */
export function groupBy(ranked: Ranked[], docs: Map<string, TrackDoc>, keys: (doc: TrackDoc) => string[], limit: number): Array<GroupFigure & { key: string }> {
	const groups = new Map<string, { tally: Tally; tracks: number }>();
	for (const r of ranked) {
		const doc = docs.get(r.trackId);
		if (!doc) continue;
		for (const key of new Set(keys(doc))) {
			const g = groups.get(key) ?? { tally: emptyTally(), tracks: 0 };
			addTally(g.tally, r.tally);
			g.tracks++;
			groups.set(key, g);
		}
	}
	return [...groups.entries()]
		.map(([key, g]) => ({ key, score: trendingScore(g.tally), tracks: g.tracks, ...counts(g.tally) }))
		.sort((a, b) => b.score - a.score || b.plays - a.plays || (a.key < b.key ? -1 : 1))
		.slice(0, limit);
}

export const artistKeys = (doc: TrackDoc): string[] => doc.artists.map(a => a.name);
export const genreKeys = (doc: TrackDoc): string[] => (doc.genre ? [doc.genre] : []);

/** One user's figures over their events of a window. */
export interface Engagement extends Counts, Rates {
	events: number;
	/** UTC days with at least one event. */
	activeDays: number;
	/** Mean cadence the user asked for, over events that carried one. */
	averageBpm: number | null;
	/** Events by the `source` the client gave. */
	sources: Record<string, number>;
}

export function engagement(events: EventDoc[]): { figures: Engagement; byTrack: Map<string, Tally> } {
	const total = emptyTally();
	const byTrack = new Map<string, Tally>();
	const days = new Set<number>();
	const sources: Record<string, number> = {};
	let bpmSum = 0;
	let bpmCount = 0;
	for (const e of events) {
		const t = eventTally(e);
		addTally(total, t);
		const track = byTrack.get(e.trackId) ?? emptyTally();
		byTrack.set(e.trackId, addTally(track, t));
		days.add(Math.floor(e.at / DAY_MS));
		if (e.context?.bpm !== undefined) {
			bpmSum += e.context.bpm;
			bpmCount++;
		}
		if (e.context?.source) sources[e.context.source] = (sources[e.context.source] ?? 0) + 1;
	}
	const figures: Engagement = {
		events: events.length,
		...counts(total),
		...rates(total),
		activeDays: days.size,
		averageBpm: bpmCount ? Math.round((bpmSum / bpmCount) * 10) / 10 : null,
		sources
	};
	return { figures, byTrack };
}
