/** Shapes shared by the analysis provider, its worker threads, the cache and the benchmark. */

/** Stored with every analysed track, so results of an older estimator can be told apart and redone. */
export const TEMPO_ALGORITHM = "cratedigger-onset-acf/1";

export interface AnalysisHints {
	/** The track's (or its artist's) genres; the first one with a known tempo range settles octaves. */
	genres?: string[];
}

export interface AudioAnalysis {
	tempo: number;
	/** Half or double of `tempo`: the other reading of the same beat. */
	tempoAlt?: number;
	confidence: number;
	/** Integrated loudness, LUFS. */
	loudness: number;
	/** 0-1, rough. */
	energy: number;
	/** Length of the decoded audio. */
	seconds: number;
	/** What chose between tempo and tempoAlt. */
	octaveBy: "signal" | "genre" | "energy" | "default";
	algorithm: string;
}

/**
 * Why a preview could not be analysed. Transient reasons (a failed download, a worker that died or
 * ran out of time) are tried again later; the others are facts about the file and are final.
 */
export type FailureReason =
	| "download"
	| "timeout"
	| "crashed"
	| "not-found"
	| "http"
	| "empty"
	| "oversized"
	| "not-mp3"
	| "corrupt"
	| "too-short"
	| "silent"
	| "no-beat";

const TRANSIENT: ReadonlySet<FailureReason> = new Set(["download", "timeout", "crashed"]);

export function isTransient(reason: FailureReason): boolean {
	return TRANSIENT.has(reason);
}

export class AnalysisFailure extends Error {
	constructor(
		readonly reason: FailureReason,
		message: string
	) {
		super(message);
		this.name = "AnalysisFailure";
	}
}

/** What a worker thread is asked to do, and what it answers. */
export interface WorkerRequest {
	id: number;
	bytes: Uint8Array;
	hints: AnalysisHints;
	/** Audio past this is not decoded. */
	maxSeconds: number;
	minSeconds: number;
	minConfidence: number;
}

export type WorkerReply =
	| { id: number; ok: true; analysis: AudioAnalysis; decodeMs: number; analyseMs: number }
	| { id: number; ok: false; reason: FailureReason; message: string };
