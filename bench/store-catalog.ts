/**
 * Builds the synthetic catalog of bench/api-catalog.ts into the embedded store's file under a
 * DATA_DIR, as catalog.upsertTracks and setFeatures would leave it, in one bulk import (chunked
 * transactions, the declared indexes built at the end): going through the actions would take hours.
 *
 * Beyond BENCH_BASE_TRACKS (1M) generated tracks, the rest are copies of them made inside SQLite
 * (INSERT … SELECT with new _id, ISRC, Spotify and Deezer ids), since generating 10M in JS takes
 * longer than the whole benchmark should: the tempos, titles and words repeat, the indexes and the
 * file are those of the full size.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import CatalogService from "../services/catalog.service";
import type { TrackDoc } from "../services/catalog/model";
import { EmbeddedAdapter, STORE_FILE, type SqliteCollection } from "../mixins/store/sqlite-adapter";
import type { CollectionSpec, Doc } from "../mixins/store/types";
import { catalogTracks } from "./api-catalog";

export interface BuiltCatalog {
	tracks: number;
	withTempoAlt: number;
}

const BASE = Number(process.env.BENCH_BASE_TRACKS ?? 1_000_000);

/** SQL that adds copy `k` of the first `count` rows, every unique id suffixed with `.k`. */
function copySql(table: string, columns: string[], k: number, count: number): string {
	const suffix = `'.${k}'`;
	const renamed: Record<string, string> = {
		'"f:isrc"': `"f:isrc" || ${suffix}`,
		'"f:spotifyId"': `"f:spotifyId" || ${suffix}`,
		'"f:deezerId"': `CASE WHEN "f:deezerId" IS NULL THEN NULL ELSE "f:deezerId" || ${suffix} END`
	};
	let doc = `json_set(doc, '$._id', _id || ${suffix}, '$.isrc', "f:isrc" || ${suffix}, '$.spotifyId', "f:spotifyId" || ${suffix}, '$.providers.spotify.id', "f:spotifyId" || ${suffix})`;
	doc = `CASE WHEN "f:deezerId" IS NULL THEN ${doc} ELSE json_set(${doc}, '$.deezerId', "f:deezerId" || ${suffix}, '$.providers.deezer.id', "f:deezerId" || ${suffix}) END`;
	const values = columns.map(c => renamed[c] ?? c);
	return `INSERT INTO ${table} (_id, doc, ${columns.join(", ")}) SELECT _id || ${suffix}, ${doc}, ${values.join(", ")} FROM ${table} WHERE rowid <= ${count}`;
}

/**
 * With `from`, the store file of a smaller catalog built by this function (no node has written to
 * it) is copied in and grown by copies instead of generating again.
 */
export async function buildCatalogStore(dataDir: string, tracks: number, onTrack?: (doc: TrackDoc, i: number) => void, seed = 42, from?: string): Promise<BuiltCatalog> {
	if (from) {
		fs.mkdirSync(dataDir, { recursive: true });
		fs.copyFileSync(path.join(from, STORE_FILE), path.join(dataDir, STORE_FILE));
	}
	const adapter = new EmbeddedAdapter({ dataDir, inMemory: false, unjournaled: true });
	await adapter.connect();
	try {
		const spec = (CatalogService.collections as Record<string, CollectionSpec>).tracks;
		const coll = (await adapter.collection<Doc>("catalog.tracks", spec)) as SqliteCollection<Doc>;
		const generated = from ? await coll.count({}) : Math.min(tracks, BASE);
		let withTempoAlt = from ? await coll.count({ tempoAlt: { $exists: true } }) : 0;
		let i = 0;
		function* docs(): Generator<Record<string, unknown>> {
			if (from) return;
			for (const doc of catalogTracks(generated, seed)) {
				if (doc.tempoAlt !== undefined) withTempoAlt++;
				onTrack?.(doc, i++);
				yield doc as unknown as Record<string, unknown>;
			}
		}
		const columns = [...new Set(spec.indexes?.flatMap(index => Object.keys(index.fields)) ?? [])].map(f => `"f:${f}"`);
		const { docs: count } = coll.importDocs(docs(), {
			beforeIndexes: (exec, table) => {
				for (let k = 1; k * generated < tracks; k++) exec(copySql(table, columns, k, Math.min(generated, tracks - k * generated)));
			}
		});
		return { tracks: count, withTempoAlt: Math.round((withTempoAlt * count) / generated) };
	} finally {
		await adapter.close();
	}
}
