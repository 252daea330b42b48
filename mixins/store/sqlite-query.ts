/**
 * Filters and sorts of the store's query language as SQL for the embedded store, with MongoDB's
 * semantics. A document is one JSON text (`doc`); each declared index field also lives in a column
 * of its own (`"f:<path>"`) holding the field's value when it is a number, a string or a date, and
 * NULL otherwise, so indexes on those columns serve equalities, ranges and sorts.
 *
 * MongoDB rules kept here: a condition matches a field or any element of an array there; null
 * matches null and missing fields; ranges compare only within one type (numbers, strings, dates,
 * booleans); $ne and $nin are the negations of $eq and $in, so they match missing fields and
 * arrays without the value. Not kept: arrays in the middle of a dotted path (MongoDB looks into
 * each element's field; here such a path is missing), and MongoDB's order between different types
 * in a sort (SQLite's is null < numbers < strings < dates; booleans, objects and arrays sort as null).
 */
import { UnsafeQueryError, type Filter, type Primitive, type Sort } from "./types";
import { isPrimitive } from "./sanitize";

export type SqlValue = null | number | string | Uint8Array;

/** What the compiler needs to know of a collection's table. */
export interface Shape {
	/** Column of each declared index field, by path. */
	columns: ReadonlyMap<string, string>;
	/** Column fields where some document held an array (or an array on the way): those need the element branch. */
	multikey: ReadonlySet<string>;
	/** Tables of the array elements of multikey fields, (v, t, rid) indexed on v: the multikey index. */
	elements: ReadonlyMap<string, string>;
}

const DATE_OFFSET = 2n ** 63n;

/** A date as an 8-byte big-endian blob that sorts by time and after every number and string. */
export function dateKey(date: Date): Uint8Array {
	const out = new Uint8Array(8);
	new DataView(out.buffer).setBigUint64(0, BigInt(date.getTime()) + DATE_OFFSET);
	return out;
}

export function dateOfKey(key: Uint8Array): Date {
	return new Date(Number(new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(0) - DATE_OFFSET));
}

