/**
 * Tempo from onset envelopes, in three steps:
 *
 *  1. Candidates. The autocorrelation of each band's onset envelope, combined and summed over the
 *     first four multiples of each period (a comb), gives a salience curve from 40 to 240 BPM; its
 *     six highest peaks, each with its whole octave family (halves and doubles), are the candidates.
 *  2. The metrical level. A candidate is viable when anything at all (hi-hats included) repeats at
 *     its beat period, consistent when the music repeats after four of its beats (a bar; this
 *     rejects 3:4 and 2:3 relations), and strong when the kick and snare bands repeat at its beat
 *     nearly as well as at any other consistent candidate's. The fastest viable, consistent, strong
 *     candidate is the beat: a subdivision repeats poorly in the low bands, a multiple of the beat
 *     is never faster. The octave of that beat is then settled by the first tempo range (the
 *     genre's, else the energy's) that holds one of its readings, where the signal cannot (a
 *     breakbeat reads as 85 or 170). A range only ever picks another octave of the same beat,
 *     never a different beat: a wrong genre costs an octave (kept in `alt`), not the tempo.
 *  3. Precision. The chosen tempo is refined to the period whose multiples, up to six seconds, line
 *     up best with the autocorrelation peaks.
 */
import { autocorrelation } from "./fft";
import type { OnsetBands } from "./onset";
import { DEFAULT_RANGE, type TempoRange } from "./octave";

export const MIN_BPM = 40;
export const MAX_BPM = 240;

/** Viable: repeats at its beat at least this well, relative to the best candidate. */
const VIABLE_RATIO = 0.15;
/** Strong: repeats at least this well, relative to the best consistent candidate. */
const STRENGTH_RATIO = 0.7;
/** Consistent: repeats after four beats at least this well, relative to the best candidate. */
const BAR_RATIO = 0.75;
const LOW_WEIGHT = 2;
const MAX_LAG_SEC = 6.5;

export interface Acfs {
	rate: number;
	low: Float64Array;
	mid: Float64Array;
	high: Float64Array;
}

export interface TempoEstimate {
	bpm: number;
	/** The other reading of the same beat, half or double, kept for half/double queries. */
	alt?: number;
	/** 0-1: how clearly the music repeats at the beat, lowered when the octave was a close call. */
	confidence: number;
	/** What settled the octave: the signal alone, or the genre's or energy's range. */
	resolvedBy: "signal" | "range";
	/** Which of the ranges settled it, when one did. */
	rangeIndex?: number;
}

interface Candidate {
	bpm: number;
	/** All bands' autocorrelation at the beat period: does anything at all repeat at this beat? */
	pulse: number;
	/** Low and mid bands' autocorrelation at the beat period: do kick and snare repeat at it? */
	strength: number;
	/** All bands' autocorrelation after four beats. */
	bar: number;
}

/** Linear interpolation of `a` at a fractional lag; 0 past the end. */
function at(a: Float64Array, lag: number): number {
	const i = Math.floor(lag);
	if (i < 0 || i + 1 >= a.length) return 0;
	const f = lag - i;
	return a[i] * (1 - f) + a[i + 1] * f;
}

/** Without its mean, so a lag's value says how much the onsets line up, not how dense they are. */
function centred(x: Float32Array): Float32Array {
	let mean = 0;
	for (let i = 0; i < x.length; i++) mean += x[i];
	mean /= Math.max(1, x.length);
	return x.map(v => v - mean);
}

/** Autocorrelation scaled so lag 0 is 1. */
function normalisedAcf(x: Float32Array, maxLag: number): Float64Array {
	const a = autocorrelation(centred(x), maxLag);
	const zero = a[0] || 1;
	for (let i = 0; i < a.length; i++) a[i] /= zero;
	return a;
}

