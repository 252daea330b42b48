import type { ActivityType, Tally } from "./model";

export const TALLY_FIELDS = ["plays", "completes", "likes", "skips", "shares", "dislikes", "msPlayed"] as const satisfies ReadonlyArray<keyof Tally>;

export const emptyTally = (): Tally => ({ plays: 0, completes: 0, likes: 0, skips: 0, shares: 0, dislikes: 0, msPlayed: 0 });

const COUNTED: Partial<Record<ActivityType, keyof Tally>> = {
	play: "plays",
	complete: "completes",
	skip: "skips",
	share: "shares",
	dislike: "dislikes"
};

/**
 * How one event moves the counters. Likes move by the event's `likeDelta` rather than by its type,
 * so liking a liked track, or liking and unliking, leaves the count where it was.
 */
export function eventTally(e: { type: ActivityType; msPlayed?: number; likeDelta?: number }): Tally {
	const t = emptyTally();
	const field = COUNTED[e.type];
	if (field) t[field] = 1;
	t.likes = e.likeDelta ?? 0;
	t.msPlayed = e.msPlayed ?? 0;
	return t;
}

export function addTally(into: Tally, add: Partial<Tally>): Tally {
	for (const f of TALLY_FIELDS) into[f] += add[f] ?? 0;
	return into;
}

/** The non-zero fields, as a `$inc`. */
export function tallyInc(t: Tally): Record<string, number> {
	return Object.fromEntries(TALLY_FIELDS.filter(f => t[f] !== 0).map(f => [f, t[f]]));
}

/**
 * What each signal is worth in trending: a like or a share says more than a play, a skip or a
 * dislike counts against. Tuned by eye; they only order tracks, nobody sees the score's unit.
 */
export const TRENDING_WEIGHTS: Readonly<Record<Exclude<keyof Tally, "msPlayed">, number>> = {
	plays: 1,
	completes: 1,
	likes: 3,
	shares: 2,
	skips: -0.5,
	dislikes: -1
};

export function trendingScore(t: Tally): number {
	const w = TRENDING_WEIGHTS;
	// Net likes can be negative in a window (liked before it, unliked inside); that is not a signal.
	const s = t.plays * w.plays + t.completes * w.completes + Math.max(0, t.likes) * w.likes + t.shares * w.shares + t.skips * w.skips + t.dislikes * w.dislikes;
	return Math.round(s * 100) / 100;
}

export interface Ranked {
	trackId: string;
	tally: Tally;
	score: number;
}

/** Tracks with a positive score, best first; ties go to more plays, then more likes, then the id. */
export function rankTracks(byTrack: Map<string, Tally>): Ranked[] {
	const out: Ranked[] = [];
	for (const [trackId, tally] of byTrack) {
		const score = trendingScore(tally);
		if (score > 0) out.push({ trackId, tally, score });
	}
	return out.sort((a, b) => b.score - a.score || b.tally.plays - a.tally.plays || b.tally.likes - a.tally.likes || (a.trackId < b.trackId ? -1 : 1));
}

/** Fraction of plays that were skipped, or null with no plays. */
export function skipRate(t: Tally): number | null {
	if (t.plays === 0) return null;
	return Math.round(Math.min(1, t.skips / t.plays) * 1000) / 1000;
}

export function completionRate(t: Tally): number | null {
	if (t.plays === 0) return null;
	return Math.round(Math.min(1, t.completes / t.plays) * 1000) / 1000;
}