/** A field's column value: numbers, strings and dates; NULL for anything else. */
export function columnValue(value: unknown): SqlValue {
	if (typeof value === "number") return Number.isFinite(value) ? value : null;
	if (typeof value === "string") return value;
	if (value instanceof Date) return dateKey(value);
	return null;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const columnName = (path: string): string => quoteIdent(`f:${path}`);

/** The JSON path literal of a dotted field. */
export function jsonPath(field: string): string {
	if (/["\\]/.test(field)) throw new UnsafeQueryError(`field "${field}": quotes and backslashes are not supported in field names`);
	const parts = field.split(".").map(p => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `."${p}"`));
	return `'$${parts.join("").replace(/'/g, "''")}'`;
}

/** How one source of values (the field, an array element, the field's column) is read in SQL. */
interface Source {
	value: string;
	type: string;
	date: string;
	/** Set for the column source: the field's own type, for what the column does not hold. */
	column?: boolean;
	/** Set for an array element: null matches a null element only, never a missing one. */
	element?: boolean;
}

const NUMBER = "IN ('integer','real')";
const RANGE_OPS = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" } as const;
type RangeOp = keyof typeof RANGE_OPS;

class Compiler {
	constructor(
		private readonly shape: Shape,
		readonly params: SqlValue[]
	) {}

	private bind(value: SqlValue): string {
		this.params.push(value);
		return "?";
	}

	filter(filter: Filter): string {
		const parts: string[] = [];
		for (const [key, value] of Object.entries(filter)) {
			if (value === undefined) continue;
			if (key === "$or") parts.push(`(${(value as Filter[]).map(f => this.filter(f)).join(" OR ")})`);
			else if (key === "$and") parts.push(...(value as Filter[]).map(f => `(${this.filter(f)})`));
			else parts.push(this.field(key, value));
		}
		return parts.length > 0 ? parts.join(" AND ") : "1";
	}

	private field(path: string, condition: unknown): string {
		const ops: Array<[string, unknown]> = isPrimitive(condition) ? [["$eq", condition]] : Object.entries(condition as Record<string, unknown>);
		if (path === "_id") return ops.map(([op, operand]) => this.idOp(op, operand)).join(" AND ");
		// A lower and an upper bound of one type close the range on a column by themselves; another term would widen the index scan.
		const kinds = (side: RangeOp[]) => new Set(ops.filter(([op, v]) => side.includes(op as RangeOp) && v !== null).map(([, v]) => (v instanceof Date ? "date" : typeof v)));
		const [lower, upper] = [kinds(["$gt", "$gte"]), kinds(["$lt", "$lte"])];
		const closed = lower.size === 1 && upper.size === 1 && [...lower][0] === [...upper][0] && !lower.has("boolean");
		return ops.map(([op, operand]) => this.op(path, op, operand, closed)).join(" AND ");
	}

	private op(path: string, op: string, operand: unknown, closed = false): string {
		const doc = docSource(path);
		switch (op) {
			case "$eq":
				return this.any(path, s => this.eq(s, operand as Primitive, doc));
			case "$in":
				return this.any(path, s => this.inList(s, operand as Primitive[], doc));
			case "$ne":
				return `NOT IFNULL(${this.op(path, "$eq", operand)}, 0)`;
			case "$nin":
				return `NOT IFNULL(${this.op(path, "$in", operand)}, 0)`;
			case "$exists": {
				// On a column: its non-NULL rows exist, so only the NULL rows need the document read (an index scan each way).
				const column = this.shape.columns.get(path);
				if (column) return operand ? `(${column} IS NOT NULL OR (${column} IS NULL AND ${doc.type} IS NOT NULL))` : `(${column} IS NULL AND ${doc.type} IS NULL)`;
				return operand ? `${doc.type} IS NOT NULL` : `${doc.type} IS NULL`;
			}
			default:
				return this.any(path, s => this.range(s, op as RangeOp, operand as Primitive, doc, closed));
		}
	}

	/** The condition on the field itself (its column when it has one) or, where it may hold an array, on any element. */
	private any(path: string, test: (source: Source) => string): string {
		const column = this.shape.columns.get(path);
		const direct = test(column ? { value: column, type: "", date: "", column: true } : docSource(path));
		if (column && !this.shape.multikey.has(path)) return `(${direct})`;
		const table = this.shape.elements.get(path);
		if (table) return `(${direct} OR rowid IN (SELECT rid FROM ${table} WHERE ${test({ value: "v", type: "t", date: `json_extract(v, '$."$date"')`, element: true })}))`;
		const elements = test({ value: "e.value", type: "e.type", date: `json_extract(e.value, '$."$date"')`, element: true });
		return `(${direct} OR (${docSource(path).type} = 'array' AND EXISTS (SELECT 1 FROM json_each(doc, ${jsonPath(path)}) e WHERE ${elements})))`;
	}

	private inList(s: Source, values: Primitive[], doc: Source): string {
		if (values.length === 0) return "0";
		const numbers = values.filter(v => typeof v === "number");
		const strings = values.filter(v => typeof v === "string");
		const parts: string[] = [];
		const list = (vs: SqlValue[]) => vs.map(v => this.bind(v)).join(", ");
		if (numbers.length) parts.push(s.column ? `${s.value} IN (${list(numbers)})` : `(${s.type} ${NUMBER} AND ${s.value} IN (${list(numbers)}))`);
		if (strings.length) parts.push(s.column ? `${s.value} IN (${list(strings)})` : `(${s.type} = 'text' AND ${s.value} IN (${list(strings)}))`);
		for (const v of values) if (typeof v !== "number" && typeof v !== "string") parts.push(this.eq(s, v, doc));
		return parts.length === 1 ? parts[0] : `(${parts.join(" OR ")})`;
	}

	private eq(s: Source, v: Primitive, doc: Source): string {
		if (s.column) {
			if (v === null) return `(${s.value} IS NULL AND (${doc.type} IS NULL OR ${doc.type} = 'null'))`;
			if (typeof v === "boolean") return `(${s.value} IS NULL AND ${doc.type} = '${v}')`;
			return `${s.value} = ${this.bind(columnValue(v))}`;
		}
		if (v === null) return s.element ? `${s.type} = 'null'` : `(${s.type} IS NULL OR ${s.type} = 'null')`;
		if (typeof v === "boolean") return `${s.type} = '${v}'`;
		if (typeof v === "number") return `(${s.type} ${NUMBER} AND ${s.value} = ${this.bind(v)})`;
		if (typeof v === "string") return `(${s.type} = 'text' AND ${s.value} = ${this.bind(v)})`;
		return `(${s.type} = 'object' AND ${s.date} = ${this.bind(v.getTime())})`;
	}

	private range(s: Source, op: RangeOp, v: Primitive, doc: Source, closed: boolean): string {
		const sql = RANGE_OPS[op];
		if (v === null) return op === "$gte" || op === "$lte" ? this.eq(s, null, doc) : "0";
		const lower = op === "$gt" || op === "$gte";
		if (typeof v === "boolean") {
			const type = s.column ? doc.type : s.type;
			const asNumber = `(CASE ${type} WHEN 'true' THEN 1 WHEN 'false' THEN 0 END)`;
			return s.column ? `(${s.value} IS NULL AND ${asNumber} ${sql} ${Number(v)})` : `${asNumber} ${sql} ${Number(v)}`;
		}
		if (s.column) {
			// Column values order as NULL < numbers < strings < dates: each range is closed to its own type.
			const cond = `${s.value} ${sql} ${this.bind(columnValue(v))}`;
			if (closed) return cond;
			if (typeof v === "number") return lower ? `(${cond} AND ${s.value} < '')` : cond;
			if (typeof v === "string") return lower ? `(${cond} AND ${s.value} < X'')` : `(${cond} AND ${s.value} >= '')`;
			return lower ? cond : `(${cond} AND ${s.value} >= X'')`;
		}
		if (typeof v === "number") return `(${s.type} ${NUMBER} AND ${s.value} ${sql} ${this.bind(v)})`;
		if (typeof v === "string") return `(${s.type} = 'text' AND ${s.value} ${sql} ${this.bind(v)})`;
		return `(${s.type} = 'object' AND ${s.date} ${sql} ${this.bind(v.getTime())})`;
	}

	/** `_id` is its own column and always a string. */
	private idOp(op: string, operand: unknown): string {
		switch (op) {
			case "$eq":
				return typeof operand === "string" ? `_id = ${this.bind(operand)}` : "0";
			case "$ne":
				return typeof operand === "string" ? `_id <> ${this.bind(operand)}` : "1";
			case "$in":
			case "$nin": {
				const ids = (operand as Primitive[]).filter((v): v is string => typeof v === "string");
				const inList = ids.length ? `_id IN (${ids.map(id => this.bind(id)).join(", ")})` : "0";
				return op === "$in" ? inList : `NOT ${inList}`;
			}
			case "$exists":
				return operand ? "1" : "0";
			default:
				return typeof operand === "string" ? `_id ${RANGE_OPS[op as RangeOp]} ${this.bind(operand)}` : "0";
		}
	}
}

function docSource(path: string): Source {
	const p = jsonPath(path);
	return { value: `json_extract(doc, ${p})`, type: `json_type(doc, ${p})`, date: `json_extract(doc, ${p.slice(0, -1)}."$date"')` };
}

/** The WHERE clause of `filter` (checked by assertSafeFilter), with its parameters appended to `params`. */
export function whereSql(filter: Filter, shape: Shape, params: SqlValue[]): string {
	return new Compiler(shape, params).filter(filter);
}

/** The ORDER BY clause of a sort, or "" for none. */
export function orderSql(sort: Sort | undefined, shape: Shape): string {
	if (!sort || Object.keys(sort).length === 0) return "";
	const keys = Object.entries(sort).map(([field, dir]) => {
		const expr = field === "_id" ? "_id" : (shape.columns.get(field) ?? `json_extract(doc, ${jsonPath(field)})`);
		return `${expr} ${dir === -1 ? "DESC" : "ASC"}`;
	});
	return ` ORDER BY ${keys.join(", ")}`;
}
