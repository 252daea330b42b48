/**
 * Accuracy and speed of the tempo analysis on a labelled synthetic test set: BENCH_CLIPS clips
 * (default 120) of 30 s between 60 and 200 BPM under a fixed seed, in four drum patterns
 * (four-on-the-floor, breakbeat, half-time hip-hop, swing) with bass, pads and noise, encoded to
 * MP3 like Deezer's previews (44.1 kHz, 128 kbps) with lamejs. It prints:
 *
 *   accuracy ±2%          tempo within 2% of the truth                               goal >= 95%
 *   accuracy half/double  the same, counting half and double tempo as right           goal >= 99%
 *   octave errors         right only at half or double
 *   time per clip         decode + analysis of one clip in one worker thread (one core):
 *                         median and p95                                              goal median <= 300 ms
 *   pool throughput       clips per second with ANALYSIS_WORKERS (default: every core) threads
 *
 * Clips carry their genre, as catalog tracks do; the accuracy without genre hints is printed too,
 * and music-tempo on the same decoded audio for comparison (BENCH_COMPARE=false skips it).
 * The MP3s are cached (test/fixtures/audio/testset.ts), so only the first run pays for encoding.
 *
 *   npm run bench:tempo
 */
import * as os from "node:os";
import MusicTempo from "music-tempo";
import { AnalysisPool } from "../services/audio-feature/pool";
import { decodeMp3 } from "../services/audio-feature/decode";
import { TEMPO_ALGORITHM, type AnalysisHints } from "../services/audio-feature/types";
import { generateClips } from "../test/fixtures/audio/generate";
import { PATTERN_NAMES } from "../test/fixtures/audio/patterns";
import { audioCacheDir, clipMp3, PREVIEW_MP3, TEST_SET_SEED, tempoTestSet, type LabelledClip } from "../test/fixtures/audio/testset";

const CLIPS = Number(process.env.BENCH_CLIPS ?? 120);
const THREADS = Number(process.env.ANALYSIS_WORKERS ?? os.availableParallelism());
const COMPARE = process.env.BENCH_COMPARE !== "false";

type Verdict = "right" | "octave" | "wrong";

