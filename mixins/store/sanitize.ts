/**
 * Guards against operator injection. Request data often ends up in filters (`{ name: params.name }`);
 * if `params.name` arrives as `{"$gt": ""}` the query would match everything. Both adapters run every
 * filter and update through these checks, so only the operators listed in types.ts ever reach a
 * database, and services use `safeEquals` where a caller's value must be a plain value.
 */
import { randomUUID } from "node:crypto";
import { UnsafeQueryError, type Doc, type FieldOps, type Filter, type Primitive, type Sort, type Update } from "./types";

const FIELD_OPS = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"] as const satisfies ReadonlyArray<keyof FieldOps>;
const LOGICAL_OPS = ["$or", "$and"] as const;
const UPDATE_OPS = [
	"$set",
	"$unset",
	"$inc",
	"$setOnInsert",
	"$addToSet",
	"$push",
	"$pull"
] as const satisfies ReadonlyArray<keyof Update>;

type FieldOp = (typeof FIELD_OPS)[number];
type UpdateOp = (typeof UPDATE_OPS)[number];

const isFieldOp = (key: string): key is FieldOp => (FIELD_OPS as readonly string[]).includes(key);
const isUpdateOp = (key: string): key is UpdateOp => (UPDATE_OPS as readonly string[]).includes(key);

export function isPrimitive(value: unknown): value is Primitive {
	return (
		value === null ||
		typeof value === "string" ||
		typeof value === "boolean" ||
		(typeof value === "number" && !Number.isNaN(value)) ||
		value instanceof Date
	);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	if (value === null || typeof value !== "object") return false;
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

/** A field name or dotted path. `$` anywhere could smuggle an operator; `__proto__` could pollute prototypes. */
export function assertFieldName(field: string, where = "field"): void {
	if (typeof field !== "string" || field === "") throw new UnsafeQueryError(`${where}: empty field name`);
	if (field.includes("$")) throw new UnsafeQueryError(`${where}: field name "${field}" contains "$"`);
	if (field.split(".").some(part => part === "" || part === "__proto__")) {
		throw new UnsafeQueryError(`${where}: field name "${field}" is not a valid path`);
	}
}

/**
 * Checks a value that is stored as data (a document, a `$set` value). Nested keys starting with `$`,
 * functions, regular expressions and class instances other than Date are refused.
 */
export function assertSafeValue(value: unknown, field: string): void {
	if (value === undefined || isPrimitive(value)) return;
	if (typeof value === "number") throw new UnsafeQueryError(`${field}: NaN is not storable`);
	if (Array.isArray(value)) {
		value.forEach((item, i) => assertSafeValue(item, `${field}.${i}`));
		return;
	}
	if (!isPlainObject(value)) {
		throw new UnsafeQueryError(`${field}: a ${describe(value)} is not a storable value`);
	}
	for (const [key, inner] of Object.entries(value)) {
		if (key.startsWith("$")) throw new UnsafeQueryError(`${field}: key "${key}" looks like an operator`);
		if (key === "__proto__") throw new UnsafeQueryError(`${field}: key "__proto__" is not allowed`);
		assertSafeValue(inner, `${field}.${key}`);
	}
}

/** Deep copy of checked data that drops undefined fields, as MongoDB's `ignoreUndefined` does. */
export function plainCopy<V>(value: V): V {
	if (value instanceof Date) return new Date(value.getTime()) as V;
	if (Array.isArray(value)) return value.map(item => plainCopy(item)) as V;
	if (!isPlainObject(value)) return value;
	const out: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value)) {
		if (inner !== undefined) out[key] = plainCopy(inner);
	}
	return out as V;
}

/** Builds `{ [field]: value }` for an exact match, refusing anything that is not a plain value. */
export function safeEquals(field: string, value: unknown): Filter {
	assertFieldName(field, "safeEquals");
	if (!isPrimitive(value)) {
		throw new UnsafeQueryError(`${field}: expected a plain value, got a ${describe(value)}`);
	}
	return { [field]: value };
}

