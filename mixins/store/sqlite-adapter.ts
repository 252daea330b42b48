/**
 * The embedded store: SQLite through Node's built-in node:sqlite, one database file
 * (`store.sqlite` under DATA_DIR, or in memory). A collection is a table of JSON documents; each
 * declared index field gets a column of its own and the index is built on those columns
 * (sqlite-query.ts says how queries use them). WAL mode: a write has reached the file when its
 * call returns, so a crash of the process (even SIGKILL) loses no finished write.
 *
 * node:sqlite is synchronous, so each call runs to its end before any other JS runs: a
 * read-modify-write cannot interleave with another. Updates go further and run as one statement
 * (`UPDATE … WHERE rowid = (SELECT … ORDER BY … LIMIT 1) RETURNING doc`, the update itself applied
 * by an SQL function), which keeps a claim atomic even against another process on the same file.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { applyUpdate, buildUpsertDoc, changesExisting, deletePath, getPath, setPath } from "./doc-update";
import { readNedbDatafile, type NedbEntry } from "./nedb-import";
import { assertFieldMap, assertSafeFilter, assertSafeUpdate, claimDistinct, isPlainObject, plainCopy, prepareDoc } from "./sanitize";
import { columnName, columnValue, dateOfKey, jsonPath, orderSql, quoteIdent, whereSql, type SqlValue } from "./sqlite-query";
import {
	DuplicateKeyError,
	UnsafeQueryError,
	type Collection,
	type CollectionSpec,
	type Doc,
	type Filter,
	type FindOptions,
	type IndexSpec,
	type Projection,
	type Sort,
	type StoreAdapter,
	type Update
} from "./types";

type Raw = Record<string, unknown>;

export interface EmbeddedOptions {
	/** Folder of `store.sqlite`; ignored in memory. */
	dataDir: string;
	inMemory: boolean;
	/** Told about one-off work: importing NeDB datafiles found under dataDir. */
	log?: (message: string) => void;
	/**
	 * For building a file from scratch (benchmarks) only: no journal and no syncs, so a crash
	 * leaves a broken file. A node never opens the store so.
	 */
	unjournaled?: boolean;
}

export const STORE_FILE = "store.sqlite";
const PRIVATE = 0o600;
const META = quoteIdent("$store");
const IMPORT_CHUNK = 50_000;

function hasDate(value: unknown): boolean {
	if (value instanceof Date) return true;
	if (typeof value !== "object" || value === null) return false;
	for (const inner of Array.isArray(value) ? value : Object.values(value)) if (typeof inner === "object" && inner !== null && hasDate(inner)) return true;
	return false;
}

/** Documents as JSON, dates as {"$date": ms} (a key no stored document can have: keys with "$" are refused). */
export function encodeDoc(doc: object): string {
	// A replacer makes JSON.stringify several times slower: only documents holding a date need one.
	if (!hasDate(doc)) return JSON.stringify(doc);
	return JSON.stringify(doc, function (this: Raw, key: string, value: unknown) {
		const raw = this[key];
		return raw instanceof Date ? { $date: raw.getTime() } : value;
	});
}

export function decodeDoc<T>(text: string): T {
	if (!text.includes('"$date"')) return JSON.parse(text) as T;
	return JSON.parse(text, (_key, value: unknown) =>
		isPlainObject(value) && typeof value.$date === "number" && Object.keys(value).length === 1 ? new Date(value.$date) : value
	) as T;
}

/** SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY. (Not `instanceof Error`: node:sqlite's errors may come from another realm, as under jest.) */
function isUniqueViolation(err: unknown): err is { message: string } {
	const code = typeof err === "object" && err !== null ? (err as { errcode?: unknown }).errcode : undefined;
	return code === 2067 || code === 1555;
}

