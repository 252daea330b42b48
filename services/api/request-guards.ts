import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors } from "moleculer";

/*
 * Checks every /api/v1 request passes before any action sees it. The actions validate their own
 * params; these catch what parameter validation cannot: bodies of the wrong kind, and keys that
 * look like query operators anywhere in the input (unknown keys are otherwise ignored, not refused).
 */

interface ParsedRequest extends IncomingMessage {
	body?: unknown;
	query?: Record<string, unknown>;
}

type Next = (err?: Error) => void;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** body-parser's `verify` hook: a body that is not valid UTF-8 is a 400, not text with U+FFFD in it. */
export function verifyUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
	try {
		utf8.decode(buf);
	} catch {
		throw Object.assign(new Error("The request body is not valid UTF-8"), { status: 400, type: "INVALID_UTF8" });
	}
}

function hasBody(req: IncomingMessage): boolean {
	const length = req.headers["content-length"];
	return (length !== undefined && Number(length) > 0) || req.headers["transfer-encoding"] !== undefined;
}

/**
 * Fields whose value holds a key starting with "$" (or holding a NUL), at most a few: for
 * {"source": {"$gt": ""}} the field at fault is "source"; a top-level "$where" is itself the field.
 */
export function operatorKeys(value: unknown, path = "", found: string[] = [], depth = 0): string[] {
	if (found.length >= 5 || depth > 64 || typeof value !== "object" || value === null) return found;
	for (const [key, inner] of Object.entries(value)) {
		if (key.startsWith("$") || key.includes("\0")) {
			const field = path || key;
			if (!found.includes(field)) found.push(field);
		} else operatorKeys(inner, path ? `${path}.${key}` : key, found, depth + 1);
	}
	return found;
}

export function requestGuards(req: ParsedRequest, _res: ServerResponse, next: Next): void {
	if (hasBody(req)) {
		const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
		if (type !== "application/json") {
			return next(new Errors.MoleculerClientError("Send request bodies as application/json", 415, "UNSUPPORTED_MEDIA_TYPE"));
		}
		if (req.body !== undefined && (typeof req.body !== "object" || req.body === null || Array.isArray(req.body))) {
			return next(new Errors.MoleculerClientError("The request body must be a JSON object", 400, "INVALID_BODY"));
		}
	}
	const keys = [...new Set([...operatorKeys(req.query), ...operatorKeys(req.body)])];
	if (keys.length) {
		const fields = keys.map(field => ({ field, type: "forbiddenKey", message: `The '${field}' field holds a key starting with '$', which is not accepted` }));
		return next(new Errors.ValidationError("Operator-like keys are not accepted", "VALIDATION_ERROR", fields));
	}
	next();
}
