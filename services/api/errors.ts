import type { ServerResponse } from "node:http";

export interface HttpError extends Error {
	code?: number;
	status?: number;
	type?: string;
	data?: unknown;
}

/** One field's problem in a 422, as fastest-validator reports it, without cluster internals. */
export interface FieldProblem {
	field: string;
	type: string;
	message: string;
	expected?: unknown;
	/** The value received, when it is a plain value. */
	actual?: string | number | boolean;
}

export interface ErrorBody {
	error: { status: number; type: string; message: string; requestId?: string; fields?: FieldProblem[]; data?: unknown };
}

/** body-parser's error types, renamed to the API's upper-case ones. */
const bodyParserTypes: Record<string, string> = {
	"entity.too.large": "PAYLOAD_TOO_LARGE",
	"entity.parse.failed": "INVALID_JSON",
	"encoding.unsupported": "UNSUPPORTED_ENCODING",
	"charset.unsupported": "UNSUPPORTED_CHARSET",
	"request.aborted": "REQUEST_ABORTED",
	"request.size.invalid": "INVALID_CONTENT_LENGTH"
};

function statusOf(err: HttpError): number {
	const status = typeof err.code === "number" ? err.code : err.status;
	return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}

function fieldProblems(data: unknown): FieldProblem[] | undefined {
	if (!Array.isArray(data)) return undefined;
	return data.flatMap((item: unknown) => {
		if (typeof item !== "object" || item === null) return [];
		const p = item as Record<string, unknown>;
		if (typeof p.message !== "string") return [];
		const problem: FieldProblem = { field: typeof p.field === "string" ? p.field : "", type: String(p.type ?? "invalid"), message: p.message };
		if (p.expected !== undefined) problem.expected = p.expected;
		if (["string", "number", "boolean"].includes(typeof p.actual)) problem.actual = p.actual as string | number | boolean;
		return [problem];
	});
}

/**
 * The one error shape of the API. Unexpected errors (500 without a type of ours) say only
 * "Internal error": messages and stacks of internal failures stay in the logs.
 */
export function errorBody(err: HttpError, requestId?: string): ErrorBody {
	if (err.type === "REQUEST_TIMEOUT") return timeoutBody(requestId);
	const status = statusOf(err);
	const internal = status >= 500 && (err.type === undefined || err.type === "UNKNOWN_ERROR");
	const type = bodyParserTypes[err.type ?? ""] ?? err.type ?? (status === 404 ? "NOT_FOUND" : internal ? "INTERNAL_ERROR" : err.name);
	const body: ErrorBody = { error: { status, type, message: internal ? "Internal error" : err.message } };
	if (requestId) body.error.requestId = requestId;
	const fields = type === "VALIDATION_ERROR" ? fieldProblems(err.data) : undefined;
	if (fields) body.error.fields = fields;
	else if (!internal && err.data !== undefined) body.error.data = err.data;
	return body;
}

/**
 * A call that ran out of time is a 504. Moleculer's message and data name the action and the
 * node; the client learns only that the work may still finish, and how to repeat it safely.
 */
function timeoutBody(requestId?: string): ErrorBody {
	const message = "The request timed out; the work may still complete. Repeat a POST with the same Idempotency-Key header so it cannot run twice.";
	return { error: { status: 504, type: "GATEWAY_TIMEOUT", message, ...(requestId ? { requestId } : {}) } };
}

/** Seconds until the client may try again, from the service's `data.retryAfterSec` or the rate limiter's reset. */
export function retryAfterSec(err: HttpError, res: ServerResponse): number | undefined {
	const data = err.data;
	const fromData = typeof data === "object" && data !== null ? (data as { retryAfterSec?: unknown }).retryAfterSec : undefined;
	if (typeof fromData === "number" && Number.isFinite(fromData) && fromData >= 0) return Math.ceil(fromData);
	const reset = Number(res.getHeader("X-Rate-Limit-Reset"));
	if (statusOf(err) === 429 && Number.isFinite(reset) && reset > 0) return Math.max(1, Math.ceil((reset - Date.now()) / 1000));
	return undefined;
}
