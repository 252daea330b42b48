/**
 * One streaming pass over a tracklist page (htmlparser2's tokenizer, no DOM): it collects the raw
 * fields the parser needs, row by row and from the page around the rows. Building a DOM first
 * (cheerio's load) costs more than everything the parser does with it on a 350 KB real page, and
 * a page is read once, front to back, so nothing needs the tree.
 *
 * What it knows of the page's shape (REFERENCE.md, docs/scraper.md and the real pages it was
 * checked against):
 * - metadata is microdata: `meta[itemprop]` under an `itemscope`. The page itself is an Article
 *   (posting user, posting date, the genre "tracklist"); the set is a MusicPlaylist (`#tlTab`:
 *   the set's name, date, genres, track count, the DJ as author). Both are kept, apart.
 * - rows are `div.tlpItem`; mashup parts are rows with `data-mashpos="true"` (class `tlpSubTog`).
 * - the cue script names the inner `tlpN_content` element of a row, not the row.
 * - recordings are "Player N [h:mm:ss]" tabs (`li#mediaLinkBtn<id>`), named by the cue entries' `idPlayer`.
 */
import { Parser } from "htmlparser2";
import { attributeIndex, tokenize, type TokenHandler } from "./tokenizer";

/** Which tokenizer feeds the reader: the fast one, or htmlparser2 (kept to check the fast one against, and for the benchmark). */
export type Tokenizer = "fast" | "htmlparser2";

export const MAX_ROWS = 2000;
/** Every attribute the reader looks at; the fast tokenizer stores no other. */
export const READ_ATTRIBUTES = attributeIndex(["class", "id", "itemscope", "itemtype", "itemprop", "content", "href", "title", "value", "data-trno", "data-mashpos", "data-mashup"]);
const MAX_CAPTURE = 2000;
const MAX_SCRIPT = 2_000_000;

export interface RowFields {
	elementId?: string;
	/** The id of the row's inner `…_content` element, which the cue script refers to. */
	contentId?: string;
	dataTrno?: string;
	con: boolean;
	/** A hidden part of a mashup (`data-mashpos="true"` or class `tlpSubTog`). */
	mashPart: boolean;
	/** The row of a mashup that has parts (class `subPosTog` or `data-mashup`). */
	mashup: boolean;
	cueInput?: string;
	cueDisplay?: string;
	numberText?: string;
	microName?: string;
	byArtist: string[];
	publisher?: string;
	duration?: string;
	genre?: string;
	url?: string;
	trackValue?: string;
	trackLabel?: string;
	editNote?: string;
	playCount?: string;
	players: string[];
	/** The credit's artists as the visible name links them: each name with its artist page. */
	artistLinks: Array<{ name: string; href: string }>;
}

export interface HeaderLink {
	href: string;
	text: string;
}

export interface PageFields {
	/** Metadata of the set (the MusicPlaylist scope): every value of each property, in order. */
	playlist: Map<string, string[]>;
	/** Metadata of the page around it (the Article scope, or no scope). */
	page: Map<string, string[]>;
	rows: RowFields[];
	/** Text and links of the title h1 (`#pageTitle`, or itself `h1#pageTitle`; else the first h1). */
	h1Text?: string;
	h1Links: HeaderLink[];
	titleText?: string;
	scripts: string[];
	/** Player tabs: media id → the N of "Player N". */
	players: Map<string, number>;
	/** Source boxes: source href → the kind the box gives ("Radio Show", "Event Location", …). */
	sourceKinds: Map<string, string>;
	idedText?: string;
	rowCount: number;
}

type CaptureKey =
	| "numberText"
	| "cueDisplay"
	| "trackValue"
	| "trackLabel"
	| "editNote"
	| "playCount"
	| "nestedName"
	| "h1"
	| "title"
	| "player"
	| "sourceKind"
	| "ided";

interface Capture {
	key: CaptureKey;
	depth: number;
	text: string;
}

interface Frame {
	name: string;
	/** The itemtype this element opens a scope of, if any. */
	scope?: string;
	/** itemprop of a nested item (byArtist / publisher without `content`). */
	nestedProp?: string;
	fTab?: boolean;
}

const hasClass = (value: string | undefined, cls: string): boolean => {
	if (!value) return false;
	let from = value.indexOf(cls);
	while (from !== -1) {
		const end = from + cls.length;
		if ((from === 0 || value.charCodeAt(from - 1) <= 32) && (end === value.length || value.charCodeAt(end) <= 32)) return true;
		from = value.indexOf(cls, end);
	}
	return false;
};

function push(map: Map<string, string[]>, key: string, value: string): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