export class EmbeddedAdapter implements StoreAdapter {
	readonly kind = "embedded" as const;
	private db: DatabaseSync | undefined;
	private readonly statements = new Map<string, StatementSync>();
	private readonly collections = new Map<string, SqliteCollection<Doc>>();
	private depth = 0;
	/** The last update applied by store_update, so one row's document and columns cost one parse. */
	private memo: { doc: string; update: string; out: SqlValue[] } | undefined;
	private readonly updates = new Map<string, { update: Update; columns: string[]; onRow: (doc: Raw) => void }>();

	constructor(private readonly options: EmbeddedOptions) {}

	get file(): string {
		return path.join(this.options.dataDir, STORE_FILE);
	}

	async connect(): Promise<void> {
		if (this.db) return;
		if (this.options.inMemory) {
			this.db = new DatabaseSync(":memory:");
		} else {
			fs.mkdirSync(this.options.dataDir, { recursive: true });
			// Created private before SQLite opens it; SQLite gives -wal and -shm the same mode.
			fs.closeSync(fs.openSync(this.file, "a", PRIVATE));
			this.db = new DatabaseSync(this.file);
			this.db.exec(
				this.options.unjournaled
					? "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
					: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;"
			);
			for (const suffix of ["", "-wal", "-shm"]) {
				if (fs.existsSync(this.file + suffix)) fs.chmodSync(this.file + suffix, PRIVATE);
			}
		}
		this.db.exec(`PRAGMA cache_size = -32000; CREATE TABLE IF NOT EXISTS ${META} (k TEXT PRIMARY KEY, v TEXT NOT NULL)`);
		this.db.function("store_update", { deterministic: true }, (doc, key, k) => this.applyStored(String(doc), String(key), Number(k)));
	}

	async collection<T extends Doc = Doc>(name: string, spec: CollectionSpec = {}): Promise<Collection<T>> {
		let coll = this.collections.get(name);
		if (!coll) {
			coll = new SqliteCollection<Doc>(this, name);
			this.collections.set(name, coll);
		}
		coll.ensureIndexes(spec.indexes ?? []);
		if (!this.options.inMemory) this.importNedb(coll);
		return coll as unknown as Collection<T>;
	}

	async ping(): Promise<void> {
		// In-process there is no server to lose; what can go away is the folder the file lives in.
		if (!this.options.inMemory) await fs.promises.access(this.options.dataDir, fs.constants.W_OK);
		this.prepare("SELECT 1").get();
	}

	async close(): Promise<void> {
		this.statements.clear();
		this.collections.clear();
		this.db?.close();
		this.db = undefined;
	}

	/** @internal */
	prepare(sql: string): StatementSync {
		let stmt = this.statements.get(sql);
		if (!stmt) {
			if (!this.db) throw new Error("The embedded store is closed");
			if (this.statements.size >= 2000) this.statements.clear();
			stmt = this.db.prepare(sql);
			this.statements.set(sql, stmt);
		}
		return stmt;
	}

	/** @internal */
	exec(sql: string): void {
		if (!this.db) throw new Error("The embedded store is closed");
		this.db.exec(sql);
	}

	/** @internal Runs `fn` in one transaction (nested calls join the outer one). */
	transaction<R>(fn: () => R): R {
		if (this.depth > 0) return fn();
		const db = this.db;
		if (!db) throw new Error("The embedded store is closed");
		db.exec("BEGIN IMMEDIATE");
		this.depth++;
		try {
			const out = fn();
			db.exec("COMMIT");
			return out;
		} catch (err) {
			db.exec("ROLLBACK");
			throw err;
		} finally {
			this.depth--;
		}
	}

	/** @internal A key naming `update` for store_update while one statement runs (bound as ?1). */
	registerUpdate(update: Update, columns: string[], onRow: (doc: Raw) => void): string {
		const key = randomUUID();
		this.updates.set(key, { update, columns, onRow });
		return key;
	}

	/** @internal */
	releaseUpdate(key: string): void {
		this.updates.delete(key);
		this.memo = undefined;
	}

