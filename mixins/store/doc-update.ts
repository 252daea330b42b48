/**
 * MongoDB's update operators applied to a document in JS, for the embedded store: the store runs
 * them inside its UPDATE statement (as an SQL function), so a find-and-modify stays one statement.
 * Updates reaching here passed assertSafeUpdate.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { assertFieldName, equalityFields, isEach, isPlainObject, plainCopy } from "./sanitize";
import type { Filter, Update } from "./types";

type Raw = Record<string, unknown>;

export function getPath(doc: unknown, field: string): unknown {
	let node: unknown = doc;
	for (const part of field.split(".")) {
		if (!isPlainObject(node)) return undefined;
		node = node[part];
	}
	return node;
}

export function setPath(doc: Raw, field: string, value: unknown): void {
	assertFieldName(field);
	const parts = field.split(".");
	let node = doc;
	for (const part of parts.slice(0, -1)) {
		if (!isPlainObject(node[part])) node[part] = {};
		node = node[part] as Raw;
	}
	node[parts[parts.length - 1]] = plainCopy(value);
}

export function deletePath(doc: Raw, field: string): void {
	const parts = field.split(".");
	const container = parts.length === 1 ? doc : getPath(doc, parts.slice(0, -1).join("."));
	if (isPlainObject(container)) delete container[parts[parts.length - 1]];
}

function entries<V>(fields: Record<string, V> | undefined): Array<[string, V]> {
	return fields ? Object.entries(fields).filter(([, v]) => v !== undefined) : [];
}

function addToSet(list: unknown[], items: unknown[]): void {
	for (const item of items) if (!list.some(have => isDeepStrictEqual(have, item))) list.push(plainCopy(item));
}

/** An array at `field` to append to; MongoDB refuses to push onto a value that is not an array. */
function arrayAt(doc: Raw, field: string, op: string): unknown[] {
	const current = getPath(doc, field);
	if (current === undefined) {
		setPath(doc, field, []);
		return getPath(doc, field) as unknown[];
	}
	if (!Array.isArray(current)) throw new Error(`${op} on "${field}", which is not an array`);
	return current;
}

/** Applies `update` to `doc` in place; `inserting` also applies $setOnInsert. */
export function applyUpdate(doc: Raw, update: Update, inserting = false): Raw {
	if (inserting) for (const [field, value] of entries(update.$setOnInsert)) setPath(doc, field, value);
	for (const [field, value] of entries(update.$set)) setPath(doc, field, value);
	for (const [field, by] of entries(update.$inc)) {
		const current = getPath(doc, field);
		if (current !== undefined && typeof current !== "number") throw new Error(`$inc on "${field}", which is not a number`);
		setPath(doc, field, (current ?? 0) + by);
	}
	for (const [field] of entries(update.$unset)) deletePath(doc, field);
	for (const [field, value] of entries(update.$addToSet)) addToSet(arrayAt(doc, field, "$addToSet"), isEach(value) ? value.$each : [value]);
	for (const [field, value] of entries(update.$push)) arrayAt(doc, field, "$push").push(...(isEach(value) ? value.$each : [value]).map(v => plainCopy(v)));
	for (const [field, value] of entries(update.$pull)) {
		const current = getPath(doc, field);
		if (Array.isArray(current)) setPath(doc, field, current.filter(item => !isDeepStrictEqual(item, value)));
	}
	return doc;
}

/** What MongoDB inserts for an upsert that matched nothing: the filter's pinned fields, then the update. */
export function buildUpsertDoc(filter: Filter, update: Update): Raw {
	const doc: Raw = {};
	for (const [field, value] of Object.entries(equalityFields(filter))) setPath(doc, field, value);
	applyUpdate(doc, update, true);
	if (doc._id === undefined) doc._id = randomUUID();
	return doc;
}

/** Whether an update changes anything on an existing document ($setOnInsert alone does not). */
export function changesExisting(update: Update): boolean {
	return Object.entries(update).some(([op, fields]) => op !== "$setOnInsert" && isPlainObject(fields) && entries(fields).length > 0);
}
