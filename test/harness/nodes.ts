import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { ServiceBroker } from "moleculer";
import { attachConfig, testConfig, type Env } from "../../config";
import { brokerOptions } from "../../moleculer.config";

// Run from ts-jest (test/harness) or compiled into dist/test/harness by the benchmarks.
const ROOT = path.resolve(__dirname, "../..");
const ENTRY = path.basename(ROOT) === "dist" ? path.join(ROOT, "bin/cratedigger.js") : path.join(ROOT, "dist/bin/cratedigger.js");

export interface NodeProcess {
	readonly nodeID: string;
	readonly child: ChildProcess;
	/** Everything the node printed, for failure messages. */
	output(): string;
	kill(signal: NodeJS.Signals): void;
	/** Resolves with the exit code (or the signal's name). */
	exited(): Promise<number | string>;
}

/** Starts one cratedigger node as a separate OS process, from the compiled entry point. */
export function startNode(nodeID: string, env: Env, opts: { stdin?: boolean } = {}): NodeProcess {
	const child = spawn(process.execPath, [ENTRY], {
		env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ID: nodeID, LOG_FORMAT: "short", LOG_LEVEL: "warn", ...env },
		stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"]
	});
	let out = "";
	child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
	child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
	const exit = new Promise<number | string>(resolve => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
	return {
		nodeID,
		child,
		output: () => out,
		kill: signal => child.kill(signal),
		exited: () => exit
	};
}

/** A broker inside the test process that joins the cluster as an observer and caller. */
export function clientBroker(nodeID: string, env: Env): ServiceBroker {
	const config = testConfig({ NODE_ID: nodeID, LOG_LEVEL: "fatal", ...env });
	const broker = new ServiceBroker({ ...brokerOptions(config), logger: false, replOptions: null });
	attachConfig(broker, config);
	return broker;
}
