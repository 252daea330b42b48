/**
 * A small HTML tokenizer for the page reader: open tags with their attributes, text and close
 * tags, in document order, with the nesting repaired the way browsers (and htmlparser2) do for
 * what these pages contain: void elements close at once, a close tag closes everything opened
 * after its element, `<p>`/`<li>`/`<option>`/table cells close their open sibling, script and
 * style are raw text, entities are decoded in text and attribute values.
 *
 * It exists for speed. htmlparser2 walks the page a character at a time through a state machine;
 * here V8's regular expressions find the tags, which on a 350 KB tracklist page is several times
 * faster (bench:scrape prints both). Its handler is htmlparser2's, and a test holds the two to the
 * same result on every fixture, generated page and fuzzed page. The attributes of tags the reader
 * never looks at (img, link, script, …) are not parsed.
 */
import { decodeHTML, decodeHTMLAttribute } from "entities";

export interface TokenHandler {
	onopentag(name: string, attribs: Record<string, string>): void;
	ontext(text: string): void;
	onclosetag(name: string): void;
}

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr", "keygen"]);
const RAW = new Set(["script", "style", "textarea", "title"]);
/** Opening the key closes an open element of these names on top of the stack (the parts of the HTML rules these pages meet). */
const CLOSES: Record<string, Set<string>> = {
	p: new Set(["p"]),
	li: new Set(["li"]),
	option: new Set(["option"]),
	dt: new Set(["dt", "dd"]),
	dd: new Set(["dt", "dd"]),
	tr: new Set(["tr", "td", "th"]),
	td: new Set(["td", "th"]),
	th: new Set(["td", "th"])
};
/** Block elements that close an open `<p>`. */
const CLOSES_P = new Set(["div", "ul", "ol", "table", "form", "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "footer", "nav", "article", "aside", "details", "summary", "pre", "blockquote", "hr", "dl", "fieldset"]);

/** Tags whose attributes the page reader never reads: not worth parsing (img alone is a fifth of a row). */
const NO_ATTRIBUTES = new Set(["img", "link", "br", "hr", "svg", "path", "style", "script", "noscript", "iframe", "source", "picture"]);
const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** An open tag from its `<` to its `>`, quoted values (which may hold `>`) included. */
const TAG = /<[a-zA-Z][^\s/>]*(?:[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>/y;

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/** Where the tag name starting at `from` ends (its characters: anything but space, `/` and `>`), or -1 when it does not start with a letter. */
function nameEnd(html: string, from: number): number {
	if (!isLetter(html.charCodeAt(from))) return -1;
	let i = from + 1;
	const n = html.length;
	while (i < n) {
		const c = html.charCodeAt(i);
		if (c === 62 /* > */ || c === 47 /* / */ || isSpace(c)) break;
		i++;
	}
	return i;
}

/** The names these pages are made of, as constants: set and property lookups with them are fast, and no slice is made. */
const COMMON_TAGS = attributeIndex(["a", "b", "i", "p", "br", "h1", "h2", "li", "ul", "td", "tr", "div", "img", "nav", "svg", "span", "meta", "link", "form", "path", "input", "title", "table", "label", "style", "button", "script", "select", "option", "iframe", "noscript", "section", "details", "summary", "textarea"]);

/** The tag name at [from, to), lower-cased only when it needs to be (the pages write them in lower case). */
function tagName(html: string, from: number, to: number): string {
	const common = keptName(html, from, to, false, COMMON_TAGS);
	if (common !== undefined) return common;
	for (let i = from; i < to; i++) {
		const c = html.charCodeAt(i);
		if (c >= 65 && c <= 90) return html.slice(from, to).toLowerCase();
	}
	return html.slice(from, to);
}

const decodeText = (t: string) => (t.includes("&") ? decodeHTML(t) : t);
const decodeAttr = (t: string) => (t.includes("&") ? decodeHTMLAttribute(t) : t);

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13 || c === 12;

/** Attribute names to keep, by length and first character, so a name is only sliced out of the page when it is one. */
export type AttributeIndex = Map<number, string[]>;

export function attributeIndex(names: Iterable<string>): AttributeIndex {
	const index: AttributeIndex = new Map();
	for (const name of names) {
		const key = (name.length << 8) | name.charCodeAt(0);
		index.set(key, [...(index.get(key) ?? []), name]);
	}
	return index;
}

/** The kept name the page spells at [start, end), or undefined. */
function keptName(html: string, start: number, end: number, upper: boolean, keep: AttributeIndex): string | undefined {
	if (upper) {
		const lower = html.slice(start, end).toLowerCase();
		return keep.get((lower.length << 8) | lower.charCodeAt(0))?.includes(lower) ? lower : undefined;
	}
	const candidates = keep.get(((end - start) << 8) | html.charCodeAt(start));
	if (candidates) for (const c of candidates) if (html.startsWith(c, start)) return c;
	return undefined;
}

/**
 * The attributes of the tag whose attribute text is html[from, to): names up to `=`, space or the
 * end; values quoted (found with indexOf) or up to a space. Read in place (through a slice of the page
 * every character costs more). With `keep`, only those names are stored: the others are stepped over
 * without slicing or decoding (a row's onclick handlers alone are a third of its bytes).
 */
function attributes(html: string, from: number, to: number, keep: AttributeIndex | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	let i = from;
	while (i < to) {
		let c = html.charCodeAt(i);
		if (isSpace(c) || c === 47 /* / */) {
			i++;
			continue;
		}
		const start = i;
		let upper = false;
		while (i < to) {
			c = html.charCodeAt(i);
			if (isSpace(c) || c === 61 /* = */ || c === 47) break;
			if (c >= 65 && c <= 90) upper = true;
			i++;
		}
		const name = keep === undefined ? (upper ? html.slice(start, i).toLowerCase() : html.slice(start, i)) : keptName(html, start, i, upper, keep);
		while (i < to && isSpace(html.charCodeAt(i))) i++;
		let value = "";
		if (html.charCodeAt(i) === 61) {
			i++;
			while (i < to && isSpace(html.charCodeAt(i))) i++;
			const q = html.charCodeAt(i);
			if (q === 34 || q === 39) {
				let end = html.indexOf(q === 34 ? '"' : "'", i + 1);
				if (end === -1 || end > to) end = to;
				if (name) value = html.slice(i + 1, end);
				i = end + 1;
			} else {
				const vs = i;
				while (i < to && !isSpace(html.charCodeAt(i))) i++;
				if (name) value = html.slice(vs, i);
			}
		}
		if (name && out[name] === undefined) out[name] = decodeAttr(value);
	}
	return out;
}

/** `keep`: the attribute names the handler reads (all when absent); htmlparser2 gives every one. */
export function tokenize(html: string, h: TokenHandler, keep?: AttributeIndex): void {
	const stack: string[] = [];
	const close = (depth: number) => {
		while (stack.length > depth) h.onclosetag(stack.pop() as string);
	};
	const open = (name: string, attribs: Record<string, string>) => {
		const closes = CLOSES[name];
		if (closes && stack.length && closes.has(stack[stack.length - 1])) close(stack.length - 1);
		else if (CLOSES_P.has(name) && stack[stack.length - 1] === "p") close(stack.length - 1);
		h.onopentag(name, attribs);
		if (VOID.has(name)) h.onclosetag(name);
		else stack.push(name);
	};
	let pos = 0;
	const n = html.length;
	while (pos < n) {
		const lt = html.indexOf("<", pos);
		if (lt === -1) {
			h.ontext(decodeText(html.slice(pos)));
			break;
		}
		if (lt > pos) h.ontext(decodeText(html.slice(pos, lt)));
		const next = html.charCodeAt(lt + 1);
		if (next === 33 /* ! */) {
			// Comments, doctype, CDATA: nothing the reader wants.
			const end = html.startsWith("<!--", lt) ? html.indexOf("-->", lt + 4) : html.indexOf(">", lt + 2);
			pos = end === -1 ? n : end + (html.startsWith("<!--", lt) ? 3 : 1);
			continue;
		}
		if (next === 47 /* / */) {
			const end = nameEnd(html, lt + 2);
			const gt = end === -1 ? -1 : html.indexOf(">", end);
			if (gt === -1) {
				h.ontext("<");
				pos = lt + 1;
				continue;
			}
			const name = tagName(html, lt + 2, end);
			const at = stack.lastIndexOf(name);
			if (at !== -1) close(at);
			else if (name === "p" || name === "br") {
				// Browsers make an element of a stray </p> or </br>.
				h.onopentag(name, {});
				h.onclosetag(name);
			}
			pos = gt + 1;
			continue;
		}
		TAG.lastIndex = lt;
		if (!TAG.test(html)) {
			h.ontext("<");
			pos = lt + 1;
			continue;
		}
		const end = nameEnd(html, lt + 1);
		const name = tagName(html, lt + 1, end);
		open(name, NO_ATTRIBUTES.has(name) ? EMPTY : attributes(html, end, TAG.lastIndex - 1, keep));
		pos = TAG.lastIndex;
		if (RAW.has(name)) {
			// Raw text up to the matching close tag, whatever it holds.
			const lower = `</${name}`;
			let end = html.indexOf(lower, pos);
			if (end === -1) {
				const upper = html.slice(pos).toLowerCase().indexOf(lower);
				end = upper === -1 ? n : pos + upper;
			}
			const text = html.slice(pos, end);
			if (text) h.ontext(name === "script" || name === "style" ? text : decodeText(text));
			const gt = html.indexOf(">", end);
			pos = gt === -1 ? n : gt + 1;
			close(stack.lastIndexOf(name));
		}
	}
	close(0);
}