export function bandAutocorrelations(bands: OnsetBands): Acfs {
	const maxLag = Math.ceil(bands.rate * MAX_LAG_SEC);
	return {
		rate: bands.rate,
		low: normalisedAcf(bands.low, maxLag),
		mid: normalisedAcf(bands.mid, maxLag),
		high: normalisedAcf(bands.high, maxLag)
	};
}

const lagOf = (a: Acfs, bpm: number) => (60 * a.rate) / bpm;
const allBands = (a: Acfs, lag: number) => (at(a.low, lag) + at(a.mid, lag) + 0.5 * at(a.high, lag)) / 2.5;
const lowBands = (a: Acfs, lag: number) => (LOW_WEIGHT * at(a.low, lag) + at(a.mid, lag)) / (LOW_WEIGHT + 1);

function comb(a: Acfs, bpm: number, harmonics: number): number {
	const tau = lagOf(a, bpm);
	let s = 0;
	let n = 0;
	for (let k = 1; k <= harmonics && k * tau < a.low.length - 1; k++, n++) s += allBands(a, k * tau);
	return n ? s / n : 0;
}

/** Peaks of the comb salience on a 0.2% grid, best first. */
export function salientTempos(a: Acfs, count: number): number[] {
	const grid: Array<{ bpm: number; s: number }> = [];
	for (let bpm = MIN_BPM; bpm <= MAX_BPM; bpm *= 1.002) grid.push({ bpm, s: comb(a, bpm, 4) });
	const found: Array<{ bpm: number; s: number }> = [];
	for (let i = 1; i < grid.length - 1; i++) {
		if (grid[i].s > grid[i - 1].s && grid[i].s >= grid[i + 1].s) found.push(grid[i]);
	}
	return found
		.sort((x, y) => y.s - x.s)
		.slice(0, count)
		.map(p => p.bpm);
}

function candidate(a: Acfs, bpm: number): Candidate {
	const tau = lagOf(a, bpm);
	// Anti-correlation counts as none, so ratios between candidates stay meaningful.
	return { bpm, pulse: Math.max(0, allBands(a, tau)), strength: Math.max(0, lowBands(a, tau)), bar: Math.max(0, allBands(a, 4 * tau)) };
}

/**
 * The fastest candidate that pulses at its own beat, is consistent with the bar, and is strong.
 * Viability comes first: a tempo whose beats do not line up at all (a 2:3 cross-rhythm, say) can
 * still repeat after four of its beats, and must not win on that alone. It counts every band, since
 * in half-time grooves only the hi-hats mark the beat.
 */
function beatLevel(cands: Candidate[]): Candidate | undefined {
	if (cands.length === 0) return undefined;
	const best = (cs: Candidate[], key: "pulse" | "strength" | "bar") => Math.max(...cs.map(c => c[key]));
	const viable = cands.filter(c => c.pulse >= VIABLE_RATIO * best(cands, "pulse"));
	const consistent = viable.filter(c => c.bar >= BAR_RATIO * best(viable, "bar"));
	const strong = consistent.filter(c => c.strength >= STRENGTH_RATIO * best(consistent, "strength"));
	return strong.sort((x, y) => y.bpm - x.bpm)[0];
}

/** The period near `bpm` (within 3%) whose multiples up to MAX_LAG_SEC best meet the autocorrelation peaks. */
function refine(a: Acfs, bpm: number): number {
	const score = (b: number) => comb(a, b, 64);
	let best = bpm;
	let bestScore = -Infinity;
	for (let b = bpm * 0.97; b <= bpm * 1.03; b *= 1.0005) {
		const s = score(b);
		if (s > bestScore) {
			bestScore = s;
			best = b;
		}
	}
	// A parabola through the best grid point and its neighbours.
	const step = 1.0005;
	const [l, c, r] = [score(best / step), bestScore, score(best * step)];
	const denom = l - 2 * c + r;
	const offset = denom < 0 ? (0.5 * (l - r)) / denom : 0;
	return best * step ** Math.max(-0.5, Math.min(0.5, offset));
}

