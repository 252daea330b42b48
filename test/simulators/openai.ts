/**
 * A fake OpenAI-compatible server: POST /v1/chat/completions answering with the chat completion
 * shape (choices[0].message.content, usage) and the failure modes an LLM endpoint has. Each request
 * takes the next scripted mode, then the default one. Every request and the usage reported for it
 * are recorded, so tests can check what was sent and what was charged.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody, send } from "./http";

export type OpenAiMode =
	/** A valid insight as JSON, with usage. */
	| "valid"
	/** Content that is not JSON (cut off mid-object). */
	| "malformed"
	/** JSON that misses required fields. */
	| "invalid-schema"
	/** 429 with Retry-After (seconds). */
	| "rate-limit"
	/** Answers valid JSON only after `slowMs`; a client with a shorter timeout gives up first. */
	| "slow"
	/** 500 with an OpenAI-style error body. */
	| "error"
	/** A valid insight without a usage block (some local servers). */
	| "no-usage";

export interface OpenAiSimOptions {
	defaultMode?: OpenAiMode;
	retryAfterSec?: number;
	slowMs?: number;
	/** The insight a valid answer carries. */
	content?: Record<string, unknown>;
}

export interface RecordedRequest {
	at: number;
	mode: OpenAiMode;
	headers: IncomingMessage["headers"];
	/** The raw body, for checks that a string never reaches the LLM. */
	raw: string;
	body: {
		model?: string;
		messages?: Array<{ role: string; content: string }>;
		response_format?: { type: string; json_schema?: { name: string; schema: Record<string, unknown>; strict?: boolean } };
		max_completion_tokens?: number;
	};
	/** The usage reported in the answer, when one was sent. */
	usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
	status: number;
}

export interface OpenAiSimulator {
	/** The API root to use as OPENAI_BASE_URL, e.g. http://127.0.0.1:PORT/v1. */
	url: string;
	requests: RecordedRequest[];
	/** The modes of the next requests, in order; afterwards the default mode applies again. */
	script(...modes: OpenAiMode[]): void;
	setDefault(mode: OpenAiMode): void;
	close(): Promise<void>;
}

export const SIM_INSIGHT = {
	title: "A steady week of music",
	summary: "You kept a steady rhythm this week, with most listening in the evening.",
	highlights: ["Most plays came in the evening.", "Tempo stayed around 120 BPM."],
	suggestions: ["Try a few faster tracks for your runs."]
};

const tokensOf = (text: string) => Math.ceil(text.length / 4);

function completion(model: string, content: string, usage: RecordedRequest["usage"]): Record<string, unknown> {
	return {
		id: `chatcmpl-sim-${Date.now()}`,
		object: "chat.completion",
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, finish_reason: "stop", logprobs: null }],
		...(usage ? { usage } : {})
	};
}

export async function startOpenAiSimulator(options: OpenAiSimOptions = {}): Promise<OpenAiSimulator> {
	let defaultMode: OpenAiMode = options.defaultMode ?? "valid";
	const queue: OpenAiMode[] = [];
	const requests: RecordedRequest[] = [];
	const timers = new Set<NodeJS.Timeout>();

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? "/", "http://sim");
		if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
			send(res, 404, JSON.stringify({ error: { message: `Unknown route ${req.method} ${url.pathname}`, type: "invalid_request_error" } }));
			return;
		}
		const raw = await readBody(req);
		let body: RecordedRequest["body"] = {};
		try {
			body = JSON.parse(raw) as RecordedRequest["body"];
		} catch {
			send(res, 400, JSON.stringify({ error: { message: "body is not JSON", type: "invalid_request_error" } }));
			return;
		}
		const mode = queue.shift() ?? defaultMode;
		const record: RecordedRequest = { at: Date.now(), mode, headers: req.headers, raw, body, status: 200 };
		requests.push(record);
		const model = body.model ?? "sim-model";
		const answer = (content: string, withUsage = true) => {
			const promptTokens = tokensOf(JSON.stringify(body.messages ?? []));
			const usage = withUsage ? { prompt_tokens: promptTokens, completion_tokens: tokensOf(content), total_tokens: promptTokens + tokensOf(content) } : undefined;
			record.usage = usage;
			send(res, 200, JSON.stringify(completion(model, content, usage)));
		};
		const valid = JSON.stringify(options.content ?? SIM_INSIGHT);
		switch (mode) {
			case "valid":
				return answer(valid);
			case "no-usage":
				return answer(valid, false);
			case "malformed":
				return answer(valid.slice(0, Math.floor(valid.length / 2)));
			case "invalid-schema":
				return answer(JSON.stringify({ title: "Only a title" }));
			case "rate-limit":
				record.status = 429;
				return send(
					res,
					429,
					JSON.stringify({ error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" } }),
					"application/json; charset=utf-8",
					{ "retry-after": String(options.retryAfterSec ?? 1) }
				);
			case "error":
				record.status = 500;
				return send(res, 500, JSON.stringify({ error: { message: "The server had an error while processing your request.", type: "server_error" } }));
			case "slow": {
				const timer = setTimeout(() => {
					timers.delete(timer);
					if (!res.writableEnded && !res.destroyed) answer(valid);
				}, options.slowMs ?? 5000);
				timers.add(timer);
				return;
			}
		}
	};

	const server = createServer((req, res) => {
		handle(req, res).catch(err => {
			if (!res.headersSent) send(res, 500, JSON.stringify({ error: { message: String(err), type: "server_error" } }));
		});
	});
	await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		script: (...modes) => queue.push(...modes),
		setDefault: mode => {
			defaultMode = mode;
		},
		close: async () => {
			for (const t of timers) clearTimeout(t);
			server.closeAllConnections();
			await new Promise<void>(resolve => server.close(() => resolve()));
		}
	};
}
