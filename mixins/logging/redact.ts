import { Loggers } from "moleculer";

/*
 * Secrets never reach a log line, at any level. moleculer-web logs every action's params at
 * debug ("Params: { email, password }"), errors carry the params they failed on, and a session
 * answer holds both tokens: so the logger itself redacts, whoever calls it.
 */

/** Keys whose values are secrets: passwords and their hashes, tokens, keys, cookies. */
const SECRET_KEY = /pass(word|phrase)?|secret|token|authorization|cookie|api[-_]?key|credential|verifier|private[-_]?key/i;
/** Secrets inside free text: bearer headers and anything shaped like a JWT. */
const SECRET_TEXT = [/\b(Bearer|Basic)\s+[\w.~+/=-]+/gi, /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]+/g];

export const REDACTED = "[redacted]";

function redactText(text: string): string {
	return SECRET_TEXT.reduce((out, re) => out.replace(re, m => (m.includes(" ") ? `${m.split(/\s+/)[0]} ${REDACTED}` : REDACTED)), text);
}

function isPlain(value: object): boolean {
	const proto = Object.getPrototypeOf(value) as unknown;
	return proto === Object.prototype || proto === null || Array.isArray(value);
}

/** A copy of `value` with secret-named fields and secret-looking text replaced; class instances other than errors pass as they are. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
	if (typeof value === "string") return redactText(value);
	if (typeof value !== "object" || value === null || depth > 8) return value;
	if (seen.has(value)) return value;
	seen.add(value);
	if (value instanceof Error) {
		const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, value, { message: redactText(value.message), stack: value.stack && redactText(value.stack) });
		const data = (value as { data?: unknown }).data;
		if (data !== undefined) (copy as { data?: unknown }).data = redact(data, depth + 1, seen);
		return copy;
	}
	if (!isPlain(value)) return value;
	if (Array.isArray(value)) return value.map(v => redact(v, depth + 1, seen));
	const out: Record<string, unknown> = {};
	for (const [key, inner] of Object.entries(value)) out[key] = SECRET_KEY.test(key) && inner !== undefined && inner !== null ? REDACTED : redact(inner, depth + 1, seen);
	return out;
}

/** Moleculer's console logger, with every argument redacted before it is formatted. */
export class RedactingConsoleLogger extends Loggers.Console {
	override getLogHandler(bindings: Parameters<InstanceType<typeof Loggers.Console>["getLogHandler"]>[0]) {
		const handler = super.getLogHandler(bindings);
		const level = bindings ? this.getLogLevel(bindings.mod) : null;
		if (!handler || !level) return null;
		// Lines below the level are dropped before the copy is made: moleculer-web logs every call's params at debug.
		const most = Loggers.Console.LEVELS.indexOf(level);
		return (type: Parameters<typeof handler>[0], args: unknown[]) => {
			if (Loggers.Console.LEVELS.indexOf(type) <= most) handler(type, args.map(a => redact(a)));
		};
	}
}
