/**
 * Reads the datafiles of NeDB, the embedded store of earlier versions, for a one-off import.
 * NeDB's format: one JSON document per line, dates as {"$$date": ms}; a later line for the same
 * `_id` replaces the earlier one, {"$$deleted": true, "_id"} removes it, and {"$$indexCreated"} /
 * {"$$indexRemoved"} lines record indexes (ignored: the services declare theirs). A line that does
 * not parse (a write cut short by a crash) is skipped, as NeDB did.
 */
import * as fs from "node:fs";
import { StringDecoder } from "node:string_decoder";

type Raw = Record<string, unknown>;

export type NedbEntry = Raw | { deleted: string };

function parseLine(line: string): unknown {
	if (!line.includes('"$$date"')) return JSON.parse(line);
	return JSON.parse(line, (_key: string, value: unknown) => {
		if (value !== null && typeof value === "object" && typeof (value as { $$date?: unknown }).$$date === "number") return new Date((value as { $$date: number }).$$date);
		return value;
	});
}

/** What a line stands for: a document, a deletion, or nothing to import. */
function entryOf(line: string): NedbEntry | undefined {
	const parsed = parseLine(line) as Raw | null;
	if (parsed === null || typeof parsed !== "object" || typeof parsed._id !== "string") return undefined;
	if (parsed.$$deleted === true) return { deleted: parsed._id };
	return parsed;
}

export interface ReadStats {
	lines: number;
	unreadable: number;
}

/** The entries of a datafile in file order, read in chunks (a 1M-document file is larger than a JS string may be). */
export function* readNedbDatafile(file: string, stats: ReadStats = { lines: 0, unreadable: 0 }): Generator<NedbEntry> {
	const fd = fs.openSync(file, "r");
	const buffer = Buffer.alloc(4 << 20);
	const decoder = new StringDecoder("utf8");
	let rest = "";
	try {
		for (;;) {
			const n = fs.readSync(fd, buffer, 0, buffer.length, null);
			const text = n > 0 ? rest + decoder.write(buffer.subarray(0, n)) : rest + decoder.end();
			// Only "\n" ends a line: NeDB wrote JSON.stringify's output, which leaves U+2028 and U+2029 in strings.
			const lines = text.split("\n");
			rest = n > 0 ? (lines.pop() ?? "") : "";
			for (const line of lines) {
				if (line === "") continue;
				stats.lines++;
				let entry: NedbEntry | undefined;
				try {
					entry = entryOf(line);
				} catch {
					stats.unreadable++;
					continue;
				}
				if (entry) yield entry;
			}
			if (n === 0) return;
		}
	} finally {
		fs.closeSync(fd);
	}
}
