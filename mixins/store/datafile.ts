/**
 * How the embedded store reads and rewrites its datafiles. NeDB's own code for both was most of a
 * 230 s start-up at 1M tracks (900 MB):
 *
 * - reading: a promise chain and a JSON reviver per line (33 s). This reads the same lines with a
 *   plain JSON.parse, keeping the reviver for lines that hold a date. It splits lines only at "\n"
 *   (NeDB also split at U+2028, U+2029 and U+0085, which JSON.stringify leaves unescaped inside
 *   strings, so a title holding one was lost as a corrupt line).
 * - rewriting, which NeDB does on every load and compaction: every document serialised into one
 *   array, then one stream write per document without waiting for the disk (110 s, and a second
 *   copy of the data in memory). This writes in chunks through the same crash-safe steps (a `~`
 *   file, fsync, rename, fsync of the folder) and yields to the event loop between chunks.
 *
 * The file format is NeDB's, unchanged: plain NeDB opens these files and the other way round.
 */
import { once } from "node:events";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type Datastore from "@seald-io/nedb";

type Raw = Record<string, unknown>;

const CHUNK_DOCS = 2000;
const FILE_MODE = 0o644;

/** An index NeDB records in the datafile, as it writes it. */
interface IndexRecord {
	fieldName: string | string[];
	unique: boolean;
	sparse: boolean;
}

/** NeDB's line format: JSON, with dates as {"$$date": ms}. Stored documents passed its key checks when written. */
function serialize(doc: object): string {
	return JSON.stringify(doc, function (this: Record<string, unknown>, key: string, value: unknown) {
		const raw = this[key];
		return raw instanceof Date ? { $$date: raw.getTime() } : value;
	});
}

/** NeDB's reviver, needed only where a line holds a date (JSON.stringify never escapes "$"). */
function deserialize(line: string): Raw {
	if (!line.includes('"$$date"')) return JSON.parse(line) as Raw;
	return JSON.parse(line, (key: string, value: unknown) => {
		if (key === "$$date") return new Date(value as number);
		if (value !== null && typeof value === "object" && (value as { $$date?: unknown }).$$date) return (value as { $$date: unknown }).$$date;
		return value;
	}) as Raw;
}

/** What NeDB's loader makes of a datafile: the last version of each document, and the recorded indexes. */
export async function readDatafile(lines: AsyncIterable<string>, corruptAlertThreshold: number): Promise<{ data: Raw[]; indexes: Record<string, IndexRecord> }> {
	// An object, as NeDB keeps it, so the documents come out in the same order.
	const byId: Record<string, Raw> = {};
	const indexes: Record<string, IndexRecord> = {};
	let count = 0;
	let corrupt = 0;
	for await (const line of lines) {
		if (line === "") continue;
		count++;
		// As in NeDB, anything that throws here (bad JSON, a `null` line) counts as corrupt.
		try {
			const doc = deserialize(line);
			const id = doc._id as string | undefined;
			const created = doc.$$indexCreated as IndexRecord | undefined;
			if (id) {
				if (doc.$$deleted === true) delete byId[id];
				else byId[id] = doc;
			} else if (created && created.fieldName != null) indexes[String(created.fieldName)] = created;
			else if (typeof doc.$$indexRemoved === "string") delete indexes[doc.$$indexRemoved];
		} catch {
			corrupt++;
		}
	}
	const rate = count > 0 ? corrupt / count : 0;
	if (rate > corruptAlertThreshold) {
		const percent = (x: number) => Math.floor(100 * x);
		throw Object.assign(
			new Error(
				`${percent(rate)}% of the data file is corrupt, more than given corruptAlertThreshold (${percent(corruptAlertThreshold)}%). Cautiously refusing to start NeDB to prevent dataloss.`
			),
			{ corruptionRate: rate, corruptItems: corrupt, dataLength: count }
		);
	}
	return { data: Object.values(byId), indexes };
}

/** The lines of a text stream, split at "\n". */
async function* linesOf(stream: Readable): AsyncGenerator<string> {
	const decoder = new StringDecoder("utf8");
	let rest = "";
	for await (const chunk of stream) {
		const parts = (rest + (typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer))).split("\n");
		rest = parts.pop() ?? "";
		yield* parts;
	}
	if (rest) yield rest;
}

/** fsync, as NeDB does it: a folder that cannot be opened or synced (some platforms) is skipped. */
async function flush(target: string, isDir: boolean): Promise<void> {
	let handle: fs.promises.FileHandle | undefined;
	try {
		handle = await fs.promises.open(target, isDir ? "r" : "r+");
		await handle.sync();
	} catch (err) {
		const code = (err as NodeJS.ErrnoException).code;
		if (!isDir || (code !== "EISDIR" && code !== "EPERM")) throw err;
	} finally {
		await handle?.close();
	}
}

async function writeLines(file: string, docs: readonly object[], indexes: readonly IndexRecord[]): Promise<void> {
	const out = fs.createWriteStream(file, { mode: FILE_MODE });
	const failed = once(out, "error").then(([err]) => Promise.reject(err as Error));
	failed.catch(() => undefined);
	const write = async (text: string) => {
		if (!out.write(text)) await Promise.race([once(out, "drain"), failed]);
	};
	for (let i = 0; i < docs.length; i += CHUNK_DOCS) {
		let text = "";
		for (const doc of docs.slice(i, i + CHUNK_DOCS)) text += serialize(doc) + "\n";
		await write(text);
		// Compaction also runs while the node serves: let requests in between chunks.
		await new Promise(resolve => setImmediate(resolve));
	}
	await write(indexes.map(index => serialize({ $$indexCreated: index }) + "\n").join(""));
	out.end();
	await Promise.race([once(out, "close"), failed]);
}

/** Rewrites `filename` with `docs` and the index records, as NeDB's crash-safe rewrite does. */
export async function rewriteDatafile(filename: string, docs: readonly object[], indexes: readonly IndexRecord[]): Promise<void> {
	const temp = `${filename}~`;
	const dir = path.dirname(filename);
	await flush(dir, true);
	if (fs.existsSync(filename)) await flush(filename, false);
	await writeLines(temp, docs, indexes);
	await flush(temp, false);
	await fs.promises.rename(temp, filename);
	await flush(dir, true);
}

/** NeDB's internals replaced and read here (not in its typings). */
interface NedbInternals {
	persistence: {
		corruptAlertThreshold: number;
		treatRawStreamAsync(stream: Readable): Promise<{ data: Raw[]; indexes: Record<string, IndexRecord> }>;
		persistCachedDatabaseAsync(): Promise<void>;
	};
	indexes: Record<string, IndexRecord>;
}

/** Makes a file-backed datastore read its file and rewrite it (at load and compaction) as above. */
export function useFastDatafile(db: Datastore<Raw>, filename: string): void {
	const nedb = db as unknown as NedbInternals;
	nedb.persistence.treatRawStreamAsync = stream => readDatafile(linesOf(stream), nedb.persistence.corruptAlertThreshold);
	nedb.persistence.persistCachedDatabaseAsync = async () => {
		const indexes = Object.entries(nedb.indexes)
			.filter(([name]) => name !== "_id")
			.map(([, index]) => ({ fieldName: index.fieldName, unique: index.unique, sparse: index.sparse }));
		await rewriteDatafile(filename, db.getAllData(), indexes);
		db.emit("compaction.done");
	};
}
