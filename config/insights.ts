import { baseUrl, bool, int, num, oneOf, secret, str } from "./vars";

/** What an insight is about, and the voice it is written in. */
export const INSIGHT_TYPES = ["wellness", "roast", "productivity", "running"] as const;
export const TONE_MODES = ["supportive", "neutral", "playful"] as const;
/** Prompt versions that exist under services/insights/prompts/; a new file adds its version here. */
export const PROMPT_VERSIONS = ["v1"] as const;

export type InsightType = (typeof INSIGHT_TYPES)[number];
export type ToneMode = (typeof TONE_MODES)[number];
export type PromptVersion = (typeof PROMPT_VERSIONS)[number];

/** Insights: the LLM endpoint, budgets, schedules and retention. */
export const insightsVars = {
	INSIGHTS_GENERATOR: oneOf(
		["auto", "llm", "builtin"] as const,
		"auto",
		"Who writes insights: auto uses the LLM when OPENAI_API_KEY is set and the built-in templates otherwise; llm forces the LLM (a local server may need no key); builtin never calls an LLM."
	),
	OPENAI_API_KEY: secret("API key of the OpenAI-compatible endpoint. Unset (and INSIGHTS_GENERATOR=auto): insights come from the built-in generator, offline."),
	OPENAI_MODEL: str("gpt-4o-mini", "Model asked for insights; with a local server, its model name (llama3.1, qwen2.5...)."),
	OPENAI_BASE_URL: baseUrl("https://api.openai.com/v1", "Root of the OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 for Ollama or http://host:8000/v1 for vLLM."),
	OPENAI_TIMEOUT_MS: int(30000, "Timeout of one LLM request, in ms.", { min: 100, max: 600000 }),
	OPENAI_MAX_RETRIES: int(2, "Retries of one LLM request after a 429, a 5xx, a timeout or a network error (each waits out Retry-After or a backoff).", { min: 0, max: 10 }),
	OPENAI_MAX_OUTPUT_TOKENS: int(700, "Most tokens one insight may take to write.", { min: 50, max: 32000 }),
	OPENAI_PRICE_IN_PER_MTOK: num(0, "Price of a million input tokens, in USD, to record each insight's cost; 0 means unknown (no cost recorded).", { min: 0 }),
	OPENAI_PRICE_OUT_PER_MTOK: num(0, "Price of a million output tokens, in USD; 0 means unknown.", { min: 0 }),
	INSIGHTS_PROMPT_VERSION: oneOf(PROMPT_VERSIONS, "v1", "Prompt version new LLM insights are written with."),
	INSIGHTS_DAILY_TOKEN_BUDGET: int(20000, "LLM tokens (input plus output) one user's insights may use per UTC day; a request that could go over is refused.", {
		min: 1,
		max: 100_000_000
	}),
	INSIGHTS_SCHEDULES: bool(true, "Whether this node enqueues the daily ingestion, weekly summary and cleanup jobs (the scheduler runs each once per cluster)."),
	INSIGHTS_DAILY_HOUR: int(3, "Hour of the day (UTC) at which the daily snapshot ingestion for active users runs; the weekly summary and the cleanup follow it.", {
		min: 0,
		max: 23
	}),
	INSIGHTS_WEEKLY_TYPE: oneOf(INSIGHT_TYPES, "wellness", "Insight type of the weekly summary written for each active user."),
	INSIGHTS_WEEKLY_TONE: oneOf(TONE_MODES, "neutral", "Tone of the weekly summary."),
	INSIGHTS_BACKFILL_DAYS: int(35, "How far back a user's first ingestion reads activity, in days.", { min: 1, max: 3660 }),
	INSIGHTS_SNAPSHOT_RETENTION_DAYS: int(400, "Snapshots whose period ended longer ago than this are deleted by the daily cleanup, in days.", { min: 1, max: 36600 }),
	INSIGHTS_TASK_RETENTION_DAYS: int(14, "Finished tasks older than this are deleted by the daily cleanup, in days.", { min: 1, max: 3660 }),
	INSIGHTS_SPOTIFY_SOURCE: bool(true, "Also read a user's Spotify recently-played tracks and top items when they linked Spotify (and the users service runs).")
};