function verdict(estimate: number | undefined, truth: number): Verdict {
	if (estimate === undefined || !Number.isFinite(estimate)) return "wrong";
	const near = (x: number) => Math.abs(x / truth - 1) <= 0.02;
	if (near(estimate)) return "right";
	return near(estimate * 2) || near(estimate / 2) ? "octave" : "wrong";
}

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}% (${n}/${of})`;

interface Tally {
	right: number;
	octave: number;
	wrong: number;
}

function tally(verdicts: Verdict[]): Tally {
	return { right: verdicts.filter(v => v === "right").length, octave: verdicts.filter(v => v === "octave").length, wrong: verdicts.filter(v => v === "wrong").length };
}

function summary(name: string, t: Tally, n: number): string {
	return `${name}: ±2% ${pct(t.right, n)}, half/double ${pct(t.right + t.octave, n)}, octave errors ${pct(t.octave, n)}`;
}

async function analyseAll(pool: AnalysisPool, clips: LabelledClip[], hints: (c: LabelledClip) => AnalysisHints) {
	return Promise.all(
		clips.map(async clip => {
			try {
				const r = await pool.run(clipMp3(clip), hints(clip));
				return { clip, tempo: r.analysis.tempo, ms: r.decodeMs + r.analyseMs, confidence: r.analysis.confidence };
			} catch (err) {
				return { clip, tempo: undefined, ms: NaN, confidence: 0, error: (err as Error).message };
			}
		})
	);
}

async function main(): Promise<void> {
	const clips = tempoTestSet(CLIPS);
	const bpms = clips.map(c => c.bpm);
	console.log(`bench:tempo: ${clips.length} clips of 30 s, ${Math.min(...bpms).toFixed(1)}-${Math.max(...bpms).toFixed(1)} BPM, seed ${TEST_SET_SEED}, patterns ${PATTERN_NAMES.join(", ")}`);
	console.log(`  MP3 ${PREVIEW_MP3.sampleRate} Hz ${PREVIEW_MP3.kbps} kbps, cached in ${audioCacheDir()}; node ${process.version}, ${os.availableParallelism()} cores`);
	const genStarted = Date.now();
	let lastShown = 0;
	await generateClips(clips, THREADS, done => {
		if (Date.now() - lastShown > 5000 || done === clips.length) {
			lastShown = Date.now();
			console.log(`  test set: ${done}/${clips.length} clips ready (${((Date.now() - genStarted) / 1000).toFixed(0)} s)`);
		}
	});

	// One worker, one clip at a time: the time per clip on one core.
	const single = new AnalysisPool({ size: 1, taskTimeoutMs: 60000, maxSeconds: 45, minSeconds: 8, minConfidence: 0 });
	const results: Awaited<ReturnType<typeof analyseAll>> = [];
	for (const clip of clips) results.push(...(await analyseAll(single, [clip], c => ({ genres: [c.genre] }))));
	await single.close();

	// Every core: throughput, and the same clips without genre hints.
	const pool = new AnalysisPool({ size: THREADS, taskTimeoutMs: 60000, maxSeconds: 45, minSeconds: 8, minConfidence: 0 });
	// Started and warmed first (WebAssembly compiled, code optimised): a node's pool lives long.
	await Promise.all(Array.from({ length: THREADS }, () => pool.run(clipMp3(clips[0]))));
	const started = performance.now();
	const bare = await analyseAll(pool, clips, () => ({}));
	const wallSec = (performance.now() - started) / 1000;
	await pool.close();

	const n = clips.length;
	const withGenre = tally(results.map(r => verdict(r.tempo, r.clip.bpm)));
	const noGenre = tally(bare.map(r => verdict(r.tempo, r.clip.bpm)));
	const times = results.map(r => r.ms).filter(Number.isFinite).sort((a, b) => a - b);
	const failures = results.filter(r => r.tempo === undefined);

	console.log("");
	console.log(`estimator ${TEMPO_ALGORITHM} (genre hints as catalog tracks carry them):`);
	console.log(`  accuracy within ±2%:             ${pct(withGenre.right, n)}   goal >= 95%`);
	console.log(`  accuracy counting half/double:   ${pct(withGenre.right + withGenre.octave, n)}   goal >= 99%`);
	console.log(`  octave-error rate:               ${pct(withGenre.octave, n)}`);
	console.log(`  time per 30 s clip, one core:    median ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms (decode + analysis)   goal median <= 300 ms`);
	console.log(`  pool throughput:                 ${(n / wallSec).toFixed(1)} clips/s with ${THREADS} worker thread${THREADS === 1 ? "" : "s"} (${n} clips in ${wallSec.toFixed(1)} s)`);
	console.log(`  ${summary("without genre hints", noGenre, n)}`);
	for (const pattern of PATTERN_NAMES) {
		const rows = results.filter(r => r.clip.pattern === pattern);
		console.log(`  ${summary(pattern, tally(rows.map(r => verdict(r.tempo, r.clip.bpm))), rows.length)}`);
	}
	for (const r of results.filter(x => verdict(x.tempo, x.clip.bpm) !== "right")) {
		console.log(`  missed ${r.clip.id} ${r.clip.pattern}/${r.clip.genre} ${r.clip.bpm} BPM -> ${r.tempo ?? "failed"}${"error" in r ? ` (${r.error})` : ""}`);
	}
	if (failures.length) console.log(`  ${failures.length} clip(s) failed to analyse`);

	if (COMPARE) {
		const verdicts: Verdict[] = [];
		const ms: number[] = [];
		for (const clip of clips) {
			const { pcm } = await decodeMp3(clipMp3(clip), 45);
			const t0 = performance.now();
			let tempo: number | undefined;
			try {
				tempo = Number(new MusicTempo(pcm).tempo);
			} catch {
				tempo = undefined;
			}
			ms.push(performance.now() - t0);
			verdicts.push(verdict(tempo, clip.bpm));
		}
		ms.sort((a, b) => a - b);
		console.log("");
		console.log(`music-tempo 1.0.3 on the same decoded audio (for comparison; no genre hints, its default 60-200 BPM range):`);
		console.log(`  ${summary("music-tempo", tally(verdicts), n)}; median ${percentile(ms, 50).toFixed(0)} ms, p95 ${percentile(ms, 95).toFixed(0)} ms per clip without decoding`);
	}
}

main().catch(err => {
	console.error(err);
	process.exit(1);
});