	/** store_update(doc, key, k): the updated document's JSON for k = -1, else the value of its k-th column. */
	private applyStored(doc: string, key: string, k: number): SqlValue {
		const memo = this.memo;
		if (memo && memo.doc === doc && memo.update === key) return memo.out[k + 1];
		const entry = this.updates.get(key);
		if (!entry) throw new Error("store_update called outside an update");
		const current = decodeDoc<Raw>(doc);
		const id = current._id;
		const updated = applyUpdate(current, entry.update);
		// MongoDB never changes an _id.
		updated._id = id;
		entry.onRow(updated);
		const out: SqlValue[] = [encodeDoc(updated), ...entry.columns.map(c => columnValue(getPath(updated, c)))];
		this.memo = { doc, update: key, out };
		return out[k + 1];
	}

	/** @internal */
	meta(key: string): string | undefined {
		const row = this.prepare(`SELECT v FROM ${META} WHERE k = ?`).get(key) as { v: string } | undefined;
		return row?.v;
	}

	/** @internal */
	setMeta(key: string, value: string): void {
		this.prepare(`INSERT INTO ${META} (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`).run(key, value);
	}

	/**
	 * A NeDB datafile `<collection>.db` left under DATA_DIR by an older version is imported once
	 * (recorded in the store, so it is not imported again) and kept where it is.
	 */
	private importNedb(coll: SqliteCollection<Doc>): void {
		const file = path.join(this.options.dataDir, `${coll.name}.db`);
		const key = `nedb-import:${coll.name}`;
		if (!fs.existsSync(file) || this.meta(key) !== undefined) return;
		const started = Date.now();
		const stats = { lines: 0, unreadable: 0 };
		const imported = coll.importDocs(readNedbDatafile(file, stats));
		const docs = imported.docs;
		const skipped = imported.skipped + stats.unreadable;
		this.setMeta(key, JSON.stringify({ file, docs, skipped, at: new Date().toISOString() }));
		this.options.log?.(
			`Imported ${docs} documents of ${coll.name} from the NeDB datafile ${file} in ${Date.now() - started} ms` +
				`${skipped ? ` (${skipped} unreadable lines skipped)` : ""}; the file is kept and will not be imported again`
		);
	}
}

export interface BulkOptions {
	/** Runs SQL on the table (its quoted name given, each statement its own transaction) after the documents are in and before the indexes are built: for benchmarks. */
	beforeIndexes?: (exec: (sql: string) => void, table: string) => void;
}

interface IndexDef {
	name: string;
	sql: string;
}

export class SqliteCollection<T extends Doc> implements Collection<T> {
	private readonly table: string;
	private readonly shape: { columns: Map<string, string>; multikey: Set<string>; elements: Map<string, string> } = {
		columns: new Map(),
		multikey: new Set(),
		elements: new Map()
	};
	/** Fields found to hold arrays during a statement, whose element tables are made after it. */
	private readonly pending = new Set<string>();
	/** Column paths in table order. */
	private paths: string[] = [];
	private indexes: IndexDef[] = [];
	/** Set during a bulk load: element tables are filled at its end. */
	private bulk = false;

	constructor(
		private readonly store: EmbeddedAdapter,
		readonly name: string
	) {
		this.table = quoteIdent(name);
		store.prepare(`CREATE TABLE IF NOT EXISTS ${this.table} (_id TEXT NOT NULL PRIMARY KEY, doc TEXT NOT NULL)`).run();
		const info = store.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as Array<{ name: string }>;
		for (const { name: col } of info) if (col.startsWith("f:")) this.addPath(col.slice(2));
		for (const p of this.paths) {
			if (store.meta(`multikey:${name}:${p}`) === undefined) continue;
			this.shape.multikey.add(p);
			this.ensureElements(p, false);
		}
	}

