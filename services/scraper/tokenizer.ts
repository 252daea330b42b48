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

const TAG = /<([a-zA-Z][^\s/>]*)([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)>/y;
const CLOSE = /<\/([a-zA-Z][^\s/>]*)[^>]*>/y;

const decodeText = (t: string) => (t.includes("&") ? decodeHTML(t) : t);
const decodeAttr = (t: string) => (t.includes("&") ? decodeHTMLAttribute(t) : t);

const isSpace = (c: number) => c === 32 || c === 10 || c === 9 || c === 13 || c === 12;

/** The attributes of a tag: names up to `=`, space or the end; values quoted (found with indexOf) or up to a space. */
function attributes(raw: string): Record<string, string> {
	const out: Record<string, string> = {};
	const n = raw.length;
	let i = 0;
	while (i < n) {
		let c = raw.charCodeAt(i);
		if (isSpace(c) || c === 47 /* / */) {
			i++;
			continue;
		}
		const start = i;
		while (i < n) {
			c = raw.charCodeAt(i);
			if (isSpace(c) || c === 61 /* = */ || c === 47) break;
			i++;
		}
		const name = raw.slice(start, i).toLowerCase();
		while (i < n && isSpace(raw.charCodeAt(i))) i++;
		let value = "";
		if (raw.charCodeAt(i) === 61) {
			i++;
			while (i < n && isSpace(raw.charCodeAt(i))) i++;
			const q = raw.charCodeAt(i);
			if (q === 34 || q === 39) {
				const end = raw.indexOf(q === 34 ? '"' : "'", i + 1);
				value = raw.slice(i + 1, end === -1 ? n : end);
				i = end === -1 ? n : end + 1;
			} else {
				const vs = i;
				while (i < n && !isSpace(raw.charCodeAt(i))) i++;
				value = raw.slice(vs, i);
			}
		}
		if (name && !(name in out)) out[name] = decodeAttr(value);
	}
	return out;
}

export function tokenize(html: string, h: TokenHandler): void {
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
			CLOSE.lastIndex = lt;
			const m = CLOSE.exec(html);
			if (!m) {
				h.ontext("<");
				pos = lt + 1;
				continue;
			}
			const name = m[1].toLowerCase();
			const at = stack.lastIndexOf(name);
			if (at !== -1) close(at);
			else if (name === "p" || name === "br") {
				// Browsers make an element of a stray </p> or </br>.
				h.onopentag(name, {});
				h.onclosetag(name);
			}
			pos = CLOSE.lastIndex;
			continue;
		}
		TAG.lastIndex = lt;
		const m = TAG.exec(html);
		if (!m) {
			h.ontext("<");
			pos = lt + 1;
			continue;
		}
		const name = m[1].toLowerCase();
		open(name, NO_ATTRIBUTES.has(name) ? EMPTY : attributes(m[2]));
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
