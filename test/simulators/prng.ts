/** A source of uniform floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for test data; not for anything secret. */
export function mulberry32(seed: number): Rng {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Folds several integers into one 32-bit seed. Each entity gets its own stream, so its attributes
 * can be recomputed on demand without generating (or storing) everything before it.
 */
export function mixSeed(...parts: number[]): number {
	let h = 0x811c9dc5;
	for (const part of parts) {
		h = Math.imul(h ^ (part >>> 0), 0x01000193);
		h ^= h >>> 13;
		h = Math.imul(h, 0x5bd1e995);
		h ^= h >>> 15;
	}
	return h >>> 0;
}

export function streamFor(...parts: number[]): Rng {
	return mulberry32(mixSeed(...parts));
}

/** Inclusive on both ends. */
export function intBetween(rng: Rng, lo: number, hi: number): number {
	return lo + Math.floor(rng() * (hi - lo + 1));
}

export function floatBetween(rng: Rng, lo: number, hi: number, decimals: number): number {
	return roundTo(lo + rng() * (hi - lo), decimals);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
	return items[Math.floor(rng() * items.length)];
}

export function roundTo(value: number, decimals: number): number {
	const f = 10 ** decimals;
	return Math.round(value * f) / f;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

const BASE62_CODES = [...BASE62].map((c) => c.charCodeAt(0));
const BASE62_POW5 = 62 ** 5;

/** Five characters per draw: id generation dominates catalog build time otherwise. */
export function base62(rng: Rng, length: number): string {
	const codes = new Array<number>(length);
	for (let i = 0; i < length; i += 5) {
		let x = Math.floor(rng() * BASE62_POW5);
		for (let j = i; j < Math.min(length, i + 5); j++) {
			codes[j] = BASE62_CODES[x % 62];
			x = Math.floor(x / 62);
		}
	}
	return String.fromCharCode(...codes);
}

export function upperAlnum(rng: Rng, length: number): string {
	let out = "";
	for (let i = 0; i < length; i++) out += ALNUM[Math.floor(rng() * 36)];
	return out;
}

export function hex(rng: Rng, length: number): string {
	let out = "";
	for (let i = 0; i < length; i++) out += Math.floor(rng() * 16).toString(16);
	return out;
}
