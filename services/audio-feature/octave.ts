/**
 * The tempo ranges that a genre, or failing that a track's energy, makes likely. A beat tracker
 * finds the family of a tempo (80, 160, 40...) reliably; which member is "the" tempo is a matter of
 * convention that differs by genre: drum and bass is counted at 170, not 85, and trap at 140 even
 * though its snare falls every other beat. These ranges settle that.
 *
 * Each range spans less than an octave where the genre's convention is firm, so exactly one member
 * of a tempo family falls inside it; wide ranges (jazz, rock) leave the choice to the signal.
 */

export type TempoRange = readonly [number, number];

/** First match wins, so more specific names come before the words they contain. */
const GENRE_RANGES: ReadonlyArray<{ match: RegExp; range: TempoRange }> = [
	{ match: /drum\s*(and|&|n)\s*bass|\bdnb\b|\bd&b\b|jungle|neurofunk|liquid funk/, range: [155, 185] },
	{ match: /dubstep|brostep|riddim/, range: [130, 150] },
	{ match: /hardstyle|hardcore|gabber|speedcore|frenchcore/, range: [145, 220] },
	{ match: /\btrap\b|drill/, range: [120, 170] },
	{ match: /hip\s*-?\s*hop|\brap\b|boom\s*bap|lo-?fi|grime/, range: [60, 115] },
	{ match: /uk garage|2-?step|speed garage/, range: [125, 140] },
	{ match: /house|garage/, range: [115, 135] },
	{ match: /techno/, range: [120, 150] },
	{ match: /trance|psy/, range: [125, 150] },
	{ match: /breakbeat|big beat|breaks/, range: [110, 150] },
	{ match: /electro/, range: [105, 135] },
	{ match: /disco/, range: [100, 130] },
	{ match: /funk/, range: [85, 125] },
	{ match: /neo\s*soul|soul|r&b|rnb|rhythm and blues/, range: [60, 115] },
	{ match: /reggaeton|dembow/, range: [85, 105] },
	{ match: /reggae|\bdub\b|dancehall|ska/, range: [60, 110] },
	{ match: /ambient|downtempo|chill|trip\s*hop/, range: [55, 125] },
	{ match: /synth\s*pop|electropop|\bpop\b/, range: [85, 140] },
	{ match: /punk|hardcore punk/, range: [140, 210] },
	{ match: /metal/, range: [70, 210] },
	{ match: /rock|indie|alternative/, range: [80, 180] },
	{ match: /blues/, range: [55, 130] },
	{ match: /jazz|swing|bebop/, range: [60, 240] }
];

/** Where the signal's tempos are looked for. */
export const DEFAULT_RANGE: TempoRange = [60, 200];

/**
 * The octave range when neither genre nor energy says more. A reading of 60-78 BPM is far more
 * often the half-time of the 120-156 BPM heart of house, techno, trance and breaks (a kick on
 * every other beat reads as the beat) than a real 70 BPM track, so it is doubled; readings from
 * 78 up are the signal's.
 */
export const UNHINTED_RANGE: TempoRange = [78, 200];

export type RangeSource = "genre" | "energy" | "default";

export function genreRange(genre: string | undefined): TempoRange | undefined {
	if (!genre) return undefined;
	const g = genre.toLowerCase();
	return GENRE_RANGES.find(r => r.match.test(g))?.range;
}

/**
 * Without a genre, energy narrows the default a little: calm tracks are seldom faster than
 * 150 BPM as counted, and driving ones seldom slower than 80.
 */
export function energyRange(energy: number | undefined): TempoRange {
	if (energy === undefined || !Number.isFinite(energy)) return UNHINTED_RANGE;
	if (energy < 0.2) return [55, 150];
	if (energy > 0.75) return [80, 200];
	return UNHINTED_RANGE;
}

export interface OctaveRange {
	range: TempoRange;
	by: RangeSource;
}

/**
 * The ranges to resolve octave errors in, in order: each genre's that has one, then the energy's.
 * The first that holds a reading of the beat the signal found settles its octave, so a genre whose
 * convention cannot fit this beat (an artist's "techno" on a 160 BPM breakbeat) leaves the choice
 * to the next one instead of forcing another beat.
 */
export function octaveRanges(hints: { genres?: readonly string[]; energy?: number }): OctaveRange[] {
	const out: OctaveRange[] = [];
	for (const g of hints.genres ?? []) {
		const range = genreRange(g);
		if (range) out.push({ range, by: "genre" });
	}
	const range = energyRange(hints.energy);
	out.push({ range, by: range === UNHINTED_RANGE ? "default" : "energy" });
	return out;
}

/** The first of octaveRanges. */
export function tempoRange(hints: { genres?: readonly string[]; energy?: number }): OctaveRange {
	return octaveRanges(hints)[0];
}
