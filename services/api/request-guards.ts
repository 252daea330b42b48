import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors } from "moleculer";
import ApiGateway from "moleculer-web";

/*
 * Checks every /api/v1 request passes before any action sees it. The actions validate their own
 * params; these catch what parameter validation cannot: bodies of the wrong kind or shape, keys
 * that look like query operators or reach the prototype anywhere in the input (unknown keys are
 * otherwise ignored, not refused), credentials in the URL, and OPTIONS requests, which never run
 * an action.
 */

interface ParsedRequest extends IncomingMessage {
	body?: unknown;
	query?: Record<string, unknown>;
	originalUrl?: string;
	/** moleculer-web's matched route; `cors` is set when CORS_ORIGINS is. */
	$route?: { cors?: unknown };
}

type Next = (err?: Error) => void;
type Middleware = (req: ParsedRequest, res: ServerResponse, next: Next) => void;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Deepest nesting of arrays and objects a body may have: real bodies need a handful, and deeper ones overflow recursive code downstream. */
export const MAX_JSON_DEPTH = 64;

/** How deep `[` and `{` nest in JSON text, outside strings; stops counting once past `limit`. */
export function jsonDepth(buf: Buffer, limit = MAX_JSON_DEPTH): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let i = 0; i < buf.length; i++) {
		const c = buf[i];
		if (inString) {
			if (c === 0x5c) i++;
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x5b || c === 0x7b) {
			if (++depth > deepest && (deepest = depth) > limit) return deepest;
		} else if (c === 0x5d || c === 0x7d) depth--;
	}
	return deepest;
}

function clientError(message: string, status: number, type: string): Error {
	return Object.assign(new Error(message), { status, type });
}

/** body-parser's `verify` hook: a body must be valid UTF-8 (not text with U+FFFD in it) and nest at most MAX_JSON_DEPTH levels. */
export function verifyUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
	try {
		utf8.decode(buf);
	} catch {
		throw clientError("The request body is not valid UTF-8", 400, "INVALID_UTF8");
	}
	if (jsonDepth(buf) > MAX_JSON_DEPTH) throw clientError(`The request body nests deeper than ${MAX_JSON_DEPTH} levels`, 400, "TOO_DEEP");
}

/**
 * body-parser's JSON parser, with one difference: a body whose Content-Encoding (gzip, deflate,
 * br, zstd) does not decode is a 400. body-parser passes zlib's own error on, which carries no
 * status that survives Moleculer and so became a 500.
 */
export function jsonBodyParser(options: { limit: string; strict: boolean }): Middleware {
	const parse = ApiGateway.bodyParser.json({ ...options, verify: verifyUtf8 });
	return (req, res, next) =>
		parse(req, res, (err?: unknown) => {
			if (!err) return next();
			const e = err as { type?: unknown; code?: unknown; message?: string };
			if (e.type === undefined && typeof e.code === "string") {
				return next(new Errors.MoleculerClientError(`The request body does not decode as its Content-Encoding says (${String(req.headers["content-encoding"])})`, 400, "INVALID_ENCODING"));
			}
			next(err as Error);
		});
}

function hasBody(req: IncomingMessage): boolean {
	const length = req.headers["content-length"];
	return (length !== undefined && Number(length) > 0) || req.headers["transfer-encoding"] !== undefined;
}

/** Keys that reach an object's prototype once merged into the params (moleculer-web's Object.assign sets a "__proto__" key as the prototype). */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

const isOperator = (key: string) => key.startsWith("$") || key.includes("\0");

/** The field at fault for every key `bad` flags, at most a few; for {"source": {"$gt": ""}} that is "source", a top-level "$where" is itself the field. */
function fieldsWithKeys(value: unknown, bad: (key: string) => boolean, path = "", found: string[] = [], depth = 0): string[] {
	if (found.length >= 5 || depth > MAX_JSON_DEPTH || typeof value !== "object" || value === null) return found;
	for (const [key, inner] of Object.entries(value)) {
		if (bad(key)) {
			const field = path || key;
			if (!found.includes(field)) found.push(field);
		} else fieldsWithKeys(inner, bad, path ? `${path}.${key}` : key, found, depth + 1);
	}
	return found;
}

/** Fields whose value holds a key starting with "$" (or holding a NUL). */
export function operatorKeys(value: unknown): string[] {
	return fieldsWithKeys(value, isOperator);
}

/** Fields whose value holds a "__proto__", "constructor" or "prototype" key (or that are one). */
export function prototypeKeys(value: unknown): string[] {
	return fieldsWithKeys(value, key => PROTOTYPE_KEYS.has(key));
}

/**
 * Prototype keys among the raw query's names (`__proto__[role]=`, `a[constructor][prototype]=`):
 * the query parser drops them silently, and they are refused like the body's, not ignored.
 */
function rawQueryPrototypeKeys(url: string | undefined): string[] {
	const at = url?.indexOf("?") ?? -1;
	if (!url || at < 0) return [];
	const found: string[] = [];
	for (const name of new URLSearchParams(url.slice(at + 1)).keys()) {
		if (name.split(/[[\].]+/).some(part => PROTOTYPE_KEYS.has(part)) && !found.includes(name)) found.push(name);
	}
	return found.slice(0, 5);
}

/** Query-string names that carry secrets: URLs end up in logs, proxies and browser history. */
const CREDENTIAL_NAMES = /^(password|currentpassword|newpassword|refreshtoken|accesstoken|access_token|refresh_token|token|secret|client_secret|apikey|api_key)$/i;

function forbidden(fields: string[], message: (field: string) => string): Error {
	const list = fields.map(field => ({ field, type: "forbiddenKey", message: message(field) }));
	return new Errors.ValidationError("Keys of this kind are not accepted", "VALIDATION_ERROR", list);
}

/**
 * OPTIONS asks what a URL allows; it never runs the action. moleculer-web routes an OPTIONS by its
 * Access-Control-Request-Method, so without this a "preflight" with a body would run a PATCH. With
 * CORS on, a real preflight goes on to moleculer-web's CORS answer, which stops there too.
 */
export function optionsGuard(req: ParsedRequest, res: ServerResponse, next: Next): void {
	if (req.method !== "OPTIONS") return next();
	if (req.$route?.cors && req.headers["access-control-request-method"]) return next();
	res.writeHead(204, { "Content-Length": "0" });
	res.end();
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
	const prototype = [...new Set([...rawQueryPrototypeKeys(req.originalUrl ?? req.url), ...prototypeKeys(req.query), ...prototypeKeys(req.body)])];
	if (prototype.length) return next(forbidden(prototype, field => `The '${field}' field holds a __proto__, constructor or prototype key, which is not accepted`));
	const operators = [...new Set([...operatorKeys(req.query), ...operatorKeys(req.body)])];
	if (operators.length) return next(forbidden(operators, field => `The '${field}' field holds a key starting with '$', which is not accepted`));
	const credentials = Object.keys(req.query ?? {}).filter(name => CREDENTIAL_NAMES.test(name));
	if (credentials.length) {
		return next(new Errors.MoleculerClientError(`Credentials are not accepted in the URL (${credentials.join(", ")}); send them in the JSON body`, 400, "CREDENTIALS_IN_URL", { fields: credentials }));
	}
	next();
}
