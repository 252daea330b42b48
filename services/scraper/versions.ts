/**
 * Tracklists and their versions. A scrape makes a new version only when the scraped content
 * differs from the last scrape; publishing a draft or restoring an old version makes one only when
 * it differs from the current content. Version numbers rise by one under concurrent writers: each
 * write is conditional on the version it read.
 */
import { Errors } from "moleculer";
import { DuplicateKeyError, type Collection } from "../../mixins/store/types";
import { contentHash, normaliseContent } from "./content";
import type { CatalogLink, ParsedTracklist, TracklistContent, TracklistDoc, VersionDoc, VersionSource } from "./model";

export interface TracklistStore {
	tracklists: Collection<TracklistDoc>;
	versions: Collection<VersionDoc>;
}

export type ScrapeOutcome = "created" | "updated" | "unchanged";

export interface ScrapeInput {
	/** Where the page was found (after redirects). */
	url: string;
	/** The URL asked for, when it differs: later requests for it find this tracklist. */
	requestedUrl?: string;
	page: ParsedTracklist;
	sourceHash: string;
	links: Array<CatalogLink | null>;
}

const ATTEMPTS = 5;

export function contentOf(page: ParsedTracklist): TracklistContent {
	return normaliseContent(page);
}

/** The tracklist stored for a URL, under its own URL or one that redirected to it. */
export function findByUrl(store: TracklistStore, url: string): Promise<TracklistDoc | null> {
	return store.tracklists.findOne({ $or: [{ url }, { aliases: url }] });
}

async function addVersion(store: TracklistStore, doc: TracklistDoc, source: VersionSource, now: number, extra: { userId?: string; restoredFrom?: number } = {}): Promise<void> {
	await store.versions.insert({ tracklistId: doc._id, version: doc.version, content: doc.content, contentHash: doc.contentHash, source, createdAt: now, ...extra });
}

export async function saveScrape(store: TracklistStore, input: ScrapeInput, now = Date.now()): Promise<{ doc: TracklistDoc; outcome: ScrapeOutcome }> {
	const content = contentOf(input.page);
	const hash = contentHash(content);
	const aliases = input.requestedUrl && input.requestedUrl !== input.url ? [input.requestedUrl] : [];
	const scraped = { sourceHash: input.sourceHash, scrapedAt: now, updatedAt: now, claimedTracks: input.page.claimedTracks, author: input.page.author, postedBy: input.page.postedBy, postedAt: input.page.postedAt, ided: input.page.ided, stale: false };
	for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
		const existing = (await findByUrl(store, input.url)) ?? (input.requestedUrl ? await findByUrl(store, input.requestedUrl) : null);
		if (!existing) {
			try {
				const doc = await store.tracklists.insert({
					url: input.url,
					aliases,
					content,
					links: input.links,
					version: 1,
					contentHash: hash,
					scrapedContentHash: hash,
					createdAt: now,
					...scraped
				});
				await addVersion(store, doc, "scrape", now);
				return { doc, outcome: "created" };
			} catch (err) {
				// Another node stored the same page a moment ago: update that one instead.
				if (err instanceof DuplicateKeyError) continue;
				throw err;
			}
		}
		const newAliases = aliases.filter(a => !existing.aliases?.includes(a));
		const addAliases = newAliases.length ? { $addToSet: { aliases: newAliases[0] } } : {};
		if (existing.scrapedContentHash === hash) {
			const doc = await store.tracklists.findOneAndUpdate({ _id: existing._id }, { $set: { ...scraped, links: existing.contentHash === hash ? input.links : existing.links }, ...addAliases });
			return { doc: doc ?? existing, outcome: "unchanged" };
		}
		const version = existing.version + 1;
		const doc = await store.tracklists.findOneAndUpdate(
			{ _id: existing._id, version: existing.version },
			{ $set: { ...scraped, content, links: input.links, version, contentHash: hash, scrapedContentHash: hash }, ...addAliases }
		);
		if (!doc) continue;
		await addVersion(store, doc, "scrape", now);
		return { doc, outcome: "updated" };
	}
	throw new Errors.MoleculerRetryableError(`Could not save ${input.url}: too many concurrent writers`, 503, "CONFLICT");
}

/** Makes `content` the current version (a published draft or a restore); unchanged content makes none. */
export async function publishContent(
	store: TracklistStore,
	tracklistId: string,
	content: TracklistContent,
	links: Array<CatalogLink | null>,
	source: Exclude<VersionSource, "scrape">,
	extra: { userId?: string; restoredFrom?: number },
	now = Date.now()
): Promise<{ doc: TracklistDoc; changed: boolean }> {
	const normal = normaliseContent(content);
	const hash = contentHash(normal);
	for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
		const existing = await store.tracklists.findOne({ _id: tracklistId });
		if (!existing) throw new Errors.MoleculerClientError(`Tracklist ${tracklistId} not found`, 404, "NOT_FOUND", { id: tracklistId });
		if (existing.contentHash === hash) return { doc: existing, changed: false };
		const doc = await store.tracklists.findOneAndUpdate(
			{ _id: tracklistId, version: existing.version },
			{ $set: { content: normal, links, contentHash: hash, version: existing.version + 1, updatedAt: now } }
		);
		if (!doc) continue;
		await addVersion(store, doc, source, now, extra);
		return { doc, changed: true };
	}
	throw new Errors.MoleculerRetryableError(`Could not publish to ${tracklistId}: too many concurrent writers`, 503, "CONFLICT");
}