	/**
	 * The multikey index of a field that holds arrays: a table of its elements kept by triggers on
	 * every insert, update and delete, filled from the stored documents when first made.
	 */
	private ensureElements(p: string, fill: boolean): void {
		const { table, indexes, triggers } = this.elementsOf(p);
		const json = jsonPath(p);
		const rows = (row: string) => `SELECT e.value, e.type, ${row}.rowid FROM json_each(${row}.doc, ${json}) e WHERE json_type(${row}.doc, ${json}) = 'array'`;
		this.store.exec(`CREATE TABLE IF NOT EXISTS ${table} (v, t TEXT, rid INTEGER NOT NULL)`);
		if (fill) {
			const all = `SELECT e.value, e.type, d.rowid FROM ${this.table} d, json_each(d.doc, ${json}) e WHERE json_type(d.doc, ${json}) = 'array'`;
			this.store.exec(`DELETE FROM ${table}; INSERT INTO ${table} (v, t, rid) ${all};`);
		}
		this.store.exec(`
			CREATE INDEX IF NOT EXISTS ${indexes[0]} ON ${table} (v, rid);
			CREATE INDEX IF NOT EXISTS ${indexes[1]} ON ${table} (rid);
			CREATE TRIGGER IF NOT EXISTS ${triggers[0]} AFTER INSERT ON ${this.table} BEGIN INSERT INTO ${table} (v, t, rid) ${rows("NEW")}; END;
			CREATE TRIGGER IF NOT EXISTS ${triggers[1]} AFTER UPDATE OF doc ON ${this.table} BEGIN DELETE FROM ${table} WHERE rid = OLD.rowid; INSERT INTO ${table} (v, t, rid) ${rows("NEW")}; END;
			CREATE TRIGGER IF NOT EXISTS ${triggers[2]} AFTER DELETE ON ${this.table} BEGIN DELETE FROM ${table} WHERE rid = OLD.rowid; END;
		`);
		this.shape.elements.set(p, table);
	}

	private elementsOf(p: string): { table: string; indexes: string[]; triggers: string[] } {
		const name = (what: string) => quoteIdent(`${this.name}#${p}#${what}`);
		return { table: quoteIdent(`${this.name}#${p}`), indexes: [name("v"), name("rid")], triggers: [name("insert"), name("update"), name("delete")] };
	}

	/** For a bulk load: the element table's triggers and indexes go, and ensureElements(p, true) fills it in one statement after. */
	private dropElements(p: string): void {
		const { indexes, triggers } = this.elementsOf(p);
		this.store.exec([...triggers.map(t => `DROP TRIGGER IF EXISTS ${t};`), ...indexes.map(i => `DROP INDEX IF EXISTS ${i};`)].join("\n"));
	}

	/** Makes the element tables of fields found to hold arrays while a statement ran. */
	private flushPending(): void {
		for (const p of this.pending) this.ensureElements(p, true);
		this.pending.clear();
	}

	private addPath(p: string): void {
		this.paths.push(p);
		this.shape.columns.set(p, columnName(p));
	}

	/** Adds a column per new index field (filled from the stored documents), then the indexes. */
	ensureIndexes(specs: IndexSpec[]): void {
		const added: string[] = [];
		for (const spec of specs) {
			assertFieldMap(spec.fields, [1, -1], `${this.name} index`);
			for (const field of Object.keys(spec.fields)) {
				if (field === "_id" || this.shape.columns.has(field)) continue;
				this.store.prepare(`ALTER TABLE ${this.table} ADD COLUMN ${columnName(field)}`).run();
				this.addPath(field);
				added.push(field);
			}
		}
		if (added.length > 0) this.store.transaction(() => this.fillColumns(added));
		this.indexes = specs.flatMap(spec => this.indexDefs(spec));
		for (const index of this.indexes) this.store.prepare(index.sql).run();
	}

