import { analysePcm } from "../../../services/audio-feature/analyse";
import { integratedLoudness, roughEnergy } from "../../../services/audio-feature/loudness";
import { energyRange, genreRange, octaveRanges, tempoRange } from "../../../services/audio-feature/octave";
import { AnalysisFailure, TEMPO_ALGORITHM } from "../../../services/audio-feature/types";
import { renderClip, type ClipSpec } from "../../fixtures/audio/render";

const SR = 22050;
const OPTIONS = { minSeconds: 8, minConfidence: 0.15 };

function clip(pattern: ClipSpec["pattern"], genre: string, bpm: number, seed: number, seconds = 20): Float32Array {
	return renderClip({ pattern, genre, bpm, seed, seconds }, SR);
}

const near = (x: number | undefined, target: number, pct = 2) => x !== undefined && Math.abs(x / target - 1) <= pct / 100;

function failureOf(fn: () => unknown): AnalysisFailure {
	try {
		fn();
	} catch (err) {
		if (err instanceof AnalysisFailure) return err;
		throw err;
	}
	throw new Error("expected an AnalysisFailure");
}

describe("tempo from PCM", () => {
	it.each([
		["four-on-the-floor", "house", 124.5, 11],
		["breakbeat", "drum and bass", 172, 12],
		["half-time hip-hop", "hip hop", 84, 13],
		["swing", "jazz", 150, 15]
	] as const)("finds %s (%s) at %d BPM within 2%%", (pattern, genre, bpm, seed) => {
		const a = analysePcm(clip(pattern, genre, bpm, seed), SR, { genres: [genre] }, OPTIONS);
		expect(near(a.tempo, bpm)).toBe(true);
		expect(a.confidence).toBeGreaterThanOrEqual(0.15);
		expect(a.confidence).toBeLessThanOrEqual(1);
		expect(a.algorithm).toBe(TEMPO_ALGORITHM);
		expect(a.seconds).toBeCloseTo(20, 0);
	});

	it("settles a breakbeat's octave by genre and keeps the other reading in tempoAlt", () => {
		const pcm = clip("breakbeat", "drum and bass", 170, 21);
		const dnb = analysePcm(pcm, SR, { genres: ["Drum & Bass"] }, OPTIONS);
		expect(near(dnb.tempo, 170)).toBe(true);
		expect(near(dnb.tempoAlt, 85)).toBe(true);
		expect(dnb.octaveBy).toBe("genre");
		// The same audio labelled hip hop is counted at half time, with the double kept.
		const asHipHop = analysePcm(pcm, SR, { genres: ["hip hop"] }, OPTIONS);
		expect(near(asHipHop.tempo, 85)).toBe(true);
		expect(near(asHipHop.tempoAlt, 170)).toBe(true);
	});

	it("counts a trap groove at the hi-hats' tempo when the genre says trap", () => {
		const a = analysePcm(clip("half-time hip-hop", "trap", 140, 31), SR, { genres: ["trap"] }, OPTIONS);
		expect(near(a.tempo, 140)).toBe(true);
		expect(near(a.tempoAlt, 70)).toBe(true);
	});

	it("takes the first genre that has a tempo range", () => {
		const a = analysePcm(clip("breakbeat", "drum and bass", 174, 41), SR, { genres: ["experimental", "liquid funk"] }, OPTIONS);
		expect(near(a.tempo, 174)).toBe(true);
	});

	it.each([
		["breakbeat", "breakbeat", 128.85, 71],
		["four-on-the-floor", "house", 127.95, 72],
		["breakbeat", "breakbeat", 140.66, 73]
	] as const)("counts a %s (%s) at %d BPM without any genre at its dance tempo, not half of it", (pattern, genre, bpm, seed) => {
		const a = analysePcm(clip(pattern, genre, bpm, seed), SR, {}, OPTIONS);
		expect(near(a.tempo, bpm)).toBe(true);
		expect(near(a.tempoAlt, bpm / 2)).toBe(true);
	});

	it("lets a genre pick only another octave of the beat it hears, never another beat", () => {
		// A swing at 85 labelled techno: no reading of its beat is 120-150, so the next range decides.
		const swing = analysePcm(clip("swing", "blues", 85.43, 74), SR, { genres: ["techno"] }, OPTIONS);
		expect(near(swing.tempo, 85.43) || near(swing.tempo, 170.86)).toBe(true);
		// A drum and bass track whose artist is listed as techno first, drum and bass second.
		const dnb = analysePcm(clip("breakbeat", "drum and bass", 163.7, 75), SR, { genres: ["techno", "drum and bass"] }, OPTIONS);
		expect(near(dnb.tempo, 163.7)).toBe(true);
		expect(dnb.octaveBy).toBe("genre");
	});

	it("measures loudness and a rough energy", () => {
		const a = analysePcm(clip("four-on-the-floor", "techno", 132, 51), SR, {}, OPTIONS);
		expect(a.loudness).toBeLessThan(0);
		expect(a.loudness).toBeGreaterThan(-40);
		expect(a.energy).toBeGreaterThanOrEqual(0);
		expect(a.energy).toBeLessThanOrEqual(1);
	});

	it("refuses noise, silence and audio too short to count beats", () => {
		const noise = new Float32Array(SR * 20);
		let seed = 1;
		for (let i = 0; i < noise.length; i++) {
			seed = (seed * 16807) % 2147483647;
			noise[i] = (seed / 2147483647 - 0.5) * 0.5;
		}
		expect(failureOf(() => analysePcm(noise, SR, {}, OPTIONS)).reason).toBe("no-beat");
		expect(failureOf(() => analysePcm(new Float32Array(SR * 20), SR, {}, OPTIONS)).reason).toBe("silent");
		expect(failureOf(() => analysePcm(clip("four-on-the-floor", "house", 125, 61, 5), SR, {}, OPTIONS)).reason).toBe("too-short");
	});
});

