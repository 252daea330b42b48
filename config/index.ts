import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseDotenv } from "dotenv";
import { brokerVars, gatewayVars } from "./broker";
import { storeVars } from "./store";
import { crawlVars } from "./crawl";
import { limitVars } from "./limits";
import { upstreamProblems, upstreamVars } from "./upstreams";
import { authProblems, authVars } from "./auth";
import { scraperProblems, scraperVars } from "./scraper";
import { insightsVars } from "./insights";
import { analysisVars } from "./analysis";
import { statusVars } from "./status";
import { recommendationsVars } from "./recommendations";
import { ConfigError, type ConfigOf, type VarSpecs } from "./vars";

/** Every configuration variable, grouped by concern. The README's table is generated from this. */
export const configGroups = {
	"Node and cluster": brokerVars,
	Gateway: gatewayVars,
	Stores: storeVars,
	Crawl: crawlVars,
	Upstreams: upstreamVars,
	"Rate limits": limitVars,
	"Users and auth": authVars,
	Scraper: scraperVars,
	Insights: insightsVars,
	"Tempo analysis": analysisVars,
	"Recommendations and playlists": recommendationsVars,
	"Status page": statusVars
} satisfies Record<string, VarSpecs>;

export const allVars = {
	...brokerVars,
	...gatewayVars,
	...storeVars,
	...crawlVars,
	...upstreamVars,
	...limitVars,
	...authVars,
	...scraperVars,
	...insightsVars,
	...analysisVars,
	...recommendationsVars,
	...statusVars
};

export type Config = ConfigOf<typeof allVars>;
export type Env = Record<string, string | undefined>;

/** Reads `.env` from `dir` when present; the real environment wins over the file. */
export function readEnv(env: Env = process.env, dir = process.cwd()): Env {
	const file = path.join(dir, ".env");
	const fromFile = fs.existsSync(file) ? parseDotenv(fs.readFileSync(file)) : {};
	return { ...fromFile, ...env };
}

/** Parses and validates every variable, collecting all problems before failing. */
export function loadConfig(env: Env = readEnv()): Config {
	const problems: string[] = [];
	const out: Record<string, unknown> = {};
	for (const [name, spec] of Object.entries(allVars as VarSpecs)) {
		try {
			out[name] = spec.parse(env[name], name);
		} catch (err) {
			problems.push((err as Error).message);
		}
	}
	if (problems.length) throw new ConfigError(problems);
	const config = out as Config;
	const crossChecks = [...upstreamProblems(config), ...authProblems(config), ...scraperProblems(config)];
	if (config.HEARTBEAT_TIMEOUT <= config.HEARTBEAT_INTERVAL) crossChecks.push("HEARTBEAT_TIMEOUT must be greater than HEARTBEAT_INTERVAL");
	const handlesTokens = config.SERVICES.length === 0 || config.SERVICES.some(s => s === "api" || s === "users");
	if (config.NODE_ENV === "production" && !config.JWT_SECRET) crossChecks.push("JWT_SECRET must be set when NODE_ENV=production");
	else if (config.TRANSPORTER && handlesTokens && !config.JWT_SECRET) {
		crossChecks.push("JWT_SECRET must be set on cluster nodes running api or users, so every node signs and checks the same tokens");
	}
	if (crossChecks.length) throw new ConfigError(crossChecks);
	return config;
}

/** The README's configuration table, in Markdown. */
export function configTable(): string {
	const rows: string[] = [];
	for (const [group, vars] of Object.entries(configGroups as Record<string, VarSpecs>)) {
		if (Object.keys(vars).length === 0) continue;
		rows.push(`| **${group}** | | |`);
		for (const [name, spec] of Object.entries(vars)) {
			const def = name === "NODE_ID" ? "hostname-pid" : spec.defaultText;
			rows.push(`| \`${name}\` | ${def.replace(/\|/g, "\\|")} | ${spec.doc} |`);
		}
	}
	return ["| Variable | Default | Meaning |", "|---|---|---|", ...rows].join("\n");
}

/**
 * The text of `.env.example`: every variable, grouped as in the README, commented out at its
 * default so a copied file changes nothing until a line is edited.
 */
export function envExample(): string {
	const out = [
		"# cratedigger configuration. Copy to .env (the environment wins over the file) and uncomment what you change.",
		"# Generated from config/ by `npm run config:table`, like the README's table; every variable is checked at start-up.",
		"#",
		"# Required on cluster nodes (TRANSPORTER set) that run api or users, and whenever NODE_ENV=production:",
		"#   JWT_SECRET, 32+ characters, the same on every node, e.g. from `openssl rand -hex 32`."
	];
	for (const [group, vars] of Object.entries(configGroups as Record<string, VarSpecs>)) {
		if (Object.keys(vars).length === 0) continue;
		out.push("", `# --- ${group} ---`);
		for (const [name, spec] of Object.entries(vars)) {
			const def = name === "NODE_ID" ? "" : spec.defaultText === "(empty)" || spec.defaultText === "(unset)" ? "" : spec.defaultText;
			out.push(`# ${spec.doc}`, `# ${name}=${def}`);
		}
	}
	return `${out.join("\n")}\n`;
}

export { ConfigError };

/*
 * Each broker carries its own configuration, so tests can run brokers with different settings side
 * by side. A broker without one falls back to the process environment, read once.
 */
const byBroker = new WeakMap<object, Config>();
let fromEnvironment: Config | undefined;

export function attachConfig(broker: object, config: Config): void {
	byBroker.set(broker, config);
}

export function configFor(broker: object): Config {
	const attached = byBroker.get(broker);
	if (attached) return attached;
	fromEnvironment ??= loadConfig();
	return fromEnvironment;
}

/** A configuration for tests: defaults, an in-memory store, no metrics port, plus overrides. */
export function testConfig(overrides: Env = {}): Config {
	// A fixed secret, so brokers of one test (a client joining a cluster, say) accept each other's tokens.
	return loadConfig({
		STORE_IN_MEMORY: "true",
		METRICS_ENABLED: "false",
		LOG_LEVEL: "warn",
		JWT_SECRET: "test-only-secret-not-for-production-0001",
		...overrides
	});
}
