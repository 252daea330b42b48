import { spawn, type ChildProcess } from "node:child_process";
import { findBinary } from "./binaries";
import { freePort, waitForPort } from "./ports";

export interface ServerProcess {
	readonly port: number;
	readonly url: string;
	/** Stops the server and waits for it to exit. */
	stop(): Promise<void>;
	/** Starts it again on the same port (after stop). */
	restart(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise(resolve => child.once("exit", () => resolve()));
}

async function startServer(binary: string, argsFor: (port: number) => string[], scheme: string): Promise<ServerProcess> {
	const path = findBinary(binary);
	if (!path) throw new Error(`${binary} is not installed`);
	const port = await freePort();
	let child: ChildProcess | undefined;
	const launch = async () => {
		child = spawn(path, argsFor(port), { stdio: "ignore" });
		await waitForPort(port);
	};
	await launch();
	return {
		port,
		url: `${scheme}://127.0.0.1:${port}`,
		async stop() {
			if (!child) return;
			const c = child;
			child = undefined;
			c.kill("SIGTERM");
			await exited(c);
		},
		restart: launch
	};
}

/** A throwaway redis-server that keeps nothing on disk. */
export function startRedis(): Promise<ServerProcess> {
	return startServer("redis-server", port => ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], "redis");
}

/** A throwaway nats-server. */
export function startNats(): Promise<ServerProcess> {
	return startServer("nats-server", port => ["-a", "127.0.0.1", "-p", String(port)], "nats");
}