describe("octave ranges", () => {
	it("maps genres to ranges narrower than an octave where the convention is firm", () => {
		expect(genreRange("Drum and Bass")).toEqual([155, 185]);
		expect(genreRange("dnb")).toEqual([155, 185]);
		expect(genreRange("deep house")).toEqual([115, 135]);
		expect(genreRange("UK Garage")).toEqual([125, 140]);
		expect(genreRange("trap")).toEqual([120, 170]);
		expect(genreRange("Hip-Hop")).toEqual([60, 115]);
		expect(genreRange("polka")).toBeUndefined();
		for (const g of ["house", "techno", "drum and bass", "hip hop", "trap", "dubstep", "disco", "trance"]) {
			const [lo, hi] = genreRange(g) as [number, number];
			expect(hi / lo).toBeLessThan(2);
		}
	});

	it("falls back to energy, then to the default range", () => {
		expect(tempoRange({ genres: ["polka", "techno"], energy: 0.1 })).toEqual({ range: [120, 150], by: "genre" });
		expect(tempoRange({ energy: 0.1 }).by).toBe("energy");
		expect(energyRange(0.9)[0]).toBeGreaterThan(energyRange(0.5)[0]);
		expect(tempoRange({}).by).toBe("default");
		expect(octaveRanges({ genres: ["techno", "polka", "drum and bass"] }).map(r => r.range)).toEqual([[120, 150], [155, 185], [78, 200]]);
	});
});

describe("loudness", () => {
	it("reads a full-scale 997 Hz sine as -3 LUFS (BS.1770, one channel), at any sample rate", () => {
		for (const rate of [48000, 44100, 22050]) {
			const x = new Float32Array(rate * 5);
			for (let i = 0; i < x.length; i++) x[i] = Math.sin((2 * Math.PI * 997 * i) / rate);
			expect(integratedLoudness(x, rate)).toBeCloseTo(-3.01, 0);
		}
	});

	it("gives louder, busier music more energy", () => {
		expect(roughEnergy(-6, 8)).toBeGreaterThan(roughEnergy(-20, 2));
		expect(roughEnergy(0, 100)).toBe(1);
		expect(roughEnergy(-60, 0)).toBe(0);
	});
});
