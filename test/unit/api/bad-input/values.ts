/**
 * Families of malformed values for one field, by the field's schema. Each value says what family
 * it belongs to, so a failure names what was sent.
 */
import type { JsonSchema } from "./schema";

export type Family =
	| "wrong-type"
	| "missing"
	| "huge"
	| "operator"
	| "prototype"
	| "traversal"
	| "unicode"
	| "bad-json"
	| "content-type"
	| "encoding"
	| "options"
	| "credentials"
	| "route";

/** JSON text spliced into a body as-is (1e400 has no JavaScript value that serialises back to it). */
export class RawJson {
	constructor(readonly text: string) {}
}

/** Bytes spliced into a JSON string as-is: invalid or overlong UTF-8 that no JS string holds. */
export class RawBytes {
	constructor(
		readonly bytes: Buffer,
		/** How the same bytes are written in a URL. */
		readonly percent: string
	) {}
}

export interface Variant {
	family: Family;
	label: string;
	value: unknown;
	/** Text no field should take: control characters and lone surrogates. */
	badText?: boolean;
	/** Valid text that only looks odd (traversal, emoji, bidi marks): fine in free text. */
	oddText?: boolean;
}

/** A nested array or object this deep, as the value of one field. */
export const DEPTH = 2000;
/** Deeper still, as JSON text (a JavaScript value this deep would overflow JSON.stringify here): 10,000 levels in 20 KB once crashed the gateway. */
export const DEEPEST = 10_000;

export function nestedArray(depth: number): unknown {
	let v: unknown = [];
	for (let i = 0; i < depth; i++) v = [v];
	return v;
}
export function nestedObject(depth: number): unknown {
	let v: unknown = {};
	for (let i = 0; i < depth; i++) v = { a: v };
	return v;
}

export const TRAVERSAL = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd"];

/** Unicode oddities that JSON can carry; the invalid byte sequences come separately as RawBytes. */
export const UNICODE: Array<{ label: string; text: string; bad: boolean }> = [
	{ label: "NUL", text: "a\u0000b", bad: true },
	{ label: "C0 controls", text: "a\u0007\u001b[31mb", bad: true },
	{ label: "lone high surrogate", text: "a\ud800b", bad: true },
	{ label: "lone low surrogate", text: "\udc00", bad: true },
	{ label: "RTL override", text: "\u202etxt.exe", bad: false },
	{ label: "zero-width", text: "a\u200b\u200c\u200d\ufeffb", bad: false },
	{ label: "4-byte emoji", text: "🏃‍♀️🎧𝕏", bad: false },
	{ label: "combining marks", text: "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357", bad: false }
];

export const BAD_BYTES: Array<{ label: string; raw: RawBytes }> = [
	{ label: "overlong '.'", raw: new RawBytes(Buffer.from([0xc0, 0xae, 0xc0, 0xae, 0x2f]), "%C0%AE%C0%AE%2F") },
	{ label: "invalid UTF-8", raw: new RawBytes(Buffer.from([0xff, 0xfe, 0x80]), "%FF%FE%80") },
	{ label: "UTF-8 surrogate", raw: new RawBytes(Buffer.from([0xed, 0xa0, 0x80]), "%ED%A0%80") }
];

export const OPERATORS: unknown[] = [{ $gt: "" }, { $ne: null }, { $where: "sleep(5000) || true" }, { $regex: ".*" }, { $in: ["a", "b"] }, { $exists: true }];

function wrongTypes(s: JsonSchema): unknown[] {
	if (s.enum) return [12345, ["a"], { a: 1 }, "not-one-of-them"];
	switch (s.type) {
		case "string":
			return [12345, true, [], ["a", "b"], { a: 1 }];
		case "number":
		case "integer":
			// Not true, [] or "" : fastest-validator's convert turns those into 1 and 0.
			return ["abc", "12abc", { a: 1 }, ["x"], ...(s.type === "integer" ? [1.5] : [])];
		case "boolean":
			return ["perhaps", 2, { a: 1 }, ["true"]];
		case "array":
			return ["a", 1, { a: 1 }, true];
		case "object":
			return ["a", 1, [], true];
		default:
			return [];
	}
}

function huge(s: JsonSchema): unknown[] {
	const out: unknown[] = [];
	if (s.type === "string" || s.enum) {
		if (s.maxLength !== undefined && s.maxLength < 30_000) out.push("x".repeat(s.maxLength + 1));
		out.push("x".repeat(30_000));
	}
	if (s.type === "number" || s.type === "integer") out.push(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, new RawJson("1e400"), new RawJson("-1e400"));
	if (s.type === "array") {
		if (s.maxItems !== undefined && s.maxItems < 10_000) out.push(Array.from({ length: s.maxItems + 1 }, () => "a"));
		out.push(Array.from({ length: 10_000 }, (_, i) => i));
	}
	out.push(nestedArray(DEPTH), nestedObject(DEPTH));
	return out;
}

/** Every malformed value for a field of schema `s` (the JSON-carried ones; query and path encodings are the caller's). */
export function variantsFor(s: JsonSchema): Variant[] {
	const out: Variant[] = [];
	for (const v of wrongTypes(s)) out.push({ family: "wrong-type", label: JSON.stringify(v), value: v });
	for (const v of huge(s)) out.push({ family: "huge", label: describe(v), value: v });
	for (const v of OPERATORS) out.push({ family: "operator", label: JSON.stringify(v), value: v });
	for (const t of TRAVERSAL) out.push({ family: "traversal", label: t, value: t, oddText: true });
	for (const u of UNICODE) out.push({ family: "unicode", label: u.label, value: u.text, badText: u.bad, oddText: !u.bad });
	for (const b of BAD_BYTES) out.push({ family: "unicode", label: b.label, value: b.raw, badText: true });
	return out;
}

export function describe(v: unknown): string {
	if (v instanceof RawJson) return v.text;
	if (v instanceof RawBytes) return v.percent;
	if (typeof v === "string") return v.length > 40 ? `"${v.slice(0, 8)}…" (${v.length} chars)` : JSON.stringify(v);
	if (Array.isArray(v)) return v.length === 1 && Array.isArray(v[0]) ? "nested arrays" : v.length > 20 ? `array of ${v.length}` : JSON.stringify(v);
	if (v && typeof v === "object" && "a" in v) return "nested objects";
	return JSON.stringify(v);
}
