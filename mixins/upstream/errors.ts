/**
 * Failures of an upstream call, typed by what the scheduler should do about them: retry later,
 * wait out a rate limit, give up on the item, or stop and tell a human.
 *
 * They are Moleculer errors so that `type` and `data` survive a trip between nodes; a remote
 * caller gets a plain Error back, so it should branch on `errorKind(err)`, not on `instanceof`.
 * Moleculer's own `retryable` flag stays false on purpose: the broker's retry policy is for calls
 * to dead nodes, and an upstream failure must reach the scheduler, which owns backoff.
 */
import { Errors } from "moleculer";

export type UpstreamErrorKind = "retryable" | "rate-limited" | "not-found" | "fatal";

export interface UpstreamErrorData {
	kind: UpstreamErrorKind;
	provider: string;
	endpoint: string;
	status?: number;
	retryAfterMs?: number;
}

const KINDS: readonly UpstreamErrorKind[] = ["retryable", "rate-limited", "not-found", "fatal"];

/** The HTTP code Moleculer (and the gateway) report for each kind; not the upstream's status. */
const GATEWAY_CODE: Record<UpstreamErrorKind, number> = {
	retryable: 502,
	"rate-limited": 429,
	"not-found": 404,
	fatal: 502
};

export interface UpstreamErrorInit {
	provider: string;
	endpoint: string;
	/** The upstream's HTTP status, when there was a response. */
	status?: number;
	cause?: unknown;
}

export abstract class UpstreamError extends Errors.MoleculerError {
	abstract readonly kind: UpstreamErrorKind;
	readonly provider: string;
	readonly endpoint: string;
	readonly status?: number;
	declare data: UpstreamErrorData;

	protected constructor(kind: UpstreamErrorKind, message: string, init: UpstreamErrorInit, extra: Partial<UpstreamErrorData> = {}) {
		const data: UpstreamErrorData = { kind, provider: init.provider, endpoint: init.endpoint, status: init.status, ...extra };
		super(`${init.provider} ${init.endpoint}: ${message}`, GATEWAY_CODE[kind], `UPSTREAM_${kind.toUpperCase().replace("-", "_")}`, data);
		this.provider = init.provider;
		this.endpoint = init.endpoint;
		this.status = init.status;
		if (init.cause !== undefined) this.cause = init.cause;
	}
}

/** 5xx, timeouts, network errors, malformed or truncated bodies: the same call may work later. */
export class RetryableError extends UpstreamError {
	readonly kind = "retryable";
	constructor(message: string, init: UpstreamErrorInit) {
		super("retryable", message, init);
	}
}

/** 429 or Deezer's code 4. The limiter has already been paused when this is thrown. */
export class RateLimitedError extends UpstreamError {
	readonly kind = "rate-limited";
	readonly retryAfterMs: number;
	constructor(message: string, init: UpstreamErrorInit & { retryAfterMs: number }) {
		super("rate-limited", message, init, { retryAfterMs: init.retryAfterMs });
		this.retryAfterMs = init.retryAfterMs;
	}
}

/** 404 or Deezer's code 800: the item does not exist there; do not retry. */
export class NotFoundError extends UpstreamError {
	readonly kind = "not-found";
	constructor(message: string, init: UpstreamErrorInit) {
		super("not-found", message, init);
	}
}

/** Bad credentials, a forbidden endpoint, a malformed request: retrying will not help. */
export class FatalError extends UpstreamError {
	readonly kind = "fatal";
	constructor(message: string, init: UpstreamErrorInit) {
		super("fatal", message, init);
	}
}

function isKind(value: unknown): value is UpstreamErrorKind {
	return typeof value === "string" && (KINDS as readonly string[]).includes(value);
}

function field(obj: unknown, key: string): unknown {
	return typeof obj === "object" && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

/**
 * The kind of an upstream failure, whether `err` is one of the classes above, a copy rebuilt by
 * Moleculer on another node (kind under `data`) or a plain object. Undefined for anything else.
 */
export function errorKind(err: unknown): UpstreamErrorKind | undefined {
	const own = field(err, "kind");
	if (isKind(own)) return own;
	const nested = field(field(err, "data"), "kind");
	return isKind(nested) ? nested : undefined;
}

/** How long a rate-limited failure asked us to wait, local or deserialized. */
export function retryAfterOf(err: unknown): number | undefined {
	const value = field(err, "retryAfterMs") ?? field(field(err, "data"), "retryAfterMs");
	return typeof value === "number" ? value : undefined;
}

/** Worth trying again later: transient failures and rate limits. */
export function isRetryable(err: unknown): boolean {
	const kind = errorKind(err);
	return kind === "retryable" || kind === "rate-limited";
}
