/**
 * Builds the synthetic catalog of bench/api-catalog.ts into the embedded store's file under a
 * DATA_DIR, as catalog.upsertTracks and setFeatures would leave it but in one bulk import (one
 * transaction, the declared indexes built at the end): going through the actions would take hours.
 */
import CatalogService from "../services/catalog.service";
import type { TrackDoc } from "../services/catalog/model";
import { EmbeddedAdapter, SqliteCollection } from "../mixins/store/sqlite-adapter";
import type { CollectionSpec, Doc } from "../mixins/store/types";
import { catalogTracks } from "./api-catalog";

export interface BuiltCatalog {
	tracks: number;
	withTempoAlt: number;
}

export async function buildCatalogStore(dataDir: string, tracks: number, onTrack?: (doc: TrackDoc, i: number) => void, seed = 42): Promise<BuiltCatalog> {
	const adapter = new EmbeddedAdapter({ dataDir, inMemory: false });
	await adapter.connect();
	try {
		const spec = (CatalogService.collections as Record<string, CollectionSpec>).tracks;
		const coll = (await adapter.collection<Doc>("catalog.tracks", spec)) as SqliteCollection<Doc>;
		let withTempoAlt = 0;
		let i = 0;
		function* docs(): Generator<Record<string, unknown>> {
			for (const doc of catalogTracks(tracks, seed)) {
				if (doc.tempoAlt !== undefined) withTempoAlt++;
				onTrack?.(doc, i++);
				yield doc as unknown as Record<string, unknown>;
			}
		}
		const { docs: count } = coll.importDocs(docs());
		return { tracks: count, withTempoAlt };
	} finally {
		await adapter.close();
	}
}
