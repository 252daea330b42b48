import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { allVars, ConfigError, configTable, envExample, loadConfig, readEnv } from "../../config";

function problemsOf(env: Record<string, string>): string[] {
	try {
		loadConfig(env);
	} catch (err) {
		if (err instanceof ConfigError) return err.problems;
		throw err;
	}
	return [];
}

describe("configuration", () => {
	it("starts on defaults alone: no transporter, embedded store, gateway on 3000", () => {
		const config = loadConfig({});
		expect(config.TRANSPORTER).toBeUndefined();
		expect(config.MONGO_URL).toBeUndefined();
		expect(config.REDIS_URL).toBeUndefined();
		expect(config.DATA_DIR).toBe("./data");
		expect(config.PORT).toBe(3000);
		expect(config.SERVICES).toEqual([]);
	});

	it("names the variable and what it expects when a value is bad", () => {
		expect(problemsOf({ REDIS_URL: "localhost:6379" })).toEqual(['REDIS_URL must be redis://host:port (got "localhost:6379")']);
		expect(problemsOf({ TRANSPORTER: "tcp://x" })[0]).toMatch(/^TRANSPORTER must be nats:\/\/host:port/);
		expect(problemsOf({ PORT: "70000" })[0]).toMatch(/^PORT must be an integer between 0 and 65535/);
		expect(problemsOf({ LOG_LEVEL: "loud" })[0]).toMatch(/^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace/);
		expect(problemsOf({ REPL: "maybe" })[0]).toMatch(/^REPL must be a boolean/);
		expect(problemsOf({ MONGO_URL: "postgres://x" })[0]).toMatch(/^MONGO_URL must be mongodb:\/\//);
	});

	it("refuses SCRAPER_ALLOW_PRIVATE_ADDRESSES=true with NODE_ENV=production, naming the variable", () => {
		const production = { NODE_ENV: "production", JWT_SECRET: "x".repeat(40) };
		expect(problemsOf({ ...production, SCRAPER_ALLOW_PRIVATE_ADDRESSES: "true" })).toEqual([expect.stringMatching(/^SCRAPER_ALLOW_PRIVATE_ADDRESSES must not be true when NODE_ENV=production/)]);
		expect(problemsOf(production)).toEqual([]);
		expect(problemsOf({ NODE_ENV: "test", SCRAPER_ALLOW_PRIVATE_ADDRESSES: "true" })).toEqual([]);
	});

	it("reports every bad variable at once", () => {
		expect(problemsOf({ PORT: "x", METRICS_PORT: "-1", NODE_ID: "has space" })).toHaveLength(3);
	});

	it("parses lists, booleans and numbers", () => {
		const config = loadConfig({ SERVICES: "api, scheduler,,catalog", REPL: "yes", HEARTBEAT_INTERVAL: "2" });
		expect(config.SERVICES).toEqual(["api", "scheduler", "catalog"]);
		expect(config.REPL).toBe(true);
		expect(config.HEARTBEAT_INTERVAL).toBe(2);
	});

	it("reads a .env file, and the real environment wins over it", () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cd-env-"));
		fs.writeFileSync(path.join(dir, ".env"), "PORT=4000\nLOG_LEVEL=debug\n");
		const env = readEnv({ LOG_LEVEL: "warn" }, dir);
		const config = loadConfig(env);
		expect(config.PORT).toBe(4000);
		expect(config.LOG_LEVEL).toBe("warn");
	});

	it("the README's table lists every variable", () => {
		const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
		for (const name of Object.keys(allVars)) expect(readme).toContain(`| \`${name}\` |`);
		expect(readme).toContain(configTable());
	});

	it(".env.example lists every variable at its default", () => {
		const example = fs.readFileSync(path.join(__dirname, "../../.env.example"), "utf8");
		for (const name of Object.keys(allVars)) expect(example).toMatch(new RegExp(`^# ${name}=`, "m"));
		// Run `npm run config:table` after changing config/.
		expect(example).toBe(envExample());
		// Commented out, a copied file changes nothing; uncommented, every line must parse.
		const uncommented = Object.fromEntries(
			example
				.split("\n")
				.filter(line => /^# [A-Z][A-Z0-9_]+=/.test(line))
				.map(line => line.slice(2).split("=", 2) as [string, string])
				.filter(([, value]) => value !== "")
		);
		expect(() => loadConfig(uncommented)).not.toThrow();
	});
});
