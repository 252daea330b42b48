/**
 * Search and the DJ and event listings, read from the site's own pages. The site pages its
 * results its own way; a client's `page` and `limit` are cut from as many site pages as needed
 * (at most SCRAPER_SEARCH_MAX_PAGES), after the date filter.
 */
import type { ListingItem, ListingPage } from "./model";

export type SearchType = "dj" | "event" | "track";

/** The site's search page for a query (the shape is assumed; see docs/scraper.md). */
export function searchUrl(site: string, type: SearchType, query: string): string {
	const url = new URL("/search/index.html", site);
	url.searchParams.set("q", query);
	url.searchParams.set("type", type);
	return url.href;
}

export function listingUrl(site: string, kind: "dj" | "event", slug: string): string {
	return new URL(`/${kind === "dj" ? "dj" : "source"}/${encodeURIComponent(slug)}/index.html`, site).href;
}

export interface ListingQuery {
	page: number;
	limit: number;
	start_date?: string | null;
	end_date?: string | null;
	maxPages: number;
}

export interface ListingResult {
	items: ListingItem[];
	page: number;
	limit: number;
	has_more: boolean;
	/** True when the site had more pages than SCRAPER_SEARCH_MAX_PAGES allows reading. */
	truncated: boolean;
}

function inRange(item: ListingItem, start?: string | null, end?: string | null): boolean {
	if (!start && !end) return true;
	if (!item.date) return false;
	return (!start || item.date >= start) && (!end || item.date <= end);
}

/** Reads site pages from `firstUrl` until the client's page is full (plus one, to know whether more exist). */
export async function collectListing(first: string, q: ListingQuery, read: (url: string) => Promise<ListingPage>): Promise<ListingResult> {
	const want = q.page * q.limit + 1;
	const found: ListingItem[] = [];
	const seen = new Set<string>();
	let next: string | undefined = first;
	let pages = 0;
	while (next && found.length < want && pages < q.maxPages) {
		if (seen.has(next)) break;
		seen.add(next);
		const page: ListingPage = await read(next);
		pages++;
		for (const item of page.items) if (inRange(item, q.start_date, q.end_date)) found.push(item);
		next = page.next;
	}
	const from = (q.page - 1) * q.limit;
	const truncated = Boolean(next) && found.length < want && pages >= q.maxPages;
	return { items: found.slice(from, from + q.limit), page: q.page, limit: q.limit, has_more: found.length > from + q.limit || (next !== undefined && !seen.has(next)), truncated };
}
