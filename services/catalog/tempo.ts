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
