/**
 * The last provider of the audio-feature chain: tempo measured from the preview itself.
 *
 * For one preview URL it answers from the cache when it can; otherwise it downloads the preview
 * through the shared limiter of its host (size and time capped), checks that it is an MP3, and has
 * a worker thread decode and analyse it. Every outcome is cached by the URL's hash:
 *  - ok: the analysis, for ANALYSIS_CACHE_TTL_DAYS;
 *  - failed: a fact about the file (corrupt, empty, not an MP3, too short, no beat...), final,
 *    remembered for ANALYSIS_FAILURE_TTL_DAYS;
 *  - deferred: a transient failure (download error, worker timeout or crash), tried again after
 *    ANALYSIS_RETRY_MS, doubling, and final after ANALYSIS_MAX_ATTEMPTS.
 * A 429 from the host is the only thing thrown: the host is paused and the job is retried.
 */
import { RateLimitedError } from "../../mixins/upstream/errors";
import type { Limiter } from "../../mixins/rate-limit/types";
import type { AnalysisConfig } from "../../config/analysis";
import { previewKey, type AnalysisCache, type CacheEntry } from "./cache";
import { downloadPreview } from "./download";
import type { AnalysisPool } from "./pool";
import { assertMp3 } from "./sniff";
import { AnalysisFailure, isTransient, TEMPO_ALGORITHM, type AnalysisHints, type AudioAnalysis, type FailureReason } from "./types";

export type AnalysisOutcome =
	| { status: "ok"; analysis: AudioAnalysis; cached: boolean }
	| { status: "failed"; reason: FailureReason; message: string; cached: boolean }
	| { status: "deferred"; reason: FailureReason; message: string; retryAt: number; attempts: number; cached: boolean };

export interface ProviderDeps {
	config: AnalysisConfig;
	cache: AnalysisCache;
	pool: Pick<AnalysisPool, "run">;
	/** The shared limiter of a preview host. */
	hostLimiter(host: string): Limiter;
	userAgent?: string;
	/** Called once per outcome, for metrics. */
	observe?(outcome: AnalysisOutcome, seconds: number): void;
	now?(): number;
}

const DAY_MS = 86_400_000;

export class AnalysisProvider {
	private readonly inFlight = new Map<string, Promise<AnalysisOutcome>>();

	constructor(private readonly deps: ProviderDeps) {}

	/** One preview's analysis; concurrent calls for the same preview share one download. */
	analyse(url: string, hints: AnalysisHints = {}): Promise<AnalysisOutcome> {
		const key = previewKey(url);
		const running = this.inFlight.get(key);
		if (running) return running;
		const started = performance.now();
		const work = this.run(key, url, hints)
			.then(outcome => {
				this.deps.observe?.(outcome, (performance.now() - started) / 1000);
				return outcome;
			})
			.finally(() => this.inFlight.delete(key));
		this.inFlight.set(key, work);
		return work;
	}

	private now(): number {
		return this.deps.now ? this.deps.now() : Date.now();
	}

	private async run(key: string, url: string, hints: AnalysisHints): Promise<AnalysisOutcome> {
		const cached = await this.deps.cache.get(key);
		if (cached?.kind === "ok" && cached.analysis.algorithm === TEMPO_ALGORITHM) return { status: "ok", analysis: cached.analysis, cached: true };
		if (cached?.kind === "failed") {
			if (cached.final) return { status: "failed", reason: cached.reason, message: cached.message, cached: true };
			if (this.now() < cached.retryAt) {
				return { status: "deferred", reason: cached.reason, message: cached.message, retryAt: cached.retryAt, attempts: cached.attempts, cached: true };
			}
		}
		try {
			const bytes = await this.download(url);
			assertMp3(bytes);
			const { analysis } = await this.deps.pool.run(bytes, hints);
			await this.deps.cache.set(key, { kind: "ok", analysis, at: this.now() }, this.deps.config.ANALYSIS_CACHE_TTL_DAYS * DAY_MS);
			return { status: "ok", analysis, cached: false };
		} catch (err) {
			if (err instanceof RateLimitedError) throw err;
			const failure = err instanceof AnalysisFailure ? err : new AnalysisFailure("crashed", (err as Error).message ?? String(err));
			return this.record(key, failure, cached?.kind === "failed" ? cached.attempts : 0);
		}
	}

	private async download(url: string): Promise<Uint8Array> {
		let host = "";
		try {
			host = new URL(url).host;
		} catch {
			// downloadPreview reports the bad URL.
		}
		const limiter = this.deps.hostLimiter(host || "invalid");
		const { ANALYSIS_MAX_BYTES: maxBytes, ANALYSIS_TIMEOUT_MS: timeoutMs } = this.deps.config;
		try {
			return await limiter.schedule(() => downloadPreview(url, { maxBytes, timeoutMs, userAgent: this.deps.userAgent }));
		} catch (err) {
			if (err instanceof RateLimitedError) await limiter.rateLimited(err.retryAfterMs);
			throw err;
		}
	}

	private async record(key: string, failure: AnalysisFailure, previousAttempts: number): Promise<AnalysisOutcome> {
		const { config } = this.deps;
		const now = this.now();
		const attempts = previousAttempts + 1;
		const final = !isTransient(failure.reason) || attempts >= config.ANALYSIS_MAX_ATTEMPTS;
		const failureTtl = config.ANALYSIS_FAILURE_TTL_DAYS * DAY_MS;
		const retryAt = final ? now + failureTtl : now + Math.min(failureTtl, config.ANALYSIS_RETRY_MS * 2 ** (attempts - 1));
		const entry: CacheEntry = { kind: "failed", reason: failure.reason, message: failure.message, attempts, at: now, final, retryAt };
		// A transient entry outlives its retry time, so the attempt count carries over.
		await this.deps.cache.set(key, entry, failureTtl);
		if (final) return { status: "failed", reason: failure.reason, message: failure.message, cached: false };
		return { status: "deferred", reason: failure.reason, message: failure.message, retryAt, attempts, cached: false };
	}
}
