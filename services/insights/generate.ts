/**
 * Writes one insight for one snapshot: with the LLM (versioned prompt, structured output, budget,
 * one retry after an unusable answer) or with the built-in templates.
 */
import { performance } from "node:perf_hooks";
import { Errors } from "moleculer";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { InsightType, PromptVersion, ToneMode } from "../../config/insights";
import type { Collection } from "../../mixins/store/types";
import { assertBudget, charge } from "./budget";
import { BUILTIN_MODEL, BUILTIN_PROMPT_VERSION, builtinInsight } from "./builtin";
import { promptFacts } from "./facts";
import { estimateTokens, type LlmClient, type LlmResponse } from "./llm";
import type { InsightFields, SnapshotDoc, UsageDoc } from "./model";
import { OUTPUT_SCHEMA, OUTPUT_SCHEMA_NAME, parseInsight } from "./output";
import { renderPrompt, renderRetry } from "./prompts";

/** Unusable answers in a row before the generation fails. */
export const MAX_ANSWERS = 2;

/** The model answered twice with something that is not an insight. */
export class InvalidOutputError extends Errors.MoleculerError {
	constructor(problem: string, readonly calls: number) {
		super(`The model's answer was not a valid insight ${calls} times in a row; last problem: ${problem}`, 502, "INVALID_OUTPUT", { problem, calls });
		this.name = "InvalidOutputError";
	}
}

export interface GenerateOptions {
	llm?: LlmClient;
	promptVersion: PromptVersion;
	maxOutputTokens: number;
	budget: number;
	usage: Collection<UsageDoc>;
	/** USD per million tokens; 0 means unknown. */
	priceInPerMTok: number;
	priceOutPerMTok: number;
	now(): number;
	/** Told of every completed LLM call, valid or not (metrics). */
	onCall?(res: LlmResponse): void;
}

/** What a generation yields: the stored insight's content and accounting. */
export type Generated = Pick<InsightFields, "content" | "model" | "promptVersion" | "tokensIn" | "tokensOut" | "tokensEstimated" | "latencyMs" | "costUsd" | "calls">;

export function costOf(tokensIn: number, tokensOut: number, priceIn: number, priceOut: number): number | undefined {
	if (priceIn <= 0 && priceOut <= 0) return undefined;
	return Math.round(((tokensIn * priceIn + tokensOut * priceOut) / 1e6) * 1e6) / 1e6;
}

const ANSWER_ECHO_CHARS = 2000;

export async function generateInsight(opts: GenerateOptions, snapshot: SnapshotDoc, type: InsightType, tone: ToneMode): Promise<Generated> {
	const facts = promptFacts(snapshot);
	if (!opts.llm) {
		const started = performance.now();
		const content = builtinInsight(facts, type, tone);
		return { content, model: BUILTIN_MODEL, promptVersion: BUILTIN_PROMPT_VERSION, tokensIn: 0, tokensOut: 0, latencyMs: performance.now() - started, calls: 0 };
	}
	const llm = opts.llm;
	const prompt = renderPrompt(opts.promptVersion, facts, type, tone);
	const messages: ChatCompletionMessageParam[] = [
		{ role: "system", content: prompt.system },
		{ role: "user", content: prompt.user }
	];
	const total = { tokensIn: 0, tokensOut: 0, latencyMs: 0, estimated: false, model: llm.model };
	let problem = "";
	for (let call = 1; call <= MAX_ANSWERS; call++) {
		const wanted = estimateTokens(messages.map(m => String(m.content)).join("\n")) + opts.maxOutputTokens;
		await assertBudget(opts.usage, snapshot.userId, wanted, opts.budget, opts.now());
		const res = await llm.complete({ messages, schemaName: OUTPUT_SCHEMA_NAME, schema: OUTPUT_SCHEMA, maxOutputTokens: opts.maxOutputTokens });
		await charge(opts.usage, snapshot.userId, res.tokensIn + res.tokensOut, opts.now());
		opts.onCall?.(res);
		total.tokensIn += res.tokensIn;
		total.tokensOut += res.tokensOut;
		total.latencyMs += res.latencyMs;
		total.estimated ||= res.tokensEstimated;
		total.model = res.model;
		const parsed = parseInsight(res.content);
		if (parsed.ok) {
			const costUsd = costOf(total.tokensIn, total.tokensOut, opts.priceInPerMTok, opts.priceOutPerMTok);
			return {
				content: parsed.content,
				model: total.model,
				promptVersion: prompt.version,
				tokensIn: total.tokensIn,
				tokensOut: total.tokensOut,
				...(total.estimated ? { tokensEstimated: true } : {}),
				latencyMs: Math.round(total.latencyMs),
				...(costUsd !== undefined ? { costUsd } : {}),
				calls: call
			};
		}
		problem = parsed.problem;
		messages.push({ role: "assistant", content: (res.content ?? "").slice(0, ANSWER_ECHO_CHARS) }, { role: "user", content: renderRetry(opts.promptVersion, problem) });
	}
	throw new InvalidOutputError(problem, MAX_ANSWERS);
}