/** Refuses any filter that uses something other than the whitelisted operators on plain values. */
export function assertSafeFilter(filter: unknown, where = "filter"): asserts filter is Filter {
	if (!isPlainObject(filter)) throw new UnsafeQueryError(`${where}: a filter must be a plain object`);
	for (const [key, value] of Object.entries(filter)) {
		if ((LOGICAL_OPS as readonly string[]).includes(key)) {
			if (value === undefined) continue;
			if (!Array.isArray(value) || value.length === 0) {
				throw new UnsafeQueryError(`${where}: ${key} needs a non-empty array of filters`);
			}
			value.forEach((sub, i) => assertSafeFilter(sub, `${where}.${key}[${i}]`));
			continue;
		}
		if (key.startsWith("$")) throw new UnsafeQueryError(`${where}: operator ${key} is not allowed`);
		assertFieldName(key, where);
		assertCondition(value, `${where}.${key}`);
	}
}

function assertCondition(value: unknown, where: string): void {
	if (value === undefined) {
		throw new UnsafeQueryError(`${where}: undefined is not a value (use { $exists: false })`);
	}
	if (isPrimitive(value)) return;
	if (!isPlainObject(value) || Object.keys(value).length === 0) {
		throw new UnsafeQueryError(`${where}: expected a plain value or an operator object, got a ${describe(value)}`);
	}
	for (const [op, operand] of Object.entries(value)) {
		if (!isFieldOp(op)) throw new UnsafeQueryError(`${where}: operator ${op} is not allowed`);
		if (op === "$exists") {
			if (typeof operand !== "boolean") throw new UnsafeQueryError(`${where}: $exists needs true or false`);
		} else if (op === "$in" || op === "$nin") {
			if (!Array.isArray(operand) || !operand.every(isPrimitive)) {
				throw new UnsafeQueryError(`${where}: ${op} needs an array of plain values`);
			}
		} else if (!isPrimitive(operand)) {
			throw new UnsafeQueryError(`${where}: ${op} needs a plain value, got a ${describe(operand)}`);
		}
	}
}

/** Refuses updates with unknown operators, and replacement documents (an update without operators). */
export function assertSafeUpdate(update: unknown, where = "update"): asserts update is Update {
	if (!isPlainObject(update)) throw new UnsafeQueryError(`${where}: an update must be a plain object`);
	const ops = Object.keys(update);
	if (ops.length === 0) throw new UnsafeQueryError(`${where}: an update needs at least one operator`);
	const paths: string[] = [];
	for (const op of ops) {
		if (!isUpdateOp(op)) throw new UnsafeQueryError(`${where}: update operator ${op} is not allowed`);
		const fields = update[op];
		if (fields === undefined) continue;
		if (!isPlainObject(fields)) throw new UnsafeQueryError(`${where}: ${op} needs an object of fields`);
		for (const [field, value] of Object.entries(fields)) {
			assertFieldName(field, `${where}.${op}`);
			assertUpdateValue(op, value, `${where}.${op}.${field}`);
			paths.push(field);
		}
	}
	assertNoConflicts(paths, where);
}

/** MongoDB refuses an update touching one path twice (`$set: {a}` with `$inc: {a}`, or `a` with `a.b`); so do we. */
function assertNoConflicts(paths: string[], where: string): void {
	const sorted = [...paths].sort();
	for (let i = 1; i < sorted.length; i++) {
		const [a, b] = [sorted[i - 1], sorted[i]];
		if (a === b || b.startsWith(`${a}.`)) throw new UnsafeQueryError(`${where}: "${a}" and "${b}" conflict`);
	}
}