	private fillColumns(paths: string[]): void {
		const set = paths.map(p => `${columnName(p)} = ?`).join(", ");
		const update = this.store.prepare(`UPDATE ${this.table} SET ${set} WHERE rowid = ?`);
		for (const row of this.store.prepare(`SELECT rowid, doc FROM ${this.table}`).iterate() as Iterable<{ rowid: number; doc: string }>) {
			const doc = decodeDoc<Raw>(row.doc);
			this.noteArrays(doc, paths, true);
			update.run(...paths.map(p => columnValue(getPath(doc, p))), row.rowid);
		}
		this.afterStatement();
	}

	private afterStatement(): void {
		for (const p of this.pending) this.store.setMeta(`multikey:${this.name}:${p}`, "1");
		this.flushPending();
	}

	/**
	 * A unique index over the columns; a non-sparse one also refuses two documents that both lack
	 * the fields (MongoDB indexes a missing field as null), through a partial index over the rows
	 * with a NULL column. Other indexes end with _id, so `sort: { field, _id }` reads in index order.
	 */
	private indexDefs(spec: IndexSpec): IndexDef[] {
		const fields = Object.entries(spec.fields);
		const col = (f: string) => (f === "_id" ? "_id" : columnName(f));
		const cols = fields.map(([f, dir]) => `${col(f)}${dir === -1 ? " DESC" : ""}`);
		const base = `${this.name}/${fields.map(([f, d]) => `${f}_${d}`).join("/")}`;
		if (!spec.unique) {
			const name = quoteIdent(`${base}`);
			const withId = fields.some(([f]) => f === "_id") ? cols : [...cols, "_id"];
			return [{ name, sql: `CREATE INDEX IF NOT EXISTS ${name} ON ${this.table} (${withId.join(", ")})` }];
		}
		const name = quoteIdent(`${base}/unique${spec.sparse ? "/sparse" : ""}`);
		const defs = [{ name, sql: `CREATE UNIQUE INDEX IF NOT EXISTS ${name} ON ${this.table} (${cols.join(", ")})` }];
		const nullable = fields.filter(([f]) => f !== "_id").map(([f]) => col(f));
		const anyNull = nullable.map(c => `${c} IS NULL`).join(" OR ");
		const where = spec.sparse ? (nullable.length > 1 ? `(${anyNull}) AND NOT (${nullable.map(c => `${c} IS NULL`).join(" AND ")})` : "") : anyNull;
		if (where) {
			const nulls = quoteIdent(`${base}/unique/nulls${spec.sparse ? "/sparse" : ""}`);
			const keys = fields.map(([f]) => (f === "_id" ? "_id" : `IFNULL(${col(f)}, X'00')`)).join(", ");
			defs.push({ name: nulls, sql: `CREATE UNIQUE INDEX IF NOT EXISTS ${nulls} ON ${this.table} (${keys}) WHERE ${where}` });
		}
		return defs;
	}

	/**
	 * Marks index fields where `doc` holds an array (at the field or on the way), so queries look
	 * into elements there; inside a statement (`deferred`) their element tables are made after it.
	 */
	private noteArrays(doc: Raw, paths: readonly string[] = this.paths, deferred = false): void {
		for (const p of paths) {
			if (this.shape.multikey.has(p)) continue;
			let node: unknown = doc;
			for (const part of p.split(".")) {
				if (Array.isArray(node) || !isPlainObject(node)) break;
				node = node[part];
			}
			if (Array.isArray(node)) {
				this.shape.multikey.add(p);
				this.pending.add(p);
				if (!deferred && !this.bulk) {
					this.store.setMeta(`multikey:${this.name}:${p}`, "1");
					this.flushPending();
				}
			}
		}
	}

	private run<R>(fn: () => R): R {
		try {
			return fn();
		} catch (err) {
			if (isUniqueViolation(err)) throw new DuplicateKeyError(this.name, err.message);
			throw err;
		}
	}

