/** Malformed values put on the wire: in a JSON body, a query string or a path segment. */
import { RawBytes, RawJson } from "./values";

/** What the server ends up holding for a field's value after parsing (1e400 is Infinity, bad bytes are U+FFFD). */
export function effective(value: unknown): unknown {
	if (value instanceof RawJson) return JSON.parse(value.text) as unknown;
	if (value instanceof RawBytes) return value.bytes.toString("utf8");
	return value;
}

/** JSON text of `body`, with RawJson spliced in as-is and RawBytes as raw bytes inside their string. */
export function jsonBody(body: unknown): Buffer {
	const raws: Array<RawJson | RawBytes> = [];
	const text = JSON.stringify(body, (_k, v: unknown) => {
		if (v instanceof RawJson || v instanceof RawBytes) {
			raws.push(v);
			return `@@RAW${raws.length - 1}@@`;
		}
		return v;
	});
	const parts: Buffer[] = [];
	let rest = text;
	raws.forEach((raw, i) => {
		const marker = `"@@RAW${i}@@"`;
		const at = rest.indexOf(marker);
		parts.push(Buffer.from(rest.slice(0, at), "utf8"));
		parts.push(raw instanceof RawJson ? Buffer.from(raw.text) : Buffer.concat([Buffer.from('"'), raw.bytes, Buffer.from('"')]));
		rest = rest.slice(at + marker.length);
	});
	parts.push(Buffer.from(rest, "utf8"));
	return Buffer.concat(parts);
}

/** Percent-encodes text; lone surrogates (which encodeURIComponent refuses) go as their WTF-8 bytes. */
export function percent(text: string): string {
	let out = "";
	for (const ch of text) {
		const code = ch.codePointAt(0) ?? 0;
		if (code >= 0xd800 && code <= 0xdfff) out += Buffer.from([0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]).toString("hex").replace(/(..)/g, "%$1").toUpperCase();
		else out += encodeURIComponent(ch);
	}
	return out;
}

/** One query-string value in the bracket syntax the gateway's parser (qs) reads: a[b]=, a[]=. */
export function queryPairs(name: string, value: unknown): string[] {
	if (value instanceof RawBytes) return [`${percent(name)}=${value.percent}`];
	if (value instanceof RawJson) return [`${percent(name)}=${percent(value.text)}`];
	if (Array.isArray(value)) return value.length === 0 ? [`${percent(name)}[]=`] : value.flatMap(v => queryPairs(`${name}[]`, v));
	if (value && typeof value === "object") {
		const entries = Object.entries(value);
		return entries.length === 0 ? [`${percent(name)}[]=`] : entries.flatMap(([k, v]) => queryPairs(`${name}[${k}]`, v));
	}
	return [`${percent(name)}=${value === null ? "" : percent(String(value))}`];
}

/** One path segment: text percent-encoded (slashes included), raw bytes as their escapes. */
export function pathSegment(value: unknown): string {
	if (value instanceof RawBytes) return value.percent;
	if (value instanceof RawJson) return percent(value.text);
	return percent(typeof value === "string" ? value : JSON.stringify(value));
}
