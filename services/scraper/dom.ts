/**
 * A few walks over the parsed document. The parser visits each node once instead of running a
 * CSS selector per field per row: on a 100-track page that is the difference between parsing
 * and selector compilation dominating the time.
 */
import { load } from "cheerio";
import type { AnyNode, Document, Element } from "domhandler";

export type { Element };

/** The document, parsed with htmlparser2 (forgiving and fast); cheerio's own default is parse5. */
export function parseDocument(html: string): Document {
	return load(html, { xml: { xmlMode: false, decodeEntities: true } }).root()[0] as Document;
}

export function isElement(node: AnyNode): node is Element {
	return node.type === "tag" || node.type === "script" || node.type === "style";
}

/** Depth-first, document order. `visit` returning false skips the element's children. */
export function walk(node: AnyNode, visit: (el: Element) => boolean | void): void {
	const stack: AnyNode[] = [node];
	while (stack.length) {
		const current = stack.pop() as AnyNode;
		if (isElement(current) && current !== node && visit(current) === false) continue;
		const children = "children" in current ? current.children : undefined;
		if (children) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
	}
}

export function attr(el: Element, name: string): string | undefined {
	return el.attribs[name];
}

export function hasClass(el: Element, cls: string): boolean {
	const value = el.attribs.class;
	// Called for most elements of a page: no allocation on the common paths.
	if (!value) return false;
	let from = value.indexOf(cls);
	while (from !== -1) {
		const end = from + cls.length;
		const before = from === 0 ? " " : value[from - 1];
		const after = end === value.length ? " " : value[end];
		if (/\s/.test(before) && /\s/.test(after)) return true;
		from = value.indexOf(cls, end);
	}
	return false;
}

/** The text of a node and its descendants, whitespace collapsed. */
export function textOf(node: AnyNode): string {
	let out = "";
	const stack: AnyNode[] = [node];
	while (stack.length) {
		const current = stack.pop() as AnyNode;
		if (current.type === "text") out += current.data;
		else if ("children" in current) {
			for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i]);
		}
	}
	return out.replace(/\s+/g, " ").trim();
}

/** The first element below `node` (not itself) for which `test` holds. */
export function findFirst(node: AnyNode, test: (el: Element) => boolean): Element | undefined {
	let found: Element | undefined;
	walk(node, el => {
		if (found) return false;
		if (test(el)) found = el;
	});
	return found;
}
