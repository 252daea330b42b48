/**
 * Onset strength in three frequency bands. Drums put their attacks in different places (kick low,
 * snare and claps in the middle, hats and rides high), and which band repeats at which period is
 * what tells the beat from its subdivisions, so the bands are kept apart.
 *
 * The signal is first brought down to about 22 kHz (hi-hats need the band up to 10 kHz), cut into
 * frames of about 46 ms every 11.6 ms, and each band's onset strength is the rise of its
 * log-magnitude spectrum from one frame to the next (spectral flux).
 */
import { fft } from "./fft";

export interface OnsetBands {
	/** Frames per second of the envelopes. */
	rate: number;
	low: Float32Array;
	mid: Float32Array;
	high: Float32Array;
}

const TARGET_RATE = 22050;
const BAND_EDGES_HZ = { low: [30, 180], mid: [180, 2500], high: [2500, 10000] } as const;

/**
 * Keeps every `factor`-th sample after a windowed-sinc low-pass (computed only where a sample is
 * kept). A plain block average is not enough: at 44.1 kHz it folds the hi-hats' hiss down onto the
 * kick's band and hides the beat.
 */
function decimate(pcm: Float32Array, factor: number): Float32Array {
	if (factor <= 1) return pcm;
	const half = 4 * factor;
	const cutoff = 0.45 / factor;
	const taps = new Float64Array(2 * half + 1);
	let sum = 0;
	for (let i = -half; i <= half; i++) {
		const sinc = i === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * i) / (Math.PI * i);
		const blackman = 0.42 + 0.5 * Math.cos((Math.PI * i) / half) + 0.08 * Math.cos((2 * Math.PI * i) / half);
		taps[i + half] = sinc * blackman;
		sum += taps[i + half];
	}
	for (let i = 0; i < taps.length; i++) taps[i] /= sum;
	const out = new Float32Array(Math.floor(pcm.length / factor));
	for (let o = 0; o < out.length; o++) {
		const centre = o * factor;
		let acc = taps[half] * pcm[centre];
		if (centre >= half && centre + half < pcm.length) {
			// The taps are symmetric: one multiplication per pair.
			for (let i = 1; i <= half; i++) acc += taps[half + i] * (pcm[centre - i] + pcm[centre + i]);
		} else {
			for (let i = 1; i <= half; i++) acc += taps[half + i] * ((centre - i >= 0 ? pcm[centre - i] : 0) + (centre + i < pcm.length ? pcm[centre + i] : 0));
		}
		out[o] = acc;
	}
	return out;
}

/** Subtracts the local mean (about half a second either side) and keeps what rises above it. */
function detrend(e: Float32Array, radius: number): Float32Array {
	const out = new Float32Array(e.length);
	let sum = 0;
	let lo = 0;
	let hi = -1;
	for (let i = 0; i < e.length; i++) {
		while (hi < Math.min(e.length - 1, i + radius)) sum += e[++hi];
		while (lo < i - radius) sum -= e[lo++];
		out[i] = Math.max(0, e[i] - sum / (hi - lo + 1));
	}
	let sq = 0;
	for (let i = 0; i < out.length; i++) sq += out[i] * out[i];
	const scale = Math.sqrt(sq / Math.max(1, out.length));
	if (scale > 0) for (let i = 0; i < out.length; i++) out[i] /= scale;
	return out;
}

/** The signal at about 22 kHz, which is all the analysis needs (a 44.1 kHz preview halves). */
export function downsample(pcm: Float32Array, sampleRate: number): { pcm: Float32Array; sampleRate: number } {
	const factor = Math.max(1, Math.round(sampleRate / TARGET_RATE));
	return { pcm: decimate(pcm, factor), sampleRate: sampleRate / factor };
}

/** Onset envelopes of a signal at about 22 kHz (see downsample). */
export function onsetBands(x: Float32Array, fs: number): OnsetBands {
	const frame = 2 ** Math.round(Math.log2(fs * 0.046));
	const hop = frame / 4;
	const frames = Math.max(0, Math.floor((x.length - frame) / hop) + 1);
	const rate = fs / hop;

	// Level-independent: the log spectrum is taken of the signal scaled to a fixed RMS.
	let sq = 0;
	for (let i = 0; i < x.length; i++) sq += x[i] * x[i];
	const norm = 0.1 / Math.max(1e-9, Math.sqrt(sq / Math.max(1, x.length)));

	const window = new Float64Array(frame);
	for (let i = 0; i < frame; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / frame);
	const binHz = fs / frame;
	const band = (name: keyof typeof BAND_EDGES_HZ): [number, number] => {
		const [lo, hi] = BAND_EDGES_HZ[name];
		return [Math.max(1, Math.round(lo / binHz)), Math.min(Math.floor(frame * 0.45), Math.round(hi / binHz))];
	};
	const bands = [band("low"), band("mid"), band("high")];
	const env = bands.map(() => new Float32Array(frames));

	// Two real frames per complex transform (one as the real part, one as the imaginary part),
	// separated afterwards by symmetry: half the transforms.
	const re = new Float64Array(frame);
	const im = new Float64Array(frame);
	const half = frame / 2;
	const spectra = [new Float64Array(half + 1), new Float64Array(half + 1)];
	const prev = new Float64Array(half + 1);
	const flux = (cur: Float64Array, f: number) => {
		if (f > 0) {
			for (let b = 0; b < bands.length; b++) {
				const [lo, hi] = bands[b];
				let sum = 0;
				for (let k = lo; k < hi; k++) {
					const d = cur[k] - prev[k];
					if (d > 0) sum += d;
				}
				env[b][f] = sum / Math.max(1, hi - lo);
			}
		}
		prev.set(cur);
	};
	for (let f = 0; f < frames; f += 2) {
		const a = f * hop;
		const b = (f + 1) * hop;
		const second = f + 1 < frames;
		for (let i = 0; i < frame; i++) {
			re[i] = x[a + i] * norm * window[i];
			im[i] = second ? x[b + i] * norm * window[i] : 0;
		}
		fft(re, im);
		for (let k = 1; k <= half; k++) {
			const j = (frame - k) % frame;
			// X = (Z[k] + conj(Z[N-k])) / 2, Y = (Z[k] - conj(Z[N-k])) / 2i
			const xr = (re[k] + re[j]) / 2;
			const xi = (im[k] - im[j]) / 2;
			const yr = (im[k] + im[j]) / 2;
			const yi = (re[j] - re[k]) / 2;
			spectra[0][k] = Math.log1p(100 * Math.sqrt(xr * xr + xi * xi));
			spectra[1][k] = Math.log1p(100 * Math.sqrt(yr * yr + yi * yi));
		}
		flux(spectra[0], f);
		if (second) flux(spectra[1], f + 1);
	}
	const radius = Math.round(rate * 0.5);
	return { rate, low: detrend(env[0], radius), mid: detrend(env[1], radius), high: detrend(env[2], radius) };
}
