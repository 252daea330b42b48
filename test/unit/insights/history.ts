/**
 * A hand-made listening history with known answers, for the snapshot arithmetic tests: three
 * catalog tracks and one the catalog does not know, over Monday 16 and Tuesday 17 November 2026
 * (ISO week 2026-W47) and Monday 23 November (2026-W48).
 */
import type { ListeningEvent, TrackFacts } from "../../../services/insights/model";

export const MON = Date.UTC(2026, 10, 16);
export const TUE = Date.UTC(2026, 10, 17);
export const NEXT_MON = Date.UTC(2026, 10, 23);
const H = 3_600_000;
const M = 60_000;

export const TRACKS = new Map<string, TrackFacts>([
	["t1", { name: "Alpha", artists: ["Artist A"], genre: "house", tempo: 124, energy: 0.8, valence: 0.6 }],
	["t2", { name: "Beta", artists: ["Artist A", "Artist B"], genre: "techno", tempo: 128.5, energy: 0.9, valence: 0.4 }],
	["t3", { name: "Gamma", artists: ["Artist C"], genre: "ambient", tempo: 85, energy: 0.2, valence: 0.3 }]
]);

let seq = 0;
const ev = (at: number, type: ListeningEvent["type"], trackId: string, msPlayed?: number): ListeningEvent => ({
	id: `e${++seq}`,
	userId: "u1",
	trackId,
	type,
	at,
	...(msPlayed !== undefined ? { msPlayed } : {})
});

export const MONDAY_EVENTS: ListeningEvent[] = [
	ev(MON + 7 * H + 10 * M, "play", "t1", 200_000),
	ev(MON + 7 * H + 14 * M, "complete", "t1"),
	ev(MON + 7 * H + 15 * M, "play", "t2", 60_000),
	ev(MON + 7 * H + 16 * M, "skip", "t2"),
	ev(MON + 18 * H, "play", "t3", 240_000),
	ev(MON + 18 * H + 4 * M, "like", "t3"),
	ev(MON + 18 * H + 5 * M, "play", "t1", 100_000)
];

export const TUESDAY_EVENTS: ListeningEvent[] = [
	ev(TUE + 21 * H + 30 * M, "play", "t2", 300_000),
	ev(TUE + 21 * H + 35 * M, "share", "t2"),
	ev(TUE + 21 * H + 36 * M, "play", "t4", 30_000),
	ev(TUE + 21 * H + 37 * M, "skip", "t4"),
	ev(TUE + 22 * H, "unlike", "t3")
];

export const NEXT_MONDAY_EVENTS: ListeningEvent[] = [ev(NEXT_MON + 8 * H, "play", "t3", 240_000)];

export const HISTORY: ListeningEvent[] = [...MONDAY_EVENTS, ...TUESDAY_EVENTS, ...NEXT_MONDAY_EVENTS];

/** A histogram of `length` zeros with some bins set. */
export function bins(length: number, set: Record<number, number>): number[] {
	return Array.from({ length }, (_, i) => set[i] ?? 0);
}
