/**
 * The embedded store: one NeDB datastore per collection, in a file under DATA_DIR or in memory.
 * NeDB has no `$setOnInsert`, no find-and-modify and a few matching rules that differ from MongoDB's;
 * this adapter closes those gaps so services see the same behaviour on both stores.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import Datastore from "@seald-io/nedb";
import { useFastDatafile } from "./datafile";
import {
	assertFieldMap,
	assertBatchSize,
	assertFieldName,
	assertSafeFilter,
	assertSafeUpdate,
	assertSafeValue,
	equalityFields,
	isEach,
	isPlainObject,
	isPrimitive,
	plainCopy
} from "./sanitize";
import {
	DuplicateKeyError,
	UnsafeQueryError,
	type Collection,
	type CollectionSpec,
	type Doc,
	type Filter,
	type FindOptions,
	type Sort,
	type StoreAdapter,
	type Update
} from "./types";

type Raw = Record<string, unknown>;
type Db = Datastore<Raw>;

/**
 * One write the embedded store applied: the document as stored after it, or null when it was
 * removed. Stored documents are the store's own objects: NeDB replaces one on every write and never
 * changes it, so a follower may keep it until it hears of the next write, but must never change it.
 */
export interface StoreChange<T extends Doc = Doc> {
	id: string;
	doc: T | null;
}

export type ChangeListener<T extends Doc = Doc> = (change: StoreChange<T>) => void;

export interface Following<T extends Doc = Doc> {
	/** Every document stored when following began (the store's own objects, as in StoreChange). */
	docs: readonly T[];
	stop(): void;
}

/**
 * Embedded store only: the collection's documents now, and then every write to it, in the order
 * the writes happen, for an index a service keeps in memory beside the store. The embedded store
 * lives in one process, so such an index sees every write. Undefined for a MongoDB collection,
 * which other processes write to as well.
 */
export function followCollection<T extends Doc>(coll: Collection<T>, listener: ChangeListener<T>): Following<T> | undefined {
	return coll instanceof EmbeddedCollection ? (coll as EmbeddedCollection<T>).follow(listener) : undefined;
}

/**
 * A copy of a stored document for a caller to own and change. Stored documents hold only JSON
 * values and dates, so a spread per object does: about twice as fast as NeDB's deepCopy and four
 * times plainCopy, which matters for followers that answer queries from stored documents.
 */
export function copyStored<T>(value: T): T {
	if (typeof value !== "object" || value === null) return value;
	if (value instanceof Date) return new Date(value.getTime()) as T;
	if (Array.isArray(value)) return value.map(item => copyStored<unknown>(item)) as T;
	const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
	for (const key in out) {
		const inner = out[key];
		if (typeof inner === "object" && inner !== null) out[key] = copyStored(inner);
	}
	return out as T;
}

export interface EmbeddedOptions {
	/** Folder of the `<collection>.db` files; ignored in memory. */
	dataDir: string;
	inMemory: boolean;
	/** How often the append-only files are rewritten; default 10 minutes. */
	compactEveryMs?: number;
}

export class EmbeddedAdapter implements StoreAdapter {
	readonly kind = "embedded" as const;
	private readonly stores = new Map<string, Promise<EmbeddedCollection<Doc>>>();
	private compactTimer: NodeJS.Timeout | undefined;

	constructor(private readonly options: EmbeddedOptions) {}

	async connect(): Promise<void> {
		if (!this.options.inMemory) {
			fs.mkdirSync(this.options.dataDir, { recursive: true });
			// Our own unref'd timer rather than NeDB's setAutocompactionInterval, whose timer keeps the process alive.
			this.compactTimer = setInterval(() => void this.compactAll(), this.options.compactEveryMs ?? 600_000);
			this.compactTimer.unref();
		}
	}