	private insertRow(doc: Raw): void {
		const cols = this.paths.map(p => columnName(p));
		const sql = `INSERT INTO ${this.table} (_id, doc${cols.map(c => `, ${c}`).join("")}) VALUES (?, ?${cols.map(() => ", ?").join("")})`;
		this.noteArrays(doc);
		this.store.prepare(sql).run(doc._id as string, encodeDoc(doc), ...this.paths.map(p => columnValue(getPath(doc, p))));
	}

	async insert(doc: Omit<T, "_id"> & { _id?: string }): Promise<T> {
		const prepared = prepareDoc(doc);
		this.run(() => this.store.transaction(() => this.insertRow(prepared)));
		return plainCopy(prepared) as T;
	}

	async insertMany(docs: Array<Omit<T, "_id"> & { _id?: string }>): Promise<T[]> {
		const prepared = docs.map(prepareDoc);
		// One transaction: a duplicate leaves the collection unchanged.
		this.run(() => this.store.transaction(() => prepared.forEach(d => this.insertRow(d))));
		return plainCopy(prepared) as T[];
	}

	/**
	 * Loads many documents at once (a NeDB import, a benchmark's catalog): the secondary indexes
	 * are dropped, the rows written in transactions of IMPORT_CHUNK and the indexes built again.
	 * A document repeating an `_id` replaces the earlier one and `{ deleted: id }` removes that id,
	 * so an import cut short and run again ends in the same state.
	 */
	importDocs(docs: Iterable<NedbEntry>, options: BulkOptions = {}): { docs: number; skipped: number } {
		return this.run(() => {
			const indexes = this.indexes;
			for (const index of indexes) this.store.prepare(`DROP INDEX IF EXISTS ${index.name}`).run();
			for (const p of this.shape.elements.keys()) this.dropElements(p);
			this.bulk = true;
			const remove = this.store.prepare(`DELETE FROM ${this.table} WHERE _id = ?`);
			let skipped = 0;
			const write = (doc: NedbEntry) => {
				if (typeof doc.deleted === "string" && Object.keys(doc).length === 1) {
					remove.run(doc.deleted);
					return;
				}
				try {
					const prepared = prepareDoc(doc);
					remove.run(prepared._id);
					this.insertRow(prepared);
				} catch (err) {
					if (!(err instanceof UnsafeQueryError)) throw err;
					skipped++;
				}
			};
			// Chunks rather than one transaction: WAL holds a transaction whole until it commits.
			const iterator = docs[Symbol.iterator]();
			for (let done = false; !done; ) {
				this.store.transaction(() => {
					for (let i = 0; i < IMPORT_CHUNK; i++) {
						const next = iterator.next();
						if (next.done) {
							done = true;
							return;
						}
						write(next.value);
					}
				});
			}
			options.beforeIndexes?.(sql => this.store.exec(sql), this.table);
			this.bulk = false;
			for (const p of new Set([...this.shape.elements.keys(), ...this.pending])) {
				this.store.setMeta(`multikey:${this.name}:${p}`, "1");
				this.ensureElements(p, true);
			}
			this.pending.clear();
			for (const index of indexes) this.store.prepare(index.sql).run();
			const count = this.store.prepare(`SELECT count(*) AS n FROM ${this.table}`).get() as { n: number };
			return { docs: count.n, skipped };
		});
	}