/** Reads a page in one pass. Never throws on malformed HTML. */
export function readPage(html: string, tokenizer: Tokenizer = "fast"): PageFields {
	const page: PageFields = { playlist: new Map(), page: new Map(), rows: [], h1Links: [], scripts: [], players: new Map(), sourceKinds: new Map(), rowCount: 0 };
	const stack: Frame[] = [];
	const captures: Capture[] = [];
	let row: RowFields | undefined;
	let rowDepth = -1;
	let nested: { prop: string; depth: number; name?: string } | undefined;
	let h1State: "none" | "want" | "open" | "done" = "none";
	let h1Depth = -1;
	let firstH1: { text: string; links: HeaderLink[] } | undefined;
	let inFirstH1 = -1;
	let h1Link: HeaderLink | undefined;
	let inScript = false;
	let scriptText = "";
	let playerId: string | undefined;
	let fTab: { depth: number; href?: string; kind?: string } | undefined;
	let idedNext = false;
	let lastDivText = "";
	let runText = "";
	let artistName: string | undefined;

	const scopeOf = (): string | undefined => {
		for (let i = stack.length - 1; i >= 0; i--) if (stack[i].scope !== undefined) return stack[i].scope;
		return undefined;
	};
	const capture = (key: CaptureKey) => captures.push({ key, depth: stack.length, text: "" });

	const finish = (c: Capture) => {
		const text = c.text.replace(/\s+/g, " ").trim();
		if (c.key === "h1") page.h1Text ??= text;
		else if (c.key === "title") page.titleText ??= text;
		else if (c.key === "player") {
			const m = /^Player\s+(\d+)\b/i.exec(text);
			if (m && playerId) page.players.set(playerId, Number(m[1]));
		} else if (c.key === "sourceKind") {
			if (fTab && fTab.kind === undefined && text && !/^broadcasted\b/i.test(text)) fTab.kind = text;
		} else if (c.key === "ided") page.idedText ??= text;
		else if (c.key === "nestedName") {
			if (nested && nested.name === undefined) nested.name = text;
		} else if (row) {
			if (c.key === "numberText") row.numberText ??= text;
			else if (c.key === "cueDisplay") row.cueDisplay ??= text;
			else if (c.key === "trackValue") row.trackValue ??= text;
			else if (c.key === "trackLabel") row.trackLabel ??= text;
			else if (c.key === "editNote") row.editNote ??= text;
			else if (c.key === "playCount") row.playCount ??= text;
		}
	};

	const handler: TokenHandler = {
			onopentag(name, a) {
				runText = "";
				const frame: Frame = { name };
				const cls = a.class;
				const id = a.id;
				if (a.itemscope !== undefined) frame.scope = a.itemtype ?? "";
				stack.push(frame);
				const depth = stack.length;

				if (name === "script") {
					inScript = true;
					scriptText = "";
					return;
				}
				if (!row && name === "div" && hasClass(cls, "tlpItem")) {
					page.rowCount++;
					if (page.rows.length < MAX_ROWS) {
						row = {
							elementId: id,
							dataTrno: a["data-trno"],
							con: hasClass(cls, "con"),
							mashPart: a["data-mashpos"] === "true" || hasClass(cls, "tlpSubTog"),
							mashup: hasClass(cls, "subPosTog") || a["data-mashup"] !== undefined,
							byArtist: [],
							players: [],
							artistLinks: []
						};
						artistName = undefined;
						rowDepth = depth;
					}
					return;
				}
				if (row) {
					const prop = a.itemprop;
					if (id !== undefined) {
						if (name === "input" && id.endsWith("_cue_seconds")) row.cueInput ??= a.value;
						else if (id.endsWith("_tracknumber_value")) capture("numberText");
						else if (id.endsWith("_content")) row.contentId ??= id;
					}
					if (cls !== undefined) {
						if (name === "div" && hasClass(cls, "cue")) capture("cueDisplay");
						else if (hasClass(cls, "trackValue")) capture("trackValue");
						else if (hasClass(cls, "trackLabel")) capture("trackLabel");
						else if (hasClass(cls, "trackEditData")) capture("editNote");
						else if (hasClass(cls, "playC")) capture("playCount");
					}
					const title = a.title;
					// "Name<span title="open artist page"><a href="/artist/…">": the text just before names the artist.
					if (title === "open artist page") artistName = runText.trim();
					else if (name === "a" && artistName !== undefined && a.href) {
						if (a.href.includes("/artist/") || a.href.includes("/dj/")) row.artistLinks.push({ name: artistName, href: a.href });
						artistName = undefined;
					}
					if (title !== undefined && title.startsWith("open ") && title.endsWith(" player")) {
						const player = title.slice(5, -7).trim();
						if (player && !/affiliate/i.test(player) && !row.players.includes(player)) row.players.push(player);
					}
					if (prop !== undefined) {
						const content = a.content;
						if (prop === "byArtist" || prop === "publisher") {
							if (content !== undefined) {
								if (prop === "byArtist") row.byArtist.push(content);
								else row.publisher ??= content;
							} else {
								nested = { prop, depth };
								frame.nestedProp = prop;
								capture("nestedName");
							}
						} else if (name === "meta" && content !== undefined) {
							if (nested && prop === "name") nested.name ??= content;
							else if (prop === "name") row.microName ??= content;
							else if (prop === "duration") row.duration ??= content;
							else if (prop === "genre") row.genre ??= content;
							else if (prop === "url") row.url ??= content;
						}
					}
					return;
				}

				// Outside the rows.
				if (name === "meta" && a.itemprop !== undefined && a.content !== undefined) {
					const scope = scopeOf();
					if (scope !== undefined && /MusicPlaylist/i.test(scope)) push(page.playlist, a.itemprop, a.content);
					else if (scope === undefined || /Article/i.test(scope)) push(page.page, a.itemprop, a.content);
					return;
				}
				if (id === "pageTitle" && h1State === "none") {
					if (name === "h1") {
						h1State = "open";
						h1Depth = depth;
						page.h1Links = [];
						capture("h1");
					} else h1State = "want";
					return;
				}
				if (name === "h1") {
					if (h1State === "want") {
						h1State = "open";
						h1Depth = depth;
						page.h1Links = [];
						capture("h1");
					} else if (!firstH1 && h1State === "none") {
						firstH1 = { text: "", links: [] };
						inFirstH1 = depth;
					}
					return;
				}
				if (name === "a" && (h1State === "open" || inFirstH1 > 0) && a.href) {
					h1Link = { href: a.href, text: "" };
					(h1State === "open" ? page.h1Links : (firstH1?.links ?? [])).push(h1Link);
					return;
				}
				if (name === "title") capture("title");
				else if (name === "li" && id !== undefined && id.startsWith("mediaLinkBtn")) {
					playerId = id.slice("mediaLinkBtn".length);
					capture("player");
				} else if (name === "div") {
					if (hasClass(cls, "fTab")) {
						fTab = { depth };
						frame.fTab = true;
					} else if (fTab && hasClass(cls, "mtb5")) capture("sourceKind");
					else if (idedNext) {
						idedNext = false;
						capture("ided");
					}
					lastDivText = "";
				} else if (name === "a" && fTab && fTab.href === undefined && a.href && a.href.includes("/source/")) fTab.href = a.href;
			},

			ontext(text) {
				if (inScript) {
					if (scriptText.length < MAX_SCRIPT) scriptText += text;
					return;
				}
				for (const c of captures) if (c.text.length < MAX_CAPTURE) c.text += text;
				// Text between two tags; a tokenizer may hand it over in pieces (htmlparser2 splits at entities).
				runText += text;
				if (h1Link) h1Link.text += text;
				if (inFirstH1 > 0 && firstH1) firstH1.text += text;
				if (!row && stack[stack.length - 1]?.name === "div") lastDivText += text;
			},

			onclosetag(name) {
				runText = "";
				const depth = stack.length;
				const frame = stack.pop();
				if (name === "script" && inScript) {
					inScript = false;
					if (scriptText.includes("cueValuesEntry")) page.scripts.push(scriptText);
					scriptText = "";
				}
				for (let i = captures.length - 1; i >= 0; i--) {
					if (captures[i].depth >= depth) {
						finish(captures[i]);
						captures.splice(i, 1);
					}
				}
				if (frame?.nestedProp && nested && nested.depth === depth) {
					const value = nested.name?.replace(/\s+/g, " ").trim();
					if (row && value) {
						if (nested.prop === "byArtist") row.byArtist.push(value);
						else row.publisher ??= value;
					}
					nested = undefined;
				}
				if (name === "a") h1Link = undefined;
				if (h1State === "open" && depth === h1Depth) h1State = "done";
				if (inFirstH1 === depth) inFirstH1 = -1;
				if (frame?.fTab && fTab) {
					if (fTab.href && fTab.kind) page.sourceKinds.set(fTab.href, fTab.kind);
					fTab = undefined;
				}
				if (row && depth === rowDepth) {
					page.rows.push(row);
					row = undefined;
					rowDepth = -1;
				}
				if (name === "div" && !row && lastDivText.trim() === "IDed") idedNext = true;
			}
		};
	if (tokenizer === "fast") tokenize(html, handler, READ_ATTRIBUTES);
	else new Parser(handler, { decodeEntities: true }).end(html);
	if (row) page.rows.push(row);
	if (page.h1Text === undefined && firstH1) {
		page.h1Text = firstH1.text.replace(/\s+/g, " ").trim();
		page.h1Links = firstH1.links;
	}
	return page;
}
