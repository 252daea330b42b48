/**
 * Gives the audio-feature service its analysis provider (`this.analysis`, undefined when
 * ANALYSIS_ENABLED is off) and two internal actions:
 *  - `analysisStatus`: the worker pool's size, load and counts;
 *  - `analysePreview({ url, genres? })`: analyse one preview URL now (operators, tests).
 *
 * List it last among the service's mixins: stopped handlers run in reverse, so the pool then
 * closes after the worker mixin has let in-flight jobs finish.
 */
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type Redis from "ioredis";
import { configFor } from "../../config";
import { acquireRedis, releaseRedis } from "../../mixins/redis";
import type { RateLimitMethods } from "../../mixins/rate-limit/types";
import { MemoryCache, RedisCache } from "./cache";
import { AnalysisPool, type PoolStatus } from "./pool";
import { AnalysisProvider, type AnalysisOutcome } from "./provider";
import { TEMPO_ALGORITHM } from "./types";

export interface AnalysisVars {
	analysis?: AnalysisProvider;
	analysisPool?: AnalysisPool;
	analysisRedis?: Redis;
}

export interface AnalysisStatus {
	enabled: boolean;
	algorithm: string;
	pool?: PoolStatus;
	cache: "redis" | "memory" | "none";
}

type AnalysisThis = Service & AnalysisVars & RateLimitMethods;

const OUTCOMES_METRIC = "tempo_analysis_total";
const SECONDS_METRIC = "tempo_analysis_duration_seconds";

function observer(service: AnalysisThis): ((outcome: AnalysisOutcome, seconds: number) => void) | undefined {
	const broker = service.broker;
	if (!broker.isMetricsEnabled()) return undefined;
	const m = broker.metrics;
	if (!m.getMetric(OUTCOMES_METRIC)) m.register({ type: "counter", name: OUTCOMES_METRIC, labelNames: ["status", "reason"], description: "Preview analyses by outcome" });
	if (!m.getMetric(SECONDS_METRIC)) {
		m.register({ type: "histogram", name: SECONDS_METRIC, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], description: "Time to analyse one preview, download included" });
	}
	return (outcome, seconds) => {
		m.increment(OUTCOMES_METRIC, { status: outcome.status, reason: outcome.status === "ok" ? "" : outcome.reason });
		if (!outcome.cached) m.observe(SECONDS_METRIC, seconds);
	};
}

const analysisSchema: Partial<ServiceSchema<ServiceSettingSchema, RateLimitMethods, AnalysisVars>> = {
	actions: {
		analysisStatus: {
			visibility: "public",
			handler(this: AnalysisThis): AnalysisStatus {
				return {
					enabled: Boolean(this.analysis),
					algorithm: TEMPO_ALGORITHM,
					...(this.analysisPool ? { pool: this.analysisPool.status() } : {}),
					cache: !this.analysis ? "none" : this.analysisRedis ? "redis" : "memory"
				};
			}
		},

		analysePreview: {
			visibility: "public",
			params: {
				url: { type: "url" },
				genres: { type: "array", items: "string", optional: true, max: 20 }
			},
			async handler(this: AnalysisThis, ctx: Context<{ url: string; genres?: string[] }>): Promise<AnalysisOutcome | { status: "disabled" }> {
				if (!this.analysis) return { status: "disabled" };
				return this.analysis.analyse(ctx.params.url, { genres: ctx.params.genres });
			}
		}
	},

	created(this: AnalysisThis) {
		const config = configFor(this.broker);
		if (!config.ANALYSIS_ENABLED) return;
		this.analysisPool = new AnalysisPool({
			size: config.ANALYSIS_WORKERS,
			taskTimeoutMs: config.ANALYSIS_TASK_TIMEOUT_MS,
			maxSeconds: config.ANALYSIS_MAX_SECONDS,
			minSeconds: config.ANALYSIS_MIN_SECONDS,
			minConfidence: config.ANALYSIS_MIN_CONFIDENCE
		});
		const memory = new MemoryCache(config.ANALYSIS_CACHE_ENTRIES);
		if (config.REDIS_URL) this.analysisRedis = acquireRedis(this.broker, config.REDIS_URL);
		const cache = this.analysisRedis ? new RedisCache(this.analysisRedis, config.LIMITER_ID_PREFIX, memory) : memory;
		// A zero delay would mean "the scraper's default" to hostLimiter; 1 ms is as good as none.
		const delaySec = Math.max(1, config.ANALYSIS_HOST_DELAY_MS) / 1000;
		this.analysis = new AnalysisProvider({
			config,
			cache,
			pool: this.analysisPool,
			hostLimiter: host => this.hostLimiter(host, delaySec),
			observe: observer(this)
		});
	},

	async stopped(this: AnalysisThis) {
		await this.analysisPool?.close();
		if (this.analysisRedis) await releaseRedis(this.broker);
		this.analysisRedis = undefined;
	}
};

/** Typed loosely so the service can list it under `mixins`; it relies on the rate-limit mixin's hostLimiter. */
export const AnalysisMixin = analysisSchema as unknown as Partial<ServiceSchema>;
export default AnalysisMixin;