function assertUpdateValue(op: UpdateOp, value: unknown, where: string): void {
	switch (op) {
		case "$unset":
			if (value !== true && value !== 1 && value !== "") throw new UnsafeQueryError(`${where}: $unset takes true, 1 or ""`);
			return;
		case "$inc":
			if (typeof value !== "number" || !Number.isFinite(value)) throw new UnsafeQueryError(`${where}: $inc needs a finite number`);
			return;
		case "$pull":
			if (!isPrimitive(value)) throw new UnsafeQueryError(`${where}: $pull needs a plain value`);
			return;
		case "$addToSet":
		case "$push":
			if (isEach(value)) {
				value.$each.forEach((item, i) => assertSafeValue(item, `${where}.$each.${i}`));
				return;
			}
			assertSafeValue(value, where);
			return;
		default:
			assertSafeValue(value, where);
	}
}

/** `{ $each: [...] }`, the one operator-shaped value allowed inside `$addToSet` and `$push`. */
export function isEach(value: unknown): value is { $each: unknown[] } {
	return isPlainObject(value) && Object.keys(value).length === 1 && Array.isArray(value.$each);
}

/** Sort, projection and index specs name fields too. */
export function assertFieldMap(map: Record<string, unknown> | undefined, allowed: readonly unknown[], where: string): void {
	if (map === undefined) return;
	if (!isPlainObject(map)) throw new UnsafeQueryError(`${where}: must be a plain object`);
	for (const [field, value] of Object.entries(map)) {
		assertFieldName(field, where);
		if (!allowed.includes(value)) throw new UnsafeQueryError(`${where}.${field}: must be one of ${allowed.join(", ")}`);
	}
}

export function assertBatchSize(max: number): void {
	if (!Number.isInteger(max) || max < 0) throw new UnsafeQueryError(`batch size must be a non-negative integer (got ${String(max)})`);
}

/**
 * The fields a filter pins to one value (top level and inside `$and`), which an upsert copies into
 * the document it inserts, as MongoDB does.
 */
export function equalityFields(filter: Filter): Record<string, Primitive> {
	const out: Record<string, Primitive> = {};
	for (const [key, value] of Object.entries(filter)) {
		if (key === "$and" && Array.isArray(value)) {
			for (const sub of value) Object.assign(out, equalityFields(sub));
		} else if (key.startsWith("$") || value === undefined) {
			continue;
		} else if (isPrimitive(value)) {
			out[key] = value;
		} else if (isPlainObject(value) && "$eq" in value && isPrimitive(value.$eq)) {
			out[key] = value.$eq;
		}
	}
	return out;
}

function describe(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "array";
	if (value instanceof RegExp) return "regular expression";
	if (typeof value === "object") return isPlainObject(value) ? "object" : `${value.constructor?.name ?? "object"} instance`;
	return typeof value;
}

/** A checked copy of a document to store, with a generated string `_id` when it has none, first as MongoDB keeps it. */
export function prepareDoc(doc: object): Doc {
	assertSafeValue(doc, "document");
	const { _id = randomUUID(), ...rest } = plainCopy(doc as Record<string, unknown>);
	if (typeof _id !== "string") throw new UnsafeQueryError("document: _id must be a string");
	return { _id, ...rest };
}

/**
 * claimMany on top of an adapter's atomic claim: up to `max` claims, each excluding what this call
 * already took, so the batch stays distinct even if the update leaves documents matching.
 */
export async function claimDistinct<T extends Doc>(
	claim: (filter: Filter, sort: Sort, update: Update) => Promise<T | null>,
	filter: Filter,
	sort: Sort,
	update: Update,
	max: number
): Promise<T[]> {
	assertSafeFilter(filter);
	assertSafeUpdate(update);
	assertFieldMap(sort, [1, -1], "sort");
	assertBatchSize(max);
	const out: T[] = [];
	while (out.length < max) {
		const next: Filter = out.length ? { $and: [filter, { _id: { $nin: out.map(d => d._id) } }] } : filter;
		const doc = await claim(next, sort, update);
		if (!doc) break;
		out.push(doc);
	}
	return out;
}