	async upsert(filter: Filter, update: Update): Promise<T> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		return this.run(() =>
			this.store.transaction(() => {
				const existing = changesExisting(update) ? this.modifyFirst(filter, update, undefined) : this.first(filter, undefined);
				if (existing) return existing;
				const doc = prepareDoc(buildUpsertDoc(filter, update));
				this.insertRow(doc);
				return doc as T;
			})
		);
	}

	async findOne(filter: Filter, options: Pick<FindOptions, "sort" | "projection"> = {}): Promise<T | null> {
		const [doc] = await this.find(filter, { ...options, limit: 1 });
		return doc ?? null;
	}

	async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
		assertSafeFilter(filter);
		assertFieldMap(options.sort, [1, -1], "sort");
		assertFieldMap(options.projection, [0, 1], "projection");
		const params: SqlValue[] = [];
		const where = `WHERE ${whereSql(filter, this.shape, params)}${orderSql(options.sort, this.shape)}`;
		if (options.limit || options.skip) params.push(options.limit || -1, options.skip ?? 0);
		const page = options.limit || options.skip ? " LIMIT ? OFFSET ?" : "";
		const covered = this.coveredProjection(options.projection);
		if (covered) {
			// Only _id and column fields asked for: read the columns (an index may cover them), not the documents.
			const rows = this.store.prepare(`SELECT rowid AS r, _id, ${covered.map(p => columnName(p)).join(", ")} FROM ${this.table} ${where}${page}`).all(...params) as Array<Record<string, SqlValue>>;
			return rows.map(row => this.fromColumns(row, covered, options.projection as Projection) as T);
		}
		let rows: Array<{ doc: string }>;
		if (options.sort && options.limit) {
			// A sorted page picks its rows first, from an index that covers the sort where there is one, then reads only those documents.
			const picked = this.store.prepare(`SELECT rowid AS r FROM ${this.table} ${where}${page}`).all(...params) as Array<{ r: number }>;
			const read = this.store.prepare(`SELECT doc FROM ${this.table} WHERE rowid = ?`);
			rows = picked.map(p => read.get(p.r) as { doc: string });
		} else {
			rows = this.store.prepare(`SELECT doc FROM ${this.table} ${where}${page}`).all(...params) as Array<{ doc: string }>;
		}
		const docs = rows.map(r => decodeDoc<T>(r.doc));
		return options.projection ? docs.map(d => project(d, options.projection as Projection) as T) : docs;
	}

	/** The column fields of an inclusion projection that names only _id and column fields; undefined otherwise. */
	private coveredProjection(projection: Projection | undefined): string[] | undefined {
		if (!projection) return undefined;
		const fields = Object.entries(projection).filter(([f]) => f !== "_id");
		if (fields.length === 0 || !fields.every(([f, v]) => v === 1 && this.shape.columns.has(f))) return undefined;
		return fields.map(([f]) => f);
	}

	/** A projected document from its columns; a NULL column (null, missing, or a value no column holds) is read from the document. */
	private fromColumns(row: Record<string, SqlValue>, paths: string[], projection: Projection): Raw {
		if (paths.some(p => row[`f:${p}`] === null)) {
			const { doc } = this.store.prepare(`SELECT doc FROM ${this.table} WHERE rowid = ?`).get(row.r) as { doc: string };
			return project(decodeDoc<Raw>(doc), projection);
		}
		const out: Raw = projection._id === 0 ? {} : { _id: row._id };
		for (const p of paths) {
			const value = row[`f:${p}`];
			setPath(out, p, value instanceof Uint8Array ? dateOfKey(value) : value);
		}
		return out;
	}

	async count(filter: Filter = {}): Promise<number> {
		assertSafeFilter(filter);
		const params: SqlValue[] = [];
		const row = this.store.prepare(`SELECT count(*) AS n FROM ${this.table} WHERE ${whereSql(filter, this.shape, params)}`).get(...params) as { n: number };
		return row.n;
	}

	async update(filter: Filter, update: Update, options: { multi?: boolean } = {}): Promise<number> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		const multi = options.multi ?? false;
		if (!changesExisting(update)) return Math.min(await this.count(filter), multi ? Infinity : 1);
		return this.run(() => {
			const params: SqlValue[] = [];
			const where = whereSql(filter, this.shape, params);
			const target = multi ? where : `rowid = (SELECT rowid FROM ${this.table} WHERE ${where} LIMIT 1)`;
			return this.withUpdate(update, params, set => Number(this.store.prepare(`UPDATE ${this.table} SET ${set} WHERE ${target}`).run(...params).changes));
		});
	}

	async findOneAndUpdate(filter: Filter, update: Update, options: { sort?: Sort } = {}): Promise<T | null> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		assertFieldMap(options.sort, [1, -1], "sort");
		return this.run(() => (changesExisting(update) ? this.modifyFirst(filter, update, options.sort) : this.first(filter, options.sort)));
	}

	async delete(filter: Filter, options: { multi?: boolean } = {}): Promise<number> {
		assertSafeFilter(filter);
		const params: SqlValue[] = [];
		const where = whereSql(filter, this.shape, params);
		const target = options.multi ? where : `rowid = (SELECT rowid FROM ${this.table} WHERE ${where} LIMIT 1)`;
		return Number(this.store.prepare(`DELETE FROM ${this.table} WHERE ${target}`).run(...params).changes);
	}

	async claim(filter: Filter, sort: Sort, update: Update): Promise<T | null> {
		return this.findOneAndUpdate(filter, update, { sort });
	}

	claimMany(filter: Filter, sort: Sort, update: Update, max: number): Promise<T[]> {
		return claimDistinct((f, s, u) => this.claim(f, s, u), filter, sort, update, max);
	}

	private first(filter: Filter, sort: Sort | undefined): T | null {
		const params: SqlValue[] = [];
		const sql = `SELECT doc FROM ${this.table} WHERE ${whereSql(filter, this.shape, params)}${orderSql(sort, this.shape)} LIMIT 1`;
		const row = this.store.prepare(sql).get(...params) as { doc: string } | undefined;
		return row ? decodeDoc<T>(row.doc) : null;
	}

	/** The first match in `sort` order, updated in one statement; the document after the change. */
	private modifyFirst(filter: Filter, update: Update, sort: Sort | undefined): T | null {
		const params: SqlValue[] = [];
		const where = whereSql(filter, this.shape, params);
		const pick = `SELECT rowid FROM ${this.table} WHERE ${where}${orderSql(sort, this.shape)} LIMIT 1`;
		const row = this.withUpdate(update, params, set => this.store.prepare(`UPDATE ${this.table} SET ${set} WHERE rowid = (${pick}) RETURNING doc`).get(...params)) as { doc: string } | undefined;
		return row ? decodeDoc<T>(row.doc) : null;
	}

	/**
	 * Runs an UPDATE whose SET clause applies `update` through store_update. The SET clause binds
	 * the update's key as ?1, so the WHERE clause's `?` parameters follow it: `params` must start with it.
	 */
	private withUpdate<R>(update: Update, params: SqlValue[], fn: (set: string) => R): R {
		const key = this.store.registerUpdate(update, this.paths, doc => this.noteArrays(doc, this.paths, true));
		params.unshift(key);
		try {
			const set = ["doc = store_update(doc, ?1, -1)", ...this.paths.map((p, i) => `${columnName(p)} = store_update(doc, ?1, ${i})`)].join(", ");
			return fn(set);
		} finally {
			this.store.releaseUpdate(key);
			this.afterStatement();
		}
	}
}

/** MongoDB's projection: inclusion keeps the named fields and _id (unless `_id: 0`), exclusion drops the named fields. */
function project(doc: Raw, projection: Projection): Raw {
	const entries = Object.entries(projection);
	const including = entries.some(([f, v]) => v === 1 && f !== "_id");
	if (!including) {
		const out = doc;
		for (const [field, v] of entries) if (v === 0) deletePath(out, field);
		return out;
	}
	const out: Raw = {};
	if (projection._id !== 0) out._id = doc._id;
	for (const [field, v] of entries) {
		if (v !== 1 || field === "_id") continue;
		const value = getPath(doc, field);
		if (value === undefined) continue;
		const parts = field.split(".");
		let node = out;
		for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Raw;
		node[parts[parts.length - 1]] = value;
	}
	return out;
}
