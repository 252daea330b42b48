/**
 * Typed reads of parsed JSON. Optional fields come back undefined when absent or of the wrong
 * type; required ones throw a ShapeError, which the call wrapper turns into a RetryableError
 * (a body that parses but lacks an id is almost always a cut or garbled response).
 */

export type Json = Record<string, unknown>;

export class ShapeError extends Error {
	override readonly name = "ShapeError";
}

export function obj(value: unknown): Json | undefined {
	return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function str(value: unknown): string | undefined {
	return typeof value === "string" ? value : undefined;
}

/** Ids: Deezer's are numbers, Spotify's strings; both become strings. */
export function id(value: unknown): string | undefined {
	if (typeof value === "string" && value !== "") return value;
	if (typeof value === "number" && Number.isFinite(value)) return String(value);
	return undefined;
}

export function num(value: unknown): number | undefined {
	return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function bool(value: unknown): boolean | undefined {
	return typeof value === "boolean" ? value : undefined;
}

export function arr(value: unknown): unknown[] {
	return Array.isArray(value) ? value : [];
}

export function need<T>(value: T | undefined, what: string): T {
	if (value === undefined) throw new ShapeError(`missing ${what}`);
	return value;
}

export function needObj(value: unknown, what: string): Json {
	return need(obj(value), what);
}

/** Drops undefined fields, so normalised objects compare and serialise cleanly. */
export function compact<T extends object>(value: T): T {
	for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
	return value;
}