	collection<T extends Doc = Doc>(name: string, spec: CollectionSpec = {}): Promise<Collection<T>> {
		let store = this.stores.get(name);
		if (!store) {
			store = this.open(name);
			this.stores.set(name, store);
			store.catch(() => this.stores.delete(name));
		}
		return store.then(async coll => {
			await coll.ensureIndexes(spec);
			return coll as unknown as Collection<T>;
		});
	}

	async ping(): Promise<void> {
		// In-process there is no server to lose; what can go away is the folder the files are written to.
		if (!this.options.inMemory) await fs.promises.access(this.options.dataDir, fs.constants.W_OK);
	}

	async close(): Promise<void> {
		if (this.compactTimer) clearInterval(this.compactTimer);
		this.compactTimer = undefined;
		await this.compactAll();
		this.stores.clear();
	}

	private async open(name: string): Promise<EmbeddedCollection<Doc>> {
		const filename = path.join(this.options.dataDir, `${name}.db`);
		const db: Db = this.options.inMemory ? new Datastore<Raw>({ inMemoryOnly: true }) : new Datastore<Raw>({ filename });
		if (!this.options.inMemory) useFastDatafile(db, filename);
		await db.loadDatabaseAsync();
		return new EmbeddedCollection<Doc>(name, db);
	}

	private async compactAll(): Promise<void> {
		if (this.options.inMemory) return;
		const settled = await Promise.allSettled(this.stores.values());
		await Promise.allSettled(
			settled.map(s => (s.status === "fulfilled" ? s.value.compact() : undefined))
		);
	}
}

/** Serialises the read-modify-write steps NeDB cannot do atomically, per collection. */
class Mutex {
	private tail: Promise<unknown> = Promise.resolve();

	run<T>(fn: () => Promise<T>): Promise<T> {
		const result = this.tail.then(fn);
		this.tail = result.catch(() => undefined);
		return result;
	}
}

class EmbeddedCollection<T extends Doc> implements Collection<T> {
	private readonly lock = new Mutex();
	private readonly listeners = new Set<ChangeListener<T>>();
	/** Written since the datafile was last rewritten (NeDB rewrites it when it loads). */
	private dirty = false;

	constructor(
		readonly name: string,
		private readonly db: Db
	) {}

	async ensureIndexes(spec: CollectionSpec): Promise<void> {
		for (const index of spec.indexes ?? []) {
			assertFieldMap(index.fields, [1, -1], `${this.name} index`);
			const fields = Object.keys(index.fields);
			await this.db.ensureIndexAsync({
				fieldName: fields.length === 1 ? fields[0] : fields,
				unique: index.unique ?? false,
				sparse: index.sparse ?? false
			});
		}
	}

	/** Rewrites the append-only datafile; skipped when nothing was written, since rewriting 1M unchanged documents takes seconds. */
	async compact(): Promise<void> {
		if (!this.dirty) return;
		this.dirty = false;
		try {
			await this.db.compactDatafileAsync();
		} catch (err) {
			this.dirty = true;
			throw err;
		}
	}

	follow(listener: ChangeListener<T>): Following<T> {
		// Synchronous from the snapshot to the subscription, so no write falls between them.
		const docs = this.db.getAllData() as unknown as T[];
		this.listeners.add(listener);
		return { docs, stop: () => this.listeners.delete(listener) };
	}

	async insert(doc: Omit<T, "_id"> & { _id?: string }): Promise<T> {
		const prepared = prepareDoc(doc);
		return this.lock.run(() => this.write(async () => this.saved((await this.db.insertAsync(prepared)) as unknown as T)));
	}

	async insertMany(docs: Array<Omit<T, "_id"> & { _id?: string }>): Promise<T[]> {
		const prepared = docs.map(prepareDoc);
		if (prepared.length === 0) return [];
		// NeDB inserts an array all-or-nothing, so a duplicate leaves the collection unchanged.
		return this.lock.run(() => this.write(async () => this.saved((await this.db.insertAsync(prepared)) as unknown as T[])));
	}

