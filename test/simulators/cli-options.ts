import type { CatalogOptions } from "./catalog";
import type { FaultSettings } from "./faults";
import type { SimulatorPairOptions } from "./pair";

type Kind = "number" | "string" | "boolean" | "list";

const CATALOG_KEYS = {
	seed: "number",
	artists: "number",
	albumsPerArtist: "number",
	tracksPerAlbum: "number",
	tracks: "number",
	trackCountJitter: "number",
	featureRate: "number",
	connected: "boolean",
	deezerBpmUnknownRate: "number",
	deezerMissingRate: "number",
	bpmOctaveErrorRate: "number",
	audioFeaturesMissingRate: "number",
	malformedArtists: "number",
	malformedAlbums: "number",
	malformedTracks: "number"
} as const satisfies Record<keyof Omit<CatalogOptions, "albumTypeWeights">, Kind>;

const FAULT_KEYS = {
	errorRate: "number",
	timeoutRate: "number",
	malformedRate: "number",
	truncatedPageRate: "number",
	timeoutMs: "number",
	malformedIds: "list"
} as const satisfies Record<keyof FaultSettings, Kind>;

const OTHER_KEYS = {
	host: "string",
	mode: "string",
	clientId: "string",
	clientSecret: "string",
	tokenTtlSec: "number",
	spotifyPort: "number",
	spotifyMaxPerWindow: "number",
	spotifyWindowMs: "number",
	spotifyFaultSeed: "number",
	deezerPort: "number",
	deezerMaxPerWindow: "number",
	deezerWindowMs: "number",
	deezerMaxLimit: "number",
	deezerFaultSeed: "number",
	latencyMinMs: "number",
	latencyMaxMs: "number"
} as const;

type Value = number | string | boolean | string[];

function kindOf(key: string): Kind | undefined {
	const all: Record<string, Kind> = { ...CATALOG_KEYS, ...FAULT_KEYS, ...OTHER_KEYS };
	if (all[key]) return all[key];
	const provider = /^(spotify|deezer)([A-Z].*)$/.exec(key);
	if (provider) {
		const base = provider[2][0].toLowerCase() + provider[2].slice(1);
		return (FAULT_KEYS as Record<string, Kind>)[base];
	}
	return undefined;
}

function camel(name: string): string {
	return name.toLowerCase().replace(/[-_]([a-z])/g, (_, c: string) => c.toUpperCase());
}

function convert(key: string, raw: string, kind: Kind): Value {
	switch (kind) {
		case "number": {
			const n = /^(inf|infinity|unlimited)$/i.test(raw) ? Infinity : Number(raw);
			if (Number.isNaN(n)) throw new Error(`--${key} needs a number, got "${raw}"`);
			return n;
		}
		case "boolean":
			return !/^(0|false|no|off)$/i.test(raw);
		case "list":
			return raw.split(",").map((s) => s.trim()).filter(Boolean);
		default:
			return raw;
	}
}

/**
 * Reads `--name=value`, `--name value` or `--flag` from argv (kebab- or camelCase), falling back to
 * `SIM_NAME` environment variables. Fault options apply to both providers unless prefixed
 * (`--spotify-error-rate`, `SIM_DEEZER_TIMEOUT_RATE`).
 */
export function parseSimulatorArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): SimulatorPairOptions {
	const values = new Map<string, Value>();
	const put = (rawName: string, raw: string, origin: string): void => {
		const key = rawName.includes("-") || rawName.includes("_") || rawName === rawName.toUpperCase() ? camel(rawName) : rawName;
		const kind = kindOf(key);
		if (!kind) throw new Error(`unknown simulator option ${origin}`);
		values.set(key, convert(key, raw, kind));
	};
	for (const [name, raw] of Object.entries(env)) {
		if (name.startsWith("SIM_") && raw !== undefined) put(name.slice(4), raw, name);
	}
	for (let i = 0; i < argv.length; i++) {
		const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
		if (!m) throw new Error(`unexpected argument ${argv[i]}`);
		let raw = m[2];
		if (raw === undefined) raw = argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") ? argv[++i] : "true";
		put(m[1], raw, `--${m[1]}`);
	}
	return build(values);
}

function build(values: Map<string, Value>): SimulatorPairOptions {
	const num = (key: string): number | undefined => {
		const v = values.get(key);
		return typeof v === "number" ? v : undefined;
	};
	const str = (key: string): string | undefined => {
		const v = values.get(key);
		return typeof v === "string" ? v : undefined;
	};
	const catalog: Record<string, Value> = {};
	for (const key of Object.keys(CATALOG_KEYS)) {
		const v = values.get(key);
		if (v !== undefined) catalog[key] = v;
	}
	const faults = (prefix: string): FaultSettings => {
		const out: Record<string, Value> = {};
		for (const key of Object.keys(FAULT_KEYS)) {
			const v = values.get(prefix + key[0].toUpperCase() + key.slice(1)) ?? values.get(key);
			if (v !== undefined) out[key] = v;
		}
		return out as FaultSettings;
	};
	const latencyMax = num("latencyMaxMs");
	const latency = latencyMax === undefined ? undefined : { minMs: num("latencyMinMs") ?? 0, maxMs: latencyMax };
	const mode = str("mode");
	if (mode !== undefined && mode !== "extended" && mode !== "development") throw new Error(`--mode must be extended or development, got "${mode}"`);
	return {
		catalog: catalog as CatalogOptions,
		spotify: {
			host: str("host"),
			port: num("spotifyPort"),
			mode,
			clientId: str("clientId"),
			clientSecret: str("clientSecret"),
			tokenTtlSec: num("tokenTtlSec"),
			maxPerWindow: num("spotifyMaxPerWindow"),
			windowMs: num("spotifyWindowMs"),
			faultSeed: num("spotifyFaultSeed"),
			faults: faults("spotify"),
			latency
		},
		deezer: {
			host: str("host"),
			port: num("deezerPort"),
			maxPerWindow: num("deezerMaxPerWindow"),
			windowMs: num("deezerWindowMs"),
			maxLimit: num("deezerMaxLimit"),
			faultSeed: num("deezerFaultSeed"),
			faults: faults("deezer"),
			latency
		}
	};
}
