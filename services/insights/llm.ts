/**
 * Chat completions through the openai SDK, one attempt at a time through the cluster's "llm"
 * limiter. The SDK's own retries are off so that every attempt waits its turn at the limiter and a
 * 429 pauses the LLM for every node; the retry rules are the SDK's (x-should-retry, 408, 409, 429,
 * 5xx, timeouts, network errors; Retry-After when under a minute, else backoff from 0.5 s to 8 s).
 */
import { performance } from "node:perf_hooks";
import { Errors } from "moleculer";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { ChatCompletion, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { Limiter } from "../../mixins/rate-limit/types";

export type LlmFailureReason = "rate_limited" | "timeout" | "upstream" | "refused" | "rejected";

/** An LLM call that failed for good (retries spent, or not worth retrying). */
export class LlmError extends Errors.MoleculerError {
	constructor(
		readonly reason: LlmFailureReason,
		message: string,
		readonly attempts: number,
		readonly status?: number
	) {
		super(message, 502, `LLM_${reason.toUpperCase()}`, { reason, attempts, status });
		this.name = "LlmError";
	}
}

export interface LlmClientOptions {
	apiKey: string;
	baseURL: string;
	model: string;
	timeoutMs: number;
	maxRetries: number;
	limiter: Limiter;
	/** First backoff; doubles per retry up to 16 times it (8 s by default, as in the SDK). */
	backoffBaseMs?: number;
}

export interface LlmRequest {
	messages: ChatCompletionMessageParam[];
	schemaName: string;
	schema: Record<string, unknown>;
	maxOutputTokens: number;
}

export interface LlmResponse {
	content: string | null;
	/** The model the server says answered. */
	model: string;
	tokensIn: number;
	tokensOut: number;
	/** The server reported no usage: the tokens are estimated from the text (4 characters a token). */
	tokensEstimated: boolean;
	/** Time of the successful attempt, limiter queueing and earlier attempts excluded. */
	latencyMs: number;
	attempts: number;
}

interface Verdict {
	retry: boolean;
	reason: LlmFailureReason;
	/** What the server asked for (Retry-After), if anything usable. */
	waitMs?: number;
	status?: number;
	message: string;
}

export function estimateTokens(text: string): number {
	return Math.ceil(text.length / 4);
}

/** Retry-After in ms from `retry-after-ms` or `retry-after` (seconds or a date); only 0-60 s counts, as in the SDK. */
export function serverWaitMs(headers: Headers | undefined, now = Date.now()): number | undefined {
	const ms = headers?.get("retry-after-ms");
	let wait = ms ? Number.parseFloat(ms) : undefined;
	const after = headers?.get("retry-after");
	if ((wait === undefined || Number.isNaN(wait)) && after) {
		const seconds = Number.parseFloat(after);
		wait = Number.isNaN(seconds) ? Date.parse(after) - now : seconds * 1000;
	}
	return wait !== undefined && Number.isFinite(wait) && wait >= 0 && wait <= 60_000 ? wait : undefined;
}

function verdictOf(err: unknown, timeoutMs: number): Verdict {
	if (err instanceof APIConnectionTimeoutError) return { retry: true, reason: "timeout", message: `no answer within ${timeoutMs} ms` };
	if (err instanceof APIConnectionError) return { retry: true, reason: "upstream", message: `connection failed (${err.message})` };
	if (err instanceof APIError) {
		const status = err.status ?? 0;
		const should = err.headers?.get("x-should-retry");
		const retry = should === "true" || (should !== "false" && (status === 408 || status === 409 || status === 429 || status >= 500));
		const reason: LlmFailureReason = status === 429 ? "rate_limited" : status >= 500 || status === 408 || status === 409 ? "upstream" : "rejected";
		return { retry, reason, status, waitMs: serverWaitMs(err.headers), message: `HTTP ${status}: ${err.message}` };
	}
	// A body that is not JSON, or anything else the SDK did not expect: worth one more try.
	return { retry: true, reason: "upstream", message: (err as Error)?.message ?? String(err) };
}

export class LlmClient {
	private readonly client: OpenAI;

	constructor(private readonly opts: LlmClientOptions) {
		this.client = new OpenAI({ apiKey: opts.apiKey, baseURL: opts.baseURL, timeout: opts.timeoutMs, maxRetries: 0 });
	}

	get model(): string {
		return this.opts.model;
	}

	async complete(req: LlmRequest): Promise<LlmResponse> {
		const base = this.opts.backoffBaseMs ?? 500;
		for (let attempt = 1; ; attempt++) {
			let verdict: Verdict;
			try {
				return await this.opts.limiter.schedule(() => this.once(req, attempt));
			} catch (err) {
				if (err instanceof LlmError) throw err;
				verdict = verdictOf(err, this.opts.timeoutMs);
			}
			const backoff = Math.min(base * 2 ** (attempt - 1), base * 16) * (1 - Math.random() * 0.25);
			if (verdict.reason === "rate_limited") {
				// Every node waits, not only this call: the limiter holds the next attempt until then.
				await this.opts.limiter.rateLimited(verdict.waitMs ?? backoff);
			}
			if (!verdict.retry || attempt > this.opts.maxRetries) {
				const tries = attempt === 1 ? "1 attempt" : `${attempt} attempts`;
				throw new LlmError(verdict.reason, `LLM request failed after ${tries}: ${verdict.message}`, attempt, verdict.status);
			}
			if (verdict.reason !== "rate_limited") await new Promise(r => setTimeout(r, verdict.waitMs ?? backoff));
		}
	}

	private async once(req: LlmRequest, attempt: number): Promise<LlmResponse> {
		const started = performance.now();
		let completion: ChatCompletion;
		try {
			completion = await this.client.chat.completions.create({
				model: this.opts.model,
				messages: req.messages,
				max_completion_tokens: req.maxOutputTokens,
				response_format: { type: "json_schema", json_schema: { name: req.schemaName, schema: req.schema, strict: true } }
			});
		} catch (err) {
			// The SDK knows a timeout by the abort error's name, which is lost when fetch's error comes
			// from another realm (test runners); then it says "connection error", and the clock tells.
			const late = performance.now() - started >= this.opts.timeoutMs;
			if (late && err instanceof APIConnectionError && !(err instanceof APIConnectionTimeoutError)) throw new APIConnectionTimeoutError();
			throw err;
		}
		const latencyMs = performance.now() - started;
		const message = completion.choices?.[0]?.message;
		if (message?.refusal) throw new LlmError("refused", `the model refused: ${message.refusal}`, attempt);
		const usage = completion.usage;
		const promptText = req.messages.map(m => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
		return {
			content: message?.content ?? null,
			model: completion.model || this.opts.model,
			tokensIn: usage?.prompt_tokens ?? estimateTokens(promptText),
			tokensOut: usage?.completion_tokens ?? estimateTokens(message?.content ?? ""),
			tokensEstimated: !usage,
			latencyMs,
			attempts: attempt
		};
	}
}