	async upsert(filter: Filter, update: Update): Promise<T> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		return this.lock.run(async () => {
			const existing = await this.first(filter);
			if (existing) return (await this.modify(existing._id, update)) ?? existing;
			const inserted = buildUpsertDoc(filter, update);
			return this.write(async () => this.saved((await this.db.insertAsync(inserted)) as unknown as T));
		});
	}

	async findOne(filter: Filter, options: Pick<FindOptions, "sort" | "projection"> = {}): Promise<T | null> {
		const [doc] = await this.find(filter, { ...options, limit: 1 });
		return doc ?? null;
	}

	async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
		assertSafeFilter(filter);
		assertFieldMap(options.sort, [1, -1], "sort");
		assertFieldMap(options.projection, [0, 1], "projection");
		let cursor = this.db.findAsync(toNedbFilter(filter));
		if (options.sort) cursor = cursor.sort(options.sort);
		if (options.skip) cursor = cursor.skip(options.skip);
		if (options.limit) cursor = cursor.limit(options.limit);
		if (options.projection) cursor = cursor.projection(options.projection);
		return (await cursor) as unknown as T[];
	}

	async count(filter: Filter = {}): Promise<number> {
		assertSafeFilter(filter);
		return Number(await this.db.countAsync(toNedbFilter(filter)));
	}

	async update(filter: Filter, update: Update, options: { multi?: boolean } = {}): Promise<number> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		const multi = options.multi ?? false;
		const query = toNedbFilter(filter);
		const modifier = toNedbUpdate(update);
		return this.lock.run(async () => {
			if (!modifier) return Math.min(Number(await this.db.countAsync(query)), multi ? Infinity : 1);
			const following = this.listeners.size > 0;
			return this.write(async () => {
				const result = await this.db.updateAsync(query, modifier, { multi, returnUpdatedDocs: following });
				if (following && result.affectedDocuments) this.saved(result.affectedDocuments as unknown as T | T[]);
				return result.numAffected;
			});
		});
	}

	async findOneAndUpdate(filter: Filter, update: Update, options: { sort?: Sort } = {}): Promise<T | null> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		assertFieldMap(options.sort, [1, -1], "sort");
		return this.lock.run(async () => {
			const existing = await this.first(filter, options.sort);
			if (!existing) return null;
			return (await this.modify(existing._id, update)) ?? existing;
		});
	}

	async delete(filter: Filter, options: { multi?: boolean } = {}): Promise<number> {
		assertSafeFilter(filter);
		const query = toNedbFilter(filter);
		const multi = options.multi ?? false;
		return this.lock.run(async () => {
			this.dirty = true;
			if (this.listeners.size === 0) return this.db.removeAsync(query, { multi });
			// Followers are told which documents went: find them first (NeDB's remove would pick the same first match).
			const found = this.db.findAsync(query);
			const gone = (await (multi ? found : found.limit(1))) as unknown as T[];
			if (gone.length === 0) return 0;
			const removed = await this.db.removeAsync({ _id: { $in: gone.map(d => d._id) } }, { multi: true });
			for (const doc of gone) this.notify({ id: doc._id, doc: null });
			return removed;
		});
	}

	async claim(filter: Filter, sort: Sort, update: Update): Promise<T | null> {
		return this.findOneAndUpdate(filter, update, { sort });
	}

	async claimMany(filter: Filter, sort: Sort, update: Update, max: number): Promise<T[]> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		assertFieldMap(sort, [1, -1], "sort");
		assertBatchSize(max);
		if (max === 0) return [];
		return this.lock.run(async () => {
			const picked = (await this.db.findAsync(toNedbFilter(filter)).sort(sort).limit(max)) as unknown as T[];
			const out: T[] = [];
			for (const doc of picked) out.push((await this.modify(doc._id, update)) ?? doc);
			return out;
		});
	}

	private async first(filter: Filter, sort?: Sort): Promise<T | null> {
		let cursor = this.db.findAsync(toNedbFilter(filter));
		if (sort) cursor = cursor.sort(sort);
		const [doc] = (await cursor.limit(1)) as unknown as T[];
		return doc ?? null;
	}

	/** Applies an update to one document by id; null when the update has nothing left after `$setOnInsert`. */
	private async modify(id: string, update: Update): Promise<T | null> {
		const modifier = toNedbUpdate(update);
		if (!modifier) return null;
		return this.write(async () => {
			const result = await this.db.updateAsync({ _id: id }, modifier, { returnUpdatedDocs: true });
			return this.saved(result.affectedDocuments as unknown as T);
		});
	}

	/** Tells the followers about documents just written, inside the lock so they hear writes in order. */
	private saved<D extends T | T[]>(docs: D): D {
		if (this.listeners.size === 0) return docs;
		for (const doc of Array.isArray(docs) ? docs : [docs]) if (doc) this.notify({ id: doc._id, doc: this.stored(doc._id) ?? doc });
		return docs;
	}

	/**
	 * The stored object itself rather than the copy NeDB hands back, so a follower that keeps
	 * documents does not hold a second copy of each. NeDB keeps them in its `_id` index (not in its typings).
	 */
	private stored(id: string): T | undefined {
		const byId = (this.db as unknown as { indexes?: { _id?: { getMatching(id: string): T[] } } }).indexes?._id;
		return byId?.getMatching(id)[0];
	}

	private notify(change: StoreChange<T>): void {
		for (const listener of this.listeners) {
			try {
				listener(change);
			} catch (err) {
				// The write has happened; a failing follower must not turn it into an error for the caller.
				process.emitWarning(`A follower of ${this.name} failed: ${(err as Error).message}`);
			}
		}
	}

	private async write<R>(fn: () => Promise<R>): Promise<R> {
		this.dirty = true;
		try {
			return await fn();
		} catch (err) {
			if (isNedbError(err) && err.errorType === "uniqueViolated") {
				throw new DuplicateKeyError(this.name, `key ${JSON.stringify(err.key)}`);
			}
			throw err;
		}
	}
}

