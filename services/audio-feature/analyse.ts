/**
 * Everything measured from a preview's decoded audio: tempo with its half/double alternative and
 * confidence, loudness and a rough energy. Pure computation on PCM, so it runs the same in a
 * worker thread, a test or the benchmark.
 */
import { integratedLoudness, onsetRate, roughEnergy } from "./loudness";
import { downsample, onsetBands } from "./onset";
import { octaveRanges } from "./octave";
import { bandAutocorrelations, estimateTempo } from "./tempo";
import { AnalysisFailure, TEMPO_ALGORITHM, type AnalysisHints, type AudioAnalysis } from "./types";

export interface AnalyseOptions {
	/** Shorter audio is refused: a few seconds hold too few beats to count. */
	minSeconds: number;
	/** Below this the beat is too unclear to publish. */
	minConfidence: number;
}

export const DEFAULT_ANALYSE_OPTIONS: AnalyseOptions = { minSeconds: 8, minConfidence: 0.15 };

export function analysePcm(pcm: Float32Array, sampleRate: number, hints: AnalysisHints = {}, options: AnalyseOptions = DEFAULT_ANALYSE_OPTIONS): AudioAnalysis {
	const seconds = pcm.length / sampleRate;
	if (seconds < options.minSeconds) {
		throw new AnalysisFailure("too-short", `only ${seconds.toFixed(1)} s of audio (at least ${options.minSeconds} s needed)`);
	}
	const x = downsample(pcm, sampleRate);
	const loudness = integratedLoudness(x.pcm, x.sampleRate);
	if (loudness <= -60) throw new AnalysisFailure("silent", `the audio is silent (${loudness} LUFS)`);
	const bands = onsetBands(x.pcm, x.sampleRate);
	const energy = roughEnergy(loudness, onsetRate(bands));
	const ranges = octaveRanges({ genres: hints.genres, energy });
	const estimate = estimateTempo(bandAutocorrelations(bands), ranges.map(r => r.range));
	if (!estimate || estimate.confidence < options.minConfidence) {
		throw new AnalysisFailure("no-beat", `no steady beat found (confidence ${estimate?.confidence ?? 0})`);
	}
	return {
		tempo: estimate.bpm,
		...(estimate.alt !== undefined ? { tempoAlt: estimate.alt } : {}),
		confidence: estimate.confidence,
		loudness,
		energy,
		seconds: Math.round(seconds * 100) / 100,
		octaveBy: estimate.resolvedBy === "signal" || estimate.rangeIndex === undefined ? "signal" : ranges[estimate.rangeIndex].by,
		algorithm: TEMPO_ALGORITHM
	};
}
