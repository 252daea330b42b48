/**
 * Parses the site's listing pages: search results, a DJ's tracklists, an event's tracklists.
 * REFERENCE.md does not describe them; the shape assumed here is in docs/scraper.md. Each entry is
 * a `div.tlLink` with a link to `/tracklist/…`, a `.tlDate`, a `.tlTracks` count and `/dj/` links;
 * the next page is `a.next` or `link[rel=next]`.
 */
import { detectBlock } from "./blocks";
import { findFirst, hasClass, parseDocument, textOf, walk, type Element } from "./dom";
import { BlockedError } from "./errors";
import type { ListingItem, ListingPage } from "./model";
import { absoluteUrl, clean, slugOf } from "./text";

const MAX_ITEMS = 500;


function readItem(el: Element, base: string): ListingItem | undefined {
	const link = findFirst(el, e => e.name === "a" && /\/tracklist\//.test(e.attribs.href ?? ""));
	const url = link ? absoluteUrl(link.attribs.href ?? "", base) : undefined;
	const title = link ? clean(textOf(link)).slice(0, 500) : "";
	if (!url || !title) return undefined;
	const item: ListingItem = { title, url };
	const djs: string[] = [];
	walk(el, e => {
		if (hasClass(e, "tlDate")) {
			const m = /(\d{4}-\d{2}-\d{2})/.exec(e.attribs["data-date"] ?? textOf(e));
			if (m) item.date ??= m[1];
		} else if (hasClass(e, "tlTracks")) {
			const n = Number.parseInt(e.attribs["data-count"] ?? textOf(e), 10);
			if (Number.isInteger(n) && n >= 0) item.trackCount ??= n;
		} else if (e.name === "a" && slugOf(e.attribs.href ?? "", "dj") !== undefined) {
			const name = clean(textOf(e));
			if (name) djs.push(name.slice(0, 200));
		}
	});
	if (djs.length) item.djs = djs;
	return item;
}

/** Parses one listing page. A block page throws BlockedError; a page without entries is an empty listing. */
export function parseListingPage(html: string, url: string): ListingPage {
	const root = parseDocument(html);
	const items: ListingItem[] = [];
	let next: string | undefined;
	walk(root, el => {
		if (el.name === "div" && hasClass(el, "tlLink")) {
			const item = items.length < MAX_ITEMS ? readItem(el, url) : undefined;
			if (item) items.push(item);
			return false;
		}
		const rel = (el.attribs.rel ?? "").toLowerCase();
		if (!next && ((el.name === "a" && hasClass(el, "next")) || (el.name === "link" && rel === "next")) && el.attribs.href) next = absoluteUrl(el.attribs.href, url);
	});
	if (items.length === 0) {
		const blocked = detectBlock(html);
		if (blocked) throw new BlockedError(url, blocked);
	}
	return next ? { items, next } : { items };
}