function isNedbError(err: unknown): err is Error & { errorType?: unknown; key?: unknown } {
	return err instanceof Error;
}

function prepareDoc(doc: object): Raw {
	assertSafeValue(doc, "document");
	const copy = plainCopy(doc as Raw);
	if (copy._id === undefined) copy._id = randomUUID();
	if (typeof copy._id !== "string") throw new UnsafeQueryError("document: _id must be a string");
	return copy;
}

/** The update NeDB applies to an existing document: `$setOnInsert` dropped, undefined values dropped. */
function toNedbUpdate(update: Update): Raw | null {
	const out: Raw = {};
	for (const [op, fields] of Object.entries(update)) {
		if (op === "$setOnInsert" || !isPlainObject(fields)) continue;
		const cleaned = plainCopy(fields);
		if (Object.keys(cleaned).length > 0) out[op] = cleaned;
	}
	// NeDB reads an update without operators as a replacement document: never hand it an empty one.
	return Object.keys(out).length > 0 ? out : null;
}

/** What MongoDB inserts for an upsert that matched nothing: the filter's pinned fields, then the update. */
function buildUpsertDoc(filter: Filter, update: Update): Raw {
	const doc: Raw = {};
	for (const [field, value] of Object.entries(equalityFields(filter))) setPath(doc, field, value);
	for (const [field, value] of entries(update.$setOnInsert)) setPath(doc, field, value);
	for (const [field, value] of entries(update.$set)) setPath(doc, field, value);
	for (const [field, by] of entries(update.$inc)) {
		const current = getPath(doc, field);
		setPath(doc, field, (typeof current === "number" ? current : 0) + by);
	}
	for (const [field, value] of entries(update.$addToSet)) {
		const list: unknown[] = [];
		for (const item of isEach(value) ? value.$each : [value]) {
			if (!list.some(have => isDeepStrictEqual(have, item))) list.push(item);
		}
		setPath(doc, field, list);
	}
	for (const [field, value] of entries(update.$push)) setPath(doc, field, isEach(value) ? [...value.$each] : [value]);
	for (const [field] of entries(update.$unset)) deletePath(doc, field);
	if (doc._id === undefined) doc._id = randomUUID();
	return prepareDoc(doc);
}

