import type { Filter } from "../../mixins/store/types";

export interface TempoQuery {
	bpm: number;
	tolerance: number;
	halfDouble: boolean;
	minEnergy?: number;
}

/**
 * The tempo ranges a cadence matches. With halfDouble, a 170 BPM runner also matches 85 BPM tracks
 * (a step every other beat) and 340 is out of range, so it is dropped. Both the measured tempo and
 * the kept half/double alternative are searched, so an octave error does not hide a track.
 */
export function tempoRanges(q: TempoQuery): Array<[number, number]> {
	const targets = q.halfDouble ? [q.bpm, q.bpm / 2, q.bpm * 2] : [q.bpm];
	return targets
		.filter(t => t >= 20 && t <= 400)
		.map(t => {
			const tol = q.tolerance * (t / q.bpm);
			return [Math.round((t - tol) * 100) / 100, Math.round((t + tol) * 100) / 100] as [number, number];
		});
}

export function tempoFilter(q: TempoQuery): Filter {
	const or: Filter[] = [];
	for (const [lo, hi] of tempoRanges(q)) {
		or.push({ tempo: { $gte: lo, $lte: hi } });
		or.push({ tempoAlt: { $gte: lo, $lte: hi } });
	}
	const filter: Filter = { $or: or };
	if (q.minEnergy !== undefined) filter.energy = { $gte: q.minEnergy };
	return filter;
}

/**
 * Which reading of a track a tempo query matched: its tempo or its kept alternative (`alt`), as
 * is or (with halfDouble) counted at half or double time. A track whose `tempo` lies outside the
 * asked range is only listed together with this, so a list never shows a 64 BPM track under
 * "129 BPM" without saying it matched at double time.
 */
export type TempoReading = "tempo" | "half" | "double" | "alt" | "alt-half" | "alt-double";

export interface TempoMatch {
	/** The tempo the track matched at: the reading times its factor, inside the asked range. */
	matchedTempo: number;
	tempoReading: TempoReading;
}

export function tempoMatch(q: TempoQuery, doc: { tempo?: number; tempoAlt?: number }): TempoMatch | undefined {
	const [lo, hi] = tempoRanges({ ...q, halfDouble: false })[0] ?? [q.bpm - q.tolerance, q.bpm + q.tolerance];
	const factors: Array<[number, "" | "half" | "double"]> = q.halfDouble ? [[1, ""], [2, "double"], [0.5, "half"]] : [[1, ""]];
	for (const [field, value] of [["tempo", doc.tempo], ["alt", doc.tempoAlt]] as const) {
		if (typeof value !== "number") continue;
		for (const [factor, name] of factors) {
			const at = Math.round(value * factor * 100) / 100;
			// Bounds and readings are both rounded to hundredths: a hundredth of slack keeps them meeting.
			if (at < lo - 0.011 || at > hi + 0.011) continue;
			const tempoReading = field === "tempo" ? (name || "tempo") : ((name ? `alt-${name}` : "alt") as TempoReading);
			return { matchedTempo: at, tempoReading };
		}
	}
	return undefined;
}
