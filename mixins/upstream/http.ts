/**
 * One JSON request over global fetch, with every way it can fail turned into an UpstreamError.
 * No retries and no rate limiting here: the clients decide those.
 */
import { FatalError, NotFoundError, RateLimitedError, RetryableError, type UpstreamErrorInit } from "./errors";

export interface RequestOptions {
	provider: string;
	/** A short, low-cardinality name ("artist-albums"), used in errors and metrics. */
	endpoint: string;
	timeoutMs: number;
	method?: "GET" | "POST";
	headers?: Record<string, string>;
	body?: string;
}

/** When the upstream sends no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/** Retry-After in delta-seconds or as an HTTP-date, in ms from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number {
	if (value === null || value.trim() === "") return DEFAULT_RETRY_AFTER_MS;
	const raw = value.trim();
	if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
	const at = Date.parse(raw);
	return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - now);
}

/** The upstream's own words, shortened, so a log line says why without dumping a page. */
function excerpt(text: string): string {
	const flat = text.replace(/\s+/g, " ").trim();
	return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

function errorForStatus(status: number, text: string, headers: Headers, init: UpstreamErrorInit): Error {
	const detail = `HTTP ${status}${text ? ` ${excerpt(text)}` : ""}`;
	if (status === 429) return new RateLimitedError(detail, { ...init, retryAfterMs: parseRetryAfter(headers.get("retry-after")) });
	if (status === 404) return new NotFoundError(detail, init);
	if (status >= 500 || status === 408) return new RetryableError(detail, init);
	return new FatalError(detail, init);
}

/*
 * Read by field, not instanceof: fetch's DOMExceptions come from Node's own realm, which is not
 * the caller's under test runners that sandbox globals.
 */
function field(err: unknown, key: "name" | "message" | "cause"): unknown {
	return typeof err === "object" && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

function describe(err: unknown): string {
	const message = field(err, "message");
	if (typeof message !== "string") return String(err);
	const cause = field(field(err, "cause"), "message");
	return typeof cause === "string" ? `${message}: ${cause}` : message;
}

/** Sends the request and parses the JSON body. Throws an UpstreamError for anything but a 2xx with JSON. */
export async function requestJson(url: string, opts: RequestOptions): Promise<unknown> {
	const init: UpstreamErrorInit = { provider: opts.provider, endpoint: opts.endpoint };
	let status: number | undefined;
	let text: string;
	let headers: Headers;
	try {
		// The signal also covers reading the body, so a server that stalls mid-body times out too.
		const res = await fetch(url, {
			method: opts.method ?? "GET",
			headers: { accept: "application/json", ...opts.headers },
			body: opts.body,
			signal: AbortSignal.timeout(opts.timeoutMs)
		});
		status = res.status;
		headers = res.headers;
		text = await res.text();
	} catch (err) {
		const name = field(err, "name");
		const timedOut = name === "TimeoutError" || name === "AbortError";
		const what = timedOut ? `timed out after ${opts.timeoutMs} ms` : `network error (${describe(err)})`;
		throw new RetryableError(status === undefined ? what : `${what} reading an HTTP ${status} body`, { ...init, status, cause: err });
	}
	if (status < 200 || status >= 300) throw errorForStatus(status, text, headers, { ...init, status });
	try {
		return JSON.parse(text) as unknown;
	} catch (err) {
		// Proxies answer with HTML error pages and connections get cut mid-body; both are transient.
		throw new RetryableError(`malformed JSON (${text.length} bytes: ${excerpt(text.slice(0, 80))})`, { ...init, status, cause: err });
	}
}

export function getJson(url: string, opts: Omit<RequestOptions, "method" | "body">): Promise<unknown> {
	return requestJson(url, { ...opts, method: "GET" });
}
