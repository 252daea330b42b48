/**
 * Preview audio for the simulators: a real MP3 whose beat is the catalog track's true tempo, made
 * the same way as the tempo benchmark's test set (test/fixtures/audio), and the broken previews
 * real CDNs serve now and then.
 */
import { renderClip, type ClipSpec } from "../fixtures/audio/render";
import type { PatternName } from "../fixtures/audio/patterns";
import { clipMp3 } from "../fixtures/audio/testset";
import type { Catalog } from "./catalog";
import { mixSeed, mulberry32, type Rng } from "./prng";

export type PreviewFault = "corrupt" | "empty" | "truncated" | "oversized" | "not-mp3";

export const PREVIEW_FAULTS: readonly PreviewFault[] = ["corrupt", "empty", "truncated", "oversized", "not-mp3"];

/** Lighter than Deezer's 44.1 kHz 128 kbps: the simulators make many of these. */
export const SIMULATOR_MP3 = { sampleRate: 22050, kbps: 64 };

/** Bigger than the analysis' default 2 MB cap. */
export const OVERSIZED_BYTES = 3_000_000;

/** A groove that suits the tempo, so the preview sounds like something a track at that tempo could be. */
function styleFor(bpm: number, rng: Rng): { pattern: PatternName; genre: string } {
	const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)];
	if (bpm < 100) return pick([{ pattern: "half-time hip-hop", genre: "hip hop" }, { pattern: "swing", genre: "blues" }]);
	if (bpm < 150) return pick([{ pattern: "four-on-the-floor", genre: bpm < 120 ? "disco" : bpm < 130 ? "house" : "techno" }, { pattern: "breakbeat", genre: "breakbeat" }]);
	return pick([{ pattern: "breakbeat", genre: "drum and bass" }, { pattern: "four-on-the-floor", genre: "hardcore" }, { pattern: "swing", genre: "jazz" }]);
}

/** What track `k`'s preview plays: its true tempo, in a groove picked from its own seeded stream. */
export function previewSpec(catalog: Catalog, k: number, seconds = 30): ClipSpec {
	const bpm = catalog.track(k).tempo;
	const seed = mixSeed(catalog.options.seed, 0xa0d10, k);
	return { seed, bpm, seconds, ...styleFor(bpm, mulberry32(seed)) };
}

/** Track `k`'s preview as MP3 bytes (cached on disk, see test/fixtures/audio/testset.ts). */
export function previewMp3(catalog: Catalog, k: number, seconds = 30): Buffer {
	return clipMp3(previewSpec(catalog, k, seconds), SIMULATOR_MP3);
}

/** PCM of the same clip, for tests that check the analysis without going through MP3. */
export function previewPcm(catalog: Catalog, k: number, seconds = 30): Float32Array {
	return renderClip(previewSpec(catalog, k, seconds), SIMULATOR_MP3.sampleRate);
}

const FORBIDDEN_PAGE = Buffer.from(
	"<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>The link has expired.</p></body></html>",
	"utf8"
);

/** The body a broken CDN sends for `good`, and the content type it claims. */
export function faultyPreview(fault: PreviewFault, good: Buffer, seed: number): { body: Buffer; contentType: string } {
	const rng = mulberry32(seed);
	switch (fault) {
		case "corrupt": {
			// Headers intact, the audio after the first 4 KB turned to noise.
			const body = Buffer.from(good);
			for (let i = 4096; i < body.length; i++) body[i] = Math.floor(rng() * 256);
			return { body, contentType: "audio/mpeg" };
		}
		case "empty":
			return { body: Buffer.alloc(0), contentType: "audio/mpeg" };
		case "truncated":
			// About a second of a 30 s preview: the connection was cut and the cache kept what it had.
			return { body: good.subarray(0, Math.max(1024, Math.floor(good.length * 0.04))), contentType: "audio/mpeg" };
		case "oversized": {
			const copies = Math.ceil(OVERSIZED_BYTES / Math.max(1, good.length)) + 1;
			return { body: Buffer.concat(Array.from({ length: copies }, () => good)), contentType: "audio/mpeg" };
		}
		default:
			// An HTML error page behind an .mp3 URL, with the audio content type left on.
			return { body: FORBIDDEN_PAGE, contentType: "audio/mpeg" };
	}
}
