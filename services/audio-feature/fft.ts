/**
 * An in-place iterative radix-2 FFT on separate real and imaginary arrays. Small and allocation
 * free per call: the analysis runs thousands of short transforms per clip, so the twiddle factors
 * and bit-reversal table of each size are computed once.
 */

interface Plan {
	n: number;
	rev: Uint32Array;
	cos: Float64Array;
	sin: Float64Array;
}

const plans = new Map<number, Plan>();

function plan(n: number): Plan {
	let p = plans.get(n);
	if (p) return p;
	if (n < 2 || (n & (n - 1)) !== 0) throw new Error(`FFT size must be a power of two, got ${n}`);
	const bits = Math.log2(n);
	const rev = new Uint32Array(n);
	for (let i = 0; i < n; i++) {
		let r = 0;
		for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
		rev[i] = r;
	}
	const cos = new Float64Array(n / 2);
	const sin = new Float64Array(n / 2);
	for (let i = 0; i < n / 2; i++) {
		cos[i] = Math.cos((2 * Math.PI * i) / n);
		sin[i] = -Math.sin((2 * Math.PI * i) / n);
	}
	p = { n, rev, cos, sin };
	plans.set(n, p);
	return p;
}

/** Forward transform of (re, im), both of power-of-two length, in place. */
export function fft(re: Float64Array, im: Float64Array): void {
	const { n, rev, cos, sin } = plan(re.length);
	for (let i = 0; i < n; i++) {
		const j = rev[i];
		if (j > i) {
			let t = re[i];
			re[i] = re[j];
			re[j] = t;
			t = im[i];
			im[i] = im[j];
			im[j] = t;
		}
	}
	for (let size = 2; size <= n; size <<= 1) {
		const half = size >> 1;
		const step = n / size;
		for (let start = 0; start < n; start += size) {
			for (let k = 0; k < half; k++) {
				const wr = cos[k * step];
				const wi = sin[k * step];
				const a = start + k;
				const b = a + half;
				const tr = re[b] * wr - im[b] * wi;
				const ti = re[b] * wi + im[b] * wr;
				re[b] = re[a] - tr;
				im[b] = im[a] - ti;
				re[a] += tr;
				im[a] += ti;
			}
		}
	}
}

export function nextPow2(n: number): number {
	let p = 1;
	while (p < n) p <<= 1;
	return p;
}

/**
 * Autocorrelation of `x` for lags 0..maxLag, through the FFT (zero-padded, so not circular), each
 * lag divided by the number of overlapping samples so long lags are not penalised.
 */
export function autocorrelation(x: Float32Array | Float64Array, maxLag: number): Float64Array {
	const n = nextPow2(2 * x.length);
	const re = new Float64Array(n);
	const im = new Float64Array(n);
	re.set(x);
	fft(re, im);
	for (let i = 0; i < n; i++) {
		re[i] = re[i] * re[i] + im[i] * im[i];
		im[i] = 0;
	}
	// The inverse through the forward transform: conj(FFT(conj(X))) / n, and X is real here.
	fft(re, im);
	const out = new Float64Array(maxLag + 1);
	for (let lag = 0; lag <= maxLag && lag < x.length; lag++) out[lag] = re[lag] / n / (x.length - lag);
	return out;
}
