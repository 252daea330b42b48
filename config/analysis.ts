import { bool, int, num, type ConfigOf } from "./vars";

/** Tempo analysis of preview audio: the worker pool and download caps. */
export const analysisVars = {
	ANALYSIS_ENABLED: bool(true, "Measure the tempo from a track's 30 s preview when neither Spotify nor Deezer knows it."),
	ANALYSIS_WORKERS: int(1, "Worker threads on this node that decode and analyse previews (about 0.15 s of one core per preview).", { min: 1, max: 64 }),
	ANALYSIS_MAX_BYTES: int(2_000_000, "Largest preview downloaded, in bytes; a larger one is recorded as a failure (30 s at 320 kbps is 1.2 MB).", {
		min: 10_000,
		max: 50_000_000
	}),
	ANALYSIS_TIMEOUT_MS: int(15000, "Longest a preview download may take, body included, in ms.", { min: 100, max: 600000 }),
	ANALYSIS_TASK_TIMEOUT_MS: int(20000, "Longest one decode and analysis may run in a worker before the worker is replaced, in ms.", { min: 100, max: 600000 }),
	ANALYSIS_MAX_SECONDS: int(45, "Audio decoded from one preview at most, in seconds; the rest is ignored.", { min: 5, max: 600 }),
	ANALYSIS_MIN_SECONDS: num(8, "Shortest decoded audio that is analysed, in seconds; a shorter (truncated) preview is a failure.", { min: 2, max: 60 }),
	ANALYSIS_MIN_CONFIDENCE: num(0.15, "Tempo confidence (0-1) below which no tempo is stored and the preview counts as having no steady beat.", { min: 0, max: 1 }),
	ANALYSIS_HOST_DELAY_MS: int(200, "Gap between two preview downloads from one host, cluster-wide, in ms.", { min: 0, max: 600000 }),
	ANALYSIS_CACHE_TTL_DAYS: int(90, "How long an analysis is kept by preview URL, in days.", { min: 1, max: 3650 }),
	ANALYSIS_FAILURE_TTL_DAYS: int(7, "How long a final failure (corrupt, empty, not an MP3...) is remembered by preview URL, in days.", { min: 1, max: 3650 }),
	ANALYSIS_RETRY_MS: int(600000, "After a transient failure (download error, worker timeout), the wait before that preview is tried again; it doubles per attempt, in ms.", {
		min: 0,
		max: 30 * 86_400_000
	}),
	ANALYSIS_MAX_ATTEMPTS: int(4, "Transient failures of one preview before it counts as a final failure.", { min: 1, max: 100 }),
	ANALYSIS_CACHE_ENTRIES: int(20000, "Entries of the in-memory analysis cache (used without REDIS_URL, and when Redis fails).", { min: 100, max: 10_000_000 })
};

export type AnalysisConfig = ConfigOf<typeof analysisVars>;