function entries<V>(fields: Record<string, V> | undefined): Array<[string, V]> {
	return fields ? Object.entries(fields).filter(([, v]) => v !== undefined) : [];
}

function getPath(doc: Raw, field: string): unknown {
	let node: unknown = doc;
	for (const part of field.split(".")) {
		if (!isPlainObject(node)) return undefined;
		node = node[part];
	}
	return node;
}

function setPath(doc: Raw, field: string, value: unknown): void {
	assertFieldName(field);
	const parts = field.split(".");
	let node = doc;
	for (const part of parts.slice(0, -1)) {
		const next = node[part];
		if (!isPlainObject(next)) node[part] = {};
		node = node[part] as Raw;
	}
	node[parts[parts.length - 1]] = plainCopy(value);
}

function deletePath(doc: Raw, field: string): void {
	const parts = field.split(".");
	const parent = getPath(doc, parts.slice(0, -1).join("."));
	const container = parts.length === 1 ? doc : parent;
	if (isPlainObject(container)) delete container[parts[parts.length - 1]];
}

/*
 * Filter translation. NeDB knows no `$eq`; it never matches a missing field against null; and its
 * `$ne`/`$nin` pass an array when any element differs, where MongoDB requires every element to.
 * Rewriting those cases with `$not` and `$exists` gives MongoDB's answers. Plain equalities and
 * ranges stay at the top level so NeDB can still use its indexes.
 */
type Clause = Record<string, unknown>;

export function toNedbFilter(filter: Filter): Raw {
	const clauses: Clause[] = [];
	for (const [key, value] of Object.entries(filter)) {
		if (value === undefined) continue;
		if (key === "$or") clauses.push({ $or: (value as Filter[]).map(toNedbFilter) });
		else if (key === "$and") clauses.push(...(value as Filter[]).map(toNedbFilter));
		else clauses.push(...fieldClauses(key, value));
	}
	const out: Raw = {};
	const rest: Clause[] = [];
	for (const clause of clauses) {
		const keys = Object.keys(clause);
		if (keys.length === 1 && !(keys[0] in out)) out[keys[0]] = clause[keys[0]];
		else if (keys.length > 0) rest.push(clause);
	}
	if (rest.length > 0) out.$and = rest;
	return out;
}

function fieldClauses(field: string, condition: unknown): Clause[] {
	if (isPrimitive(condition)) return [equals(field, condition)];
	const ops = condition as Record<string, unknown>;
	const native: Raw = {};
	const clauses: Clause[] = [];
	for (const [op, operand] of Object.entries(ops)) {
		switch (op) {
			case "$eq":
				clauses.push(equals(field, operand));
				break;
			case "$ne":
				clauses.push({ $not: equals(field, operand) });
				break;
			case "$in":
				clauses.push(inList(field, operand as unknown[]));
				break;
			case "$nin":
				clauses.push({ $not: inList(field, operand as unknown[]) });
				break;
			default:
				native[op] = operand;
		}
	}
	if (Object.keys(native).length > 0) clauses.unshift({ [field]: native });
	return clauses;
}

function equals(field: string, value: unknown): Clause {
	return value === null ? { $or: [{ [field]: null }, { [field]: { $exists: false } }] } : { [field]: value };
}

function inList(field: string, values: unknown[]): Clause {
	const clause = { [field]: { $in: values } };
	return values.includes(null) ? { $or: [clause, { [field]: { $exists: false } }] } : clause;
}
