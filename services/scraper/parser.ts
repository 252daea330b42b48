/**
 * Parses a 1001tracklists-style page (the shape is in REFERENCE.md and docs/scraper.md) into a
 * tracklist. It throws only the scraper's own errors: BlockedError for challenge and IP-block
 * pages, ParseMismatchError when the page claims tracks but none parse, NotATracklistError when
 * there is nothing to store. It never returns an empty tracklist.
 */
import type { AnyNode } from "domhandler";
import { detectBlock } from "./blocks";
import { attr, findFirst, hasClass, parseDocument, textOf, walk, type Element } from "./dom";
import { BlockedError, NotATracklistError, ParseMismatchError } from "./errors";
import type { PageLink, ParsedTracklist, TrackEntry } from "./model";
import { absoluteUrl, clean, cueTextMs, isoDurationMs, isUnknown, secondsMs, slugOf, splitArtists, splitTrackText } from "./text";

/** More rows than any real set has; a page beyond it is cut, not trusted to be small. */
export const MAX_ROWS = 2000;
const MAX_TEXT = 500;

interface RowFields {
	elementId?: string;
	dataTrno?: string;
	cueInput?: string;
	cueDisplay?: string;
	numberText?: string;
	con: boolean;
	microName?: string;
	byArtist: string[];
	publisher?: string;
	duration?: string;
	genre?: string;
	url?: string;
	trackValue?: string;
	trackLabel?: string;
}

interface PageFields {
	metas: Map<string, string>;
	rows: Element[];
	h1?: Element;
	titleText?: string;
	scripts: string[];
}

const short = (text: string | undefined) => clean(text).slice(0, MAX_TEXT);

/** One pass over the document: rows are kept whole for their own pass; page metadata is read here. */
function readPage(root: AnyNode): PageFields {
	const page: PageFields = { metas: new Map(), rows: [], scripts: [] };
	let firstH1: Element | undefined;
	walk(root, el => {
		if (el.name === "div" && hasClass(el, "tlpItem")) {
			if (page.rows.length < MAX_ROWS) page.rows.push(el);
			return false;
		}
		const prop = el.attribs.itemprop;
		if (el.name === "meta" && prop && !page.metas.has(prop) && el.attribs.content !== undefined) page.metas.set(prop, el.attribs.content);
		// The h1 under #pageTitle holds the DJ and source links; any other h1 is a fallback.
		if (el.attribs.id === "pageTitle") page.h1 ??= findFirst(el, e => e.name === "h1");
		if (el.name === "h1") firstH1 ??= el;
		if (el.name === "title" && page.titleText === undefined) page.titleText = textOf(el);
		if (el.name === "script") {
			const text = textOf(el);
			if (text.includes("cueValuesEntry")) page.scripts.push(text);
			return false;
		}
	});
	page.h1 ??= firstH1;
	return page;
}

/** The authoritative cues: `cueValuesEntry.seconds = N; cueValuesEntry.ids[k] = 'tlpX_content';`, one entry naming one or more rows. */
export function scriptCues(scripts: string[]): Map<string, number> {
	const cues = new Map<string, number>();
	const token = /cueValuesEntry\.seconds\s*=\s*(\d+(?:\.\d+)?)|cueValuesEntry\.ids\[\s*\d+\s*\]\s*=\s*['"]([^'"]{1,200})['"]/g;
	for (const script of scripts) {
		let current: number | undefined;
		for (const m of script.matchAll(token)) {
			if (m[1] !== undefined) current = secondsMs(m[1]);
			else if (m[2] !== undefined && current !== undefined && !cues.has(m[2])) cues.set(m[2], current);
		}
	}
	return cues;
}

/** The name a microdata property carries: its `content`, or the name of the item it scopes. */
function propValue(el: Element): string | undefined {
	if (el.attribs.content !== undefined) return el.attribs.content;
	let name: string | undefined;
	walk(el, child => {
		if (name === undefined && child.attribs.itemprop === "name") name = child.attribs.content ?? textOf(child);
	});
	return name ?? textOf(el);
}

function readRow(row: Element): RowFields {
	const f: RowFields = { elementId: attr(row, "id"), dataTrno: attr(row, "data-trno"), con: hasClass(row, "con"), byArtist: [] };
	walk(row, el => {
		const id = el.attribs.id;
		const prop = el.attribs.itemprop;
		// Cheap tests first: this runs for every element of every row.
		if (id !== undefined && el.name === "input" && id.endsWith("_cue_seconds")) f.cueInput ??= el.attribs.value;
		else if (id !== undefined && id.endsWith("_tracknumber_value")) f.numberText ??= textOf(el);
		else if (el.attribs.class !== undefined) {
			if (el.name === "div" && hasClass(el, "cue")) f.cueDisplay ??= textOf(el);
			else if (hasClass(el, "trackValue")) f.trackValue ??= textOf(el);
			else if (hasClass(el, "trackLabel")) f.trackLabel ??= textOf(el);
		}
		if (prop === "byArtist" || prop === "publisher") {
			const value = clean(propValue(el));
			if (value && prop === "byArtist") f.byArtist.push(value.slice(0, MAX_TEXT));
			if (value && prop === "publisher") f.publisher ??= value;
			return false;
		}
		if (el.name === "meta" && prop !== undefined) {
			const content = el.attribs.content;
			if (prop === "name") f.microName ??= content;
			else if (prop === "duration") f.duration ??= content;
			else if (prop === "genre") f.genre ??= content;
			else if (prop === "url") f.url ??= content;
		}
	});
	return f;
}


