import { createHash } from "node:crypto";
import { Errors } from "moleculer";

/**
 * Where a BPM listing stopped: the catalog position after the last track handed out (`o`) and that
 * track's sort key (tempo `t`, id `i`), bound to the query by a hash (`q`). Clients see it only as
 * an opaque base64url string.
 */
export interface Cursor {
	o: number;
	t: number | null;
	i: string;
	q: string;
}

/** A short hash of what a listing selects, so a cursor cannot be replayed against another query. */
export function queryHash(query: Record<string, unknown>): string {
	const canonical = JSON.stringify(Object.keys(query).sort().map(k => [k, query[k] ?? null]));
	return createHash("sha256").update(canonical).digest("base64url").slice(0, 12);
}

export function encodeCursor(cursor: Cursor): string {
	return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function invalid(message: string): Errors.ValidationError {
	return new Errors.ValidationError(message, "VALIDATION_ERROR", [{ type: "cursor", field: "cursor", message }]);
}

/** The cursor, or a 422 naming the field when it is not one of ours or belongs to another query. */
export function decodeCursor(text: string, hash: string): Cursor {
	let value: unknown;
	try {
		value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
	} catch {
		throw invalid("The 'cursor' field is not a cursor this API issued.");
	}
	const c = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
	const valid =
		Number.isInteger(c.o) && (c.o as number) >= 0 && (c.t === null || Number.isFinite(c.t)) && typeof c.i === "string" && typeof c.q === "string";
	if (!valid) throw invalid("The 'cursor' field is not a cursor this API issued.");
	if (c.q !== hash) throw invalid("The 'cursor' field belongs to a different query; keep bpm, tolerance, halfDouble, minEnergy and genre unchanged while paging.");
	return { o: c.o as number, t: c.t as number | null, i: c.i as string, q: c.q };
}
