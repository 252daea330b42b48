/**
 * Scrape requests and batch imports: one task (tasks service) per request, one item per URL, one
 * scheduler job per item. Jobs run at least once, so an item settles once (pending to done or
 * failed) and progress is counted from the items, never incremented: a job that runs twice
 * counts once.
 */
import type { Collection } from "../../mixins/store/types";
import type { ImportDoc, ImportItemDoc } from "./model";

export interface ImportStore {
	imports: Collection<ImportDoc>;
	items: Collection<ImportItemDoc>;
}

export interface ImportProgress {
	total: number;
	done: number;
	failed: number;
}

export const SCRAPE_JOB = "tracklist.scrape";

export function itemId(importId: string, index: number): string {
	return `${importId}:${index}`;
}

export async function createImport(store: ImportStore, doc: ImportDoc, urls: string[], now = Date.now()): Promise<void> {
	await store.imports.insert(doc);
	await store.items.insertMany(urls.map((url, index) => ({ _id: itemId(doc._id, index), importId: doc._id, index, url, state: "pending" as const, updatedAt: now })));
}

/** Settles an item once; a second report of the same item (a job run twice) changes nothing and returns false. */
export async function settleItem(store: ImportStore, importId: string, index: number, set: Partial<ImportItemDoc>, now = Date.now()): Promise<boolean> {
	return (await store.items.update({ _id: itemId(importId, index), state: "pending" }, { $set: { ...set, updatedAt: now } })) > 0;
}

export async function progressOf(store: ImportStore, importId: string): Promise<ImportProgress | null> {
	const imp = await store.imports.findOne({ _id: importId });
	if (!imp) return null;
	const [done, failed] = await Promise.all([store.items.count({ importId, state: "done" }), store.items.count({ importId, state: "failed" })]);
	return { total: imp.total, done, failed };
}

export function isFinished(p: ImportProgress): boolean {
	return p.done + p.failed >= p.total;
}

export function itemView(i: ImportItemDoc) {
	return { index: i.index, url: i.url, state: i.state, tracklist_id: i.tracklistId ?? null, outcome: i.outcome ?? null, error: i.error ?? null };
}