/** Half, double, quadruple...: another reading of the same beat. */
const sameBeat = (x: number, y: number) => {
	const octaves = Math.log2(x / y);
	return Math.abs(octaves - Math.round(octaves)) < 0.015;
};
const inside = (bpm: number, r: TempoRange) => bpm >= r[0] && bpm <= r[1];

/**
 * The reading of the signal's beat that the first range holding one prefers: the signal's own when
 * it is inside, else the beat level among the readings inside.
 */
function settleOctave(all: Candidate[], bySignal: Candidate, ranges: readonly TempoRange[]): { chosen: Candidate; rangeIndex?: number } {
	const family = all.filter(c => sameBeat(c.bpm, bySignal.bpm));
	for (let i = 0; i < ranges.length; i++) {
		if (inside(bySignal.bpm, ranges[i])) return { chosen: bySignal, rangeIndex: i };
		const held = family.filter(c => inside(c.bpm, ranges[i]));
		if (held.length) return { chosen: beatLevel(held) ?? held[0], rangeIndex: i };
	}
	return { chosen: bySignal };
}

export function estimateTempo(a: Acfs, ranges: readonly TempoRange[]): TempoEstimate | undefined {
	const all: Candidate[] = [];
	const add = (bpm: number) => {
		if (bpm >= MIN_BPM && bpm <= MAX_BPM && !all.some(c => Math.abs(c.bpm / bpm - 1) < 0.01)) all.push(candidate(a, bpm));
	};
	// Each salient tempo brings its whole octave family: the peak may sit on the bar or a subdivision.
	for (const p of salientTempos(a, 6)) {
		for (let f = p; f >= MIN_BPM; f /= 2) add(f);
		for (let f = p * 2; f <= MAX_BPM; f *= 2) add(f);
	}
	const bySignal = beatLevel(all.filter(c => inside(c.bpm, DEFAULT_RANGE))) ?? beatLevel(all);
	if (!bySignal) return undefined;
	const { chosen, rangeIndex } = settleOctave(all, bySignal, ranges);
	const bpm = refine(a, chosen.bpm);

	// The alternative: the signal's own reading when the range overrode it by an octave, else the
	// stronger of the half and the double.
	const ratio = bySignal.bpm / chosen.bpm;
	let alt: number | undefined;
	if (Math.abs(ratio - 2) < 0.04 || Math.abs(ratio - 0.5) < 0.01) {
		alt = ratio > 1 ? bpm * 2 : bpm / 2;
	} else {
		// A plausible tempo first (42 BPM helps no query), then the stronger.
		const plausible = (b: number) => b >= DEFAULT_RANGE[0] && b <= DEFAULT_RANGE[1];
		const siblings = [chosen.bpm / 2, chosen.bpm * 2].filter(b => b >= MIN_BPM && b <= MAX_BPM).map(b => candidate(a, b));
		siblings.sort((x, y) => Number(plausible(y.bpm)) - Number(plausible(x.bpm)) || y.strength - x.strength);
		if (siblings.length) alt = siblings[0].bpm < chosen.bpm ? bpm / 2 : bpm * 2;
	}

	// Clarity: how well the music repeats at the beat and its first multiples, where noise gives
	// about 0 and a steady groove 0.4 or more. A range overriding the signal makes the octave less
	// certain.
	const clarity = Math.max(0, Math.min(1, (comb(a, chosen.bpm, 4) - 0.05) / 0.4));
	const resolvedBy = chosen === bySignal ? "signal" : "range";
	const confidence = Math.round(clarity * (resolvedBy === "signal" ? 1 : 0.85) * 1000) / 1000;
	return { bpm: Math.round(bpm * 100) / 100, ...(alt ? { alt: Math.round(alt * 100) / 100 } : {}), confidence, resolvedBy, ...(rangeIndex === undefined ? {} : { rangeIndex }) };
}