function toTrack(f: RowFields, position: number, prev: TrackEntry | undefined, cues: Map<string, number>, base: string): TrackEntry | undefined {
	const text = clean(f.microName) || clean(f.trackValue);
	if (!text) return undefined;
	const parts = splitTrackText(text);
	const numberText = clean(f.numberText);
	const playedWith = /^w\/?$/i.test(numberText) || f.con;
	const shown = Number.parseInt(numberText, 10);
	const fromAttr = Number.parseInt(f.dataTrno ?? "", 10);
	const number = playedWith ? (prev?.number ?? 1) : Number.isInteger(shown) && shown > 0 ? shown : Number.isInteger(fromAttr) && fromAttr > 0 ? fromAttr : (prev?.number ?? 0) + 1;
	const inputMs = secondsMs(f.cueInput);
	let cueMs: number | null = (f.elementId !== undefined ? cues.get(f.elementId) : undefined) ?? (inputMs && inputMs > 0 ? inputMs : undefined) ?? cueTextMs(f.cueDisplay) ?? null;
	if (cueMs === null && playedWith) cueMs = prev?.cueMs ?? null;
	const unknownArtist = isUnknown(parts.artist);
	const artists = f.byArtist.length ? f.byArtist : unknownArtist ? [] : splitArtists(parts.artist).map(a => a.slice(0, MAX_TEXT));
	const label = short(f.publisher) || short(clean(f.trackLabel).replace(/^\[(.*)\]$/, "$1"));
	const track: TrackEntry = {
		position,
		number,
		cueMs,
		artists,
		artist: short(parts.artist),
		title: short(parts.title),
		isId: isUnknown(parts.title),
		playedWith
	};
	if (parts.remix) track.remix = short(parts.remix);
	if (label) track.label = label;
	if (clean(f.genre)) track.genre = short(f.genre);
	const durationMs = isoDurationMs(f.duration);
	if (durationMs !== undefined) track.durationMs = durationMs;
	const url = absoluteUrl(clean(f.url), base);
	if (url) track.url = url;
	return track;
}

function headerLinks(h1: Element | undefined, base: string): { djs: PageLink[]; sources: PageLink[] } {
	const djs: PageLink[] = [];
	const sources: PageLink[] = [];
	if (!h1) return { djs, sources };
	walk(h1, el => {
		if (el.name !== "a") return;
		const href = el.attribs.href ?? "";
		const name = short(textOf(el));
		if (!name) return;
		const dj = slugOf(href, "dj");
		const source = slugOf(href, "source");
		if (dj !== undefined) djs.push({ name, slug: dj, url: absoluteUrl(href, base) });
		else if (source !== undefined) sources.push({ name, slug: source, url: absoluteUrl(href, base) });
	});
	return { djs, sources };
}

function dateOf(...candidates: Array<string | undefined>): string | undefined {
	for (const c of candidates) {
		const m = /(\d{4})-(\d{2})-(\d{2})/.exec(c ?? "");
		if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) return `${m[1]}-${m[2]}-${m[3]}`;
	}
	return undefined;
}

/** Parses one tracklist page; `url` resolves relative links and names the page in errors. */
export function parseTracklistPage(html: string, url: string): ParsedTracklist {
	const root = parseDocument(html);
	const page = readPage(root);
	const cues = scriptCues(page.scripts);
	const tracks: TrackEntry[] = [];
	for (const row of page.rows) {
		const track = toTrack(readRow(row), tracks.length + 1, tracks[tracks.length - 1], cues, url);
		if (track) tracks.push(track);
	}
	const claimedRaw = Number.parseInt(clean(page.metas.get("numTracks")), 10);
	const claimedTracks = Number.isInteger(claimedRaw) && claimedRaw > 0 ? claimedRaw : undefined;
	if (tracks.length === 0) {
		const blocked = detectBlock(html);
		if (blocked) throw new BlockedError(url, blocked);
		if (claimedTracks) throw new ParseMismatchError(url, claimedTracks, 0);
		throw new NotATracklistError(url, page.rows.length ? "its rows hold no tracks" : "the page has no tracklist rows");
	}
	const { djs, sources } = headerLinks(page.h1, url);
	const h1Text = page.h1 ? short(textOf(page.h1)) : "";
	const title = short(page.metas.get("name")) || h1Text || short(clean(page.titleText).replace(/\s*Tracklist$/i, "")) || "Untitled tracklist";
	const result: ParsedTracklist = {
		title,
		djs,
		genres: clean(page.metas.get("genre"))
			.split(",")
			.map(g => short(g))
			.filter(Boolean),
		tracks
	};
	if (sources[0]) result.event = sources[0];
	if (sources[1]) result.venue = sources[1];
	const date = dateOf(page.metas.get("datePublished"), title, h1Text);
	if (date) result.date = date;
	if (claimedTracks) result.claimedTracks = claimedTracks;
	const author = short(page.metas.get("author"));
	if (author) result.author = author;
	return result;
}
