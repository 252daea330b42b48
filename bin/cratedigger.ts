#!/usr/bin/env node
/**
 * The one entry point of every cratedigger node. Without TRANSPORTER it runs every service in one
 * process; with TRANSPORTER and SERVICES it is one node of a cluster running just those services.
 */
import "./compile-cache";
import * as fs from "node:fs";
import { ServiceBroker } from "moleculer";
import { attachConfig, ConfigError, loadConfig, readEnv, type Config } from "../config";
import { brokerOptions } from "../moleculer.config";
import { selectServices } from "../services";
import { logSeedingHint } from "./first-start-hint";

function configOrExit(): Config {
	try {
		return loadConfig(readEnv());
	} catch (err) {
		// A bad value is an operator's mistake: say which variable and what it should be, no stack.
		process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
		process.exit(78); // EX_CONFIG
	}
}

/**
 * Everything a node writes is its own: the store's folder 0700 and its files 0600, whichever
 * adapter writes them. The umask covers files made later; the folder is made here, before any
 * service, so no adapter makes it first with wider rights.
 */
function privateFiles(config: Config): void {
	process.umask(0o077);
	if (config.MONGO_URL || config.STORE_IN_MEMORY) return;
	fs.mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
}

async function main(): Promise<void> {
	const config = configOrExit();
	privateFiles(config);
	let services;
	try {
		services = selectServices(config.SERVICES);
	} catch (err) {
		process.stderr.write(`${(err as Error).message}\n`);
		process.exit(78);
	}

	// A port already taken surfaces as an unhandled 'error' event with a stack; say which setting.
	process.on("uncaughtException", err => {
		const e = err as NodeJS.ErrnoException & { port?: number };
		if (e.code !== "EADDRINUSE") throw err;
		const which = e.port === config.METRICS_PORT ? "METRICS_PORT" : e.port === config.PORT ? "PORT" : "a port setting";
		process.stderr.write(`port ${e.port ?? "?"} is in use by another program: set ${which} to a free port (METRICS_PORT=0 picks one)\n`);
		process.exit(78);
	});

	const broker = new ServiceBroker(brokerOptions(config));
	attachConfig(broker, config);
	if (config.SCRAPER_ALLOW_PRIVATE_ADDRESSES) {
		broker.logger.warn(
			"SECURITY: SCRAPER_ALLOW_PRIVATE_ADDRESSES=true: the scraper may fetch loopback, private and link-local addresses (SSRF). This is for tests only; never run it facing users."
		);
	}
	for (const schema of services) broker.createService(schema);

	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		broker.logger.info(`${signal} received: stopping gracefully`);
		// A second signal while draining means "now".
		process.once("SIGINT", () => process.exit(130));
		process.once("SIGTERM", () => process.exit(143));
		try {
			await broker.stop();
			process.exit(0);
		} catch (err) {
			broker.logger.error("Error while stopping", err);
			process.exit(1);
		}
	};
	process.once("SIGINT", () => void stop("SIGINT"));
	process.once("SIGTERM", () => void stop("SIGTERM"));

	await broker.start();
	await logSeedingHint(broker, config).catch(err => broker.logger.debug(`no seeding hint: ${(err as Error).message}`));
	if (config.REPL || process.argv.includes("--repl")) await broker.repl();
}

main().catch(err => {
	process.stderr.write(`cratedigger failed to start: ${(err as Error).stack ?? String(err)}\n`);
	process.exit(1);
});
