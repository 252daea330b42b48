/**
 * The scraper's own failures. Each carries the HTTP code the gateway answers with, a stable
 * `type` clients can branch on, and `data.kind`, which tells the worker mixin (and so the
 * scheduler) whether a job is worth retrying. They are Moleculer errors so all of that survives a
 * trip between nodes.
 */
import { Errors } from "moleculer";
import type { UpstreamErrorKind } from "../../mixins/upstream/errors";

export interface ScraperErrorData {
	kind: UpstreamErrorKind;
	url?: string;
	[key: string]: unknown;
}

export class ScraperError extends Errors.MoleculerError {
	declare data: ScraperErrorData;
	readonly kind: UpstreamErrorKind;

	constructor(message: string, code: number, type: string, data: ScraperErrorData) {
		super(message, code, type, data);
		this.kind = data.kind;
	}
}

/** The URL is not one the scraper may fetch: bad scheme, host off the allowlist, IP literal, private address. */
export class UrlRefusedError extends ScraperError {
	constructor(url: string, reason: string) {
		super(`Refused to fetch ${url}: ${reason}`, 422, "URL_REFUSED", { kind: "fatal", url, reason });
	}
}

/** robots.txt disallows the path for our user agent. */
export class RobotsDisallowedError extends ScraperError {
	constructor(url: string) {
		super(`robots.txt disallows ${url}`, 403, "ROBOTS_DISALLOWED", { kind: "fatal", url });
	}
}

/** robots.txt answered 5xx or could not be fetched: the host counts as disallowed for now. */
export class RobotsUnavailableError extends ScraperError {
	constructor(url: string, reason: string) {
		super(`robots.txt of ${url} is unavailable (${reason}); the host is disallowed for now`, 503, "ROBOTS_UNAVAILABLE", { kind: "retryable", url, reason });
	}
}

export type BlockReason = "challenge" | "ip-block" | "forbidden";

/** How long a client should wait before asking again after a block (the scheduler's own backoff spaces job retries). */
export const BLOCK_RETRY_AFTER_MS = 15 * 60 * 1000;

/**
 * A challenge page, an IP block or a 403. Retrying at once would not help and could make it
 * worse, so the fetcher does not; but blocks pass, so the job is retried later with the
 * scheduler's backoff (kind "retryable") and the answer says when to come back.
 */
export class BlockedError extends ScraperError {
	readonly retryAfterMs = BLOCK_RETRY_AFTER_MS;
	constructor(url: string, reason: BlockReason, status?: number) {
		super(`The site blocked the request for ${url} (${reason}); try again later`, 503, "BLOCKED", { kind: "retryable", url, reason, status, blocked: true, retryAfterMs: BLOCK_RETRY_AFTER_MS });
	}
}

/** The page claims N tracks, but none parsed: the layout changed or the page is broken. */
export class ParseMismatchError extends ScraperError {
	constructor(url: string, claimed: number, parsed: number) {
		super(`The page claims ${claimed} tracks but ${parsed} parsed: ${url}`, 502, "PARSE_MISMATCH", { kind: "fatal", url, claimed, parsed });
	}
}

/** The page parsed to no tracklist at all (no rows, no track count): nothing to store. */
export class NotATracklistError extends ScraperError {
	constructor(url: string, reason: string) {
		super(`No tracklist on ${url}: ${reason}`, 422, "NOT_A_TRACKLIST", { kind: "fatal", url, reason });
	}
}

export class TooLargeError extends ScraperError {
	constructor(url: string, maxBytes: number) {
		super(`The response of ${url} is larger than ${maxBytes} bytes`, 502, "RESPONSE_TOO_LARGE", { kind: "fatal", url, maxBytes });
	}
}

/** 5xx, timeouts, network errors after the retries: the same fetch may work later. */
export class FetchFailedError extends ScraperError {
	constructor(url: string, reason: string, status?: number) {
		super(`Fetching ${url} failed: ${reason}`, 502, "FETCH_FAILED", { kind: "retryable", url, reason, status });
	}
}

export class PageNotFoundError extends ScraperError {
	constructor(url: string, status: number) {
		super(`The site has no page at ${url} (HTTP ${status})`, 404, "PAGE_NOT_FOUND", { kind: "not-found", url, status });
	}
}

/** Any other 4xx: the request is wrong and repeating it will not help. */
export class FetchRefusedError extends ScraperError {
	constructor(url: string, status: number) {
		super(`The site refused ${url} with HTTP ${status}`, 502, "FETCH_REFUSED", { kind: "fatal", url, status });
	}
}

/** 429: the host's limiter is paused; the job waits without spending an attempt. */
export class SiteRateLimitedError extends ScraperError {
	readonly retryAfterMs: number;
	constructor(url: string, retryAfterMs: number) {
		super(`The site rate-limited ${url}; retry in ${retryAfterMs} ms`, 429, "SITE_RATE_LIMITED", { kind: "rate-limited", url, retryAfterMs });
		this.retryAfterMs = retryAfterMs;
	}
}

/** A CUE sheet cannot be made for this tracklist. */
export class CueError extends Errors.MoleculerClientError {
	constructor(message: string, type: string, data?: Record<string, unknown>) {
		super(message, 422, type, data);
	}
}

/** True for the scraper's own error classes; the fuzz tests hold the parser to these. */
export function isScraperError(err: unknown): err is ScraperError {
	return err instanceof ScraperError;
}

/** A 422 for a rule across fields ("exactly one of a and b"), listing the fields as every validation error does. */
export function crossFieldError(message: string, fields: string[]): Errors.ValidationError {
	return new Errors.ValidationError(message, "VALIDATION_ERROR", fields.map(field => ({ field, type: "crossField", message })));
}
