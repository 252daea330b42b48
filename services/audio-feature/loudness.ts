/**
 * Loudness and a rough energy, the cheap features that come with decoding anyway.
 *
 * Loudness is integrated loudness after ITU-R BS.1770 (K-weighting, 400 ms blocks overlapping by
 * 75%, absolute gate at -70 LUFS, relative gate 10 LU below), for one channel, in LUFS: the unit
 * Spotify's `loudness` and Deezer's `gain` are close to. The analysis measures it on the signal
 * brought down to about 22 kHz, which leaves out what lies above 10 kHz (a fraction of a dB).
 *
 * Energy is a 0-1 guess at intensity from loudness and how busy the onsets are. It is rough: it
 * ranks a pounding track above a quiet ballad, and is meant for that and for octave decisions, not
 * as a substitute for Spotify's model.
 */
import type { OnsetBands } from "./onset";

interface Biquad {
	b0: number;
	b1: number;
	b2: number;
	a1: number;
	a2: number;
}

/** The two K-weighting stages for any sample rate (coefficients as derived in libebur128). */
function kWeighting(fs: number): [Biquad, Biquad] {
	let f0 = 1681.974450955533;
	const gainDb = 3.999843853973347;
	let q = 0.7071752369554196;
	let k = Math.tan((Math.PI * f0) / fs);
	const vh = 10 ** (gainDb / 20);
	const vb = vh ** 0.4996667741545416;
	let a0 = 1 + k / q + k * k;
	const shelf = { b0: (vh + (vb * k) / q + k * k) / a0, b1: (2 * (k * k - vh)) / a0, b2: (vh - (vb * k) / q + k * k) / a0, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
	f0 = 38.13547087602444;
	q = 0.5003270373238773;
	k = Math.tan((Math.PI * f0) / fs);
	a0 = 1 + k / q + k * k;
	const highPass = { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
	return [shelf, highPass];
}

function filter(x: Float32Array, f: Biquad): Float32Array {
	const y = new Float32Array(x.length);
	let x1 = 0;
	let x2 = 0;
	let y1 = 0;
	let y2 = 0;
	for (let i = 0; i < x.length; i++) {
		const v = f.b0 * x[i] + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
		x2 = x1;
		x1 = x[i];
		y2 = y1;
		y1 = v;
		y[i] = v;
	}
	return y;
}

const toLufs = (meanSquare: number) => -0.691 + 10 * Math.log10(meanSquare);

/** Integrated loudness in LUFS; -70 (the absolute gate) for silence. */
export function integratedLoudness(pcm: Float32Array, sampleRate: number): number {
	const [shelf, highPass] = kWeighting(sampleRate);
	const z = filter(filter(pcm, shelf), highPass);
	// 400 ms blocks every 100 ms, from sums over 100 ms quarters.
	const quarter = Math.round(0.1 * sampleRate);
	const quarters: number[] = [];
	for (let start = 0; start + quarter <= z.length; start += quarter) {
		let s = 0;
		for (let i = start; i < start + quarter; i++) s += z[i] * z[i];
		quarters.push(s);
	}
	const powers: number[] = [];
	for (let q = 0; q + 4 <= quarters.length; q++) powers.push((quarters[q] + quarters[q + 1] + quarters[q + 2] + quarters[q + 3]) / (4 * quarter));
	const audible = powers.filter(p => toLufs(p) > -70);
	if (audible.length === 0) return -70;
	const mean = (ps: number[]) => ps.reduce((s, p) => s + p, 0) / ps.length;
	const relativeGate = toLufs(mean(audible)) - 10;
	const gated = audible.filter(p => toLufs(p) > relativeGate);
	return Math.round(toLufs(mean(gated.length ? gated : audible)) * 100) / 100;
}

/** Onsets per second: peaks of the summed onset envelope that stand above its typical level. */
export function onsetRate(bands: OnsetBands): number {
	const n = bands.low.length;
	if (n < 3) return 0;
	const sum = new Float32Array(n);
	for (let i = 0; i < n; i++) sum[i] = bands.low[i] + bands.mid[i] + bands.high[i];
	let mean = 0;
	for (let i = 0; i < n; i++) mean += sum[i];
	mean /= n;
	let sd = 0;
	for (let i = 0; i < n; i++) sd += (sum[i] - mean) ** 2;
	sd = Math.sqrt(sd / n);
	let peaks = 0;
	for (let i = 1; i < n - 1; i++) if (sum[i] > mean + sd && sum[i] > sum[i - 1] && sum[i] >= sum[i + 1]) peaks++;
	return peaks / (n / bands.rate);
}

export function roughEnergy(loudnessLufs: number, onsetsPerSecond: number): number {
	const loud = Math.max(0, Math.min(1, (loudnessLufs + 30) / 24));
	const busy = Math.max(0, Math.min(1, onsetsPerSecond / 8));
	return Math.round((0.65 * loud + 0.35 * busy) * 1000) / 1000;
}
