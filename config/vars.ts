/**
 * Building blocks for configuration variables. Each variable states its default (or that it is
 * required) and how to check it, so a bad value fails at startup with a message naming it.
 */

export interface VarSpec<T> {
	/** One line for the README's configuration table. */
	doc: string;
	/** Shown in the README; `undefined` means the variable is optional and has no default. */
	defaultText: string;
	required: boolean;
	parse(raw: string | undefined, name: string): T;
}

export class ConfigError extends Error {
	constructor(readonly problems: string[]) {
		super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
		this.name = "ConfigError";
	}
}

function fail(name: string, expected: string, raw: string): never {
	throw new Error(`${name} must be ${expected} (got "${raw}")`);
}

function blank(raw: string | undefined): raw is undefined {
	return raw === undefined || raw.trim() === "";
}

export function int(def: number, doc: string, opts: { min?: number; max?: number } = {}): VarSpec<number> {
	const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
	return {
		doc,
		defaultText: String(def),
		required: false,
		parse(raw, name) {
			if (blank(raw)) return def;
			const value = Number(raw.trim());
			if (!Number.isInteger(value) || value < min || value > max) {
				fail(name, `an integer between ${min} and ${max}`, raw);
			}
			return value;
		}
	};
}

export function num(def: number, doc: string, opts: { min?: number; max?: number } = {}): VarSpec<number> {
	const { min = -Infinity, max = Infinity } = opts;
	return {
		doc,
		defaultText: String(def),
		required: false,
		parse(raw, name) {
			if (blank(raw)) return def;
			const value = Number(raw.trim());
			if (!Number.isFinite(value) || value < min || value > max) {
				fail(name, `a number between ${min} and ${max}`, raw);
			}
			return value;
		}
	};
}

export function port(def: number, doc: string): VarSpec<number> {
	return int(def, doc, { min: 0, max: 65535 });
}

export function bool(def: boolean, doc: string): VarSpec<boolean> {
	return {
		doc,
		defaultText: String(def),
		required: false,
		parse(raw, name) {
			if (blank(raw)) return def;
			const v = raw.trim().toLowerCase();
			if (["1", "true", "yes", "on"].includes(v)) return true;
			if (["0", "false", "no", "off"].includes(v)) return false;
			fail(name, "a boolean (true/false, 1/0, yes/no, on/off)", raw);
		}
	};
}

export function str(def: string, doc: string, pattern?: { re: RegExp; expected: string }): VarSpec<string> {
	return {
		doc,
		defaultText: def === "" ? "(empty)" : def,
		required: false,
		parse(raw, name) {
			if (blank(raw)) return def;
			const v = raw.trim();
			if (pattern && !pattern.re.test(v)) fail(name, pattern.expected, raw);
			return v;
		}
	};
}

export function oneOf<const T extends string>(values: readonly T[], def: T, doc: string): VarSpec<T> {
	return {
		doc: `${doc} One of: ${values.join(", ")}.`,
		defaultText: def,
		required: false,
		parse(raw, name) {
			if (blank(raw)) return def;
			const v = raw.trim() as T;
			if (!values.includes(v)) fail(name, `one of ${values.join(", ")}`, raw);
			return v;
		}
	};
}

/** A URL that may be left unset; when set, its scheme and shape are checked. */
export function optionalUrl(schemes: string[], expected: string, doc: string): VarSpec<string | undefined> {
	return {
		doc,
		defaultText: "(unset)",
		required: false,
		parse(raw, name) {
			if (blank(raw)) return undefined;
			const v = raw.trim();
			let url: URL;
			try {
				url = new URL(v);
			} catch {
				fail(name, expected, raw);
			}
			if (!schemes.includes(url.protocol.replace(/:$/, "")) || url.hostname === "") fail(name, expected, raw);
			return v;
		}
	};
}

/** An http(s) base URL with a default, used for upstreams so simulators and proxies can stand in. */
export function baseUrl(def: string, doc: string): VarSpec<string> {
	return {
		doc,
		defaultText: def,
		required: false,
		parse(raw, name) {
			if (blank(raw)) return def;
			const v = raw.trim().replace(/\/+$/, "");
			let url: URL;
			try {
				url = new URL(v);
			} catch {
				fail(name, "an http(s) URL such as https://host/path", raw);
			}
			if (url.protocol !== "http:" && url.protocol !== "https:") fail(name, "an http(s) URL", raw);
			return v;
		}
	};
}

/** A comma-separated list; empty entries are dropped. */
export function list(def: string[], doc: string, item?: { re: RegExp; expected: string }): VarSpec<string[]> {
	return {
		doc,
		defaultText: def.length ? def.join(",") : "(empty)",
		required: false,
		parse(raw, name) {
			if (blank(raw)) return def;
			const items = raw.split(",").map(s => s.trim()).filter(Boolean);
			for (const it of items) if (item && !item.re.test(it)) fail(name, `a comma-separated list of ${item.expected}`, raw);
			return items;
		}
	};
}

export function secret(doc: string): VarSpec<string | undefined> {
	return {
		doc,
		defaultText: "(unset)",
		required: false,
		parse(raw) {
			return blank(raw) ? undefined : raw.trim();
		}
	};
}

export type VarSpecs = Record<string, VarSpec<unknown>>;
export type ConfigOf<S extends VarSpecs> = { readonly [K in keyof S]: ReturnType<S[K]["parse"]> };
