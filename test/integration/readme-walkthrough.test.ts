/**
 * The README is executable truth: its Quick start and its "several terminals" cluster are run
 * here as written, each command in a shell of its own (one per terminal), and every answer the
 * README promises (`# → …` after a command) is checked. Only the ports are swapped for free ones.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { eventually, freePort, waitForPort } from "../harness/ports";
import { readmeBlock, withPorts, type Step } from "../harness/readme";

const ROOT = path.resolve(__dirname, "../..");
/** Commands the test does not repeat, and why. */
const ALREADY_DONE: Record<string, string> = {
	"npm install": "the test runs in an installed checkout",
	"npm run build": "npm test built dist/ before any test ran"
};
const ANSWER_WITHIN_MS = 120_000;

interface Shell {
	readonly child: ChildProcess;
	output(): string;
	write(line: string): void;
	stop(): Promise<void>;
}

/** One terminal: bash running a README command, in its own process group so all of it stops. */
function terminal(command: string, env: NodeJS.ProcessEnv): Shell {
	const child = spawn("bash", ["-c", command], { cwd: ROOT, env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
	let out = "";
	child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
	child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
	const exited = new Promise<void>(resolve => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));
	return {
		child,
		output: () => out,
		write: line => child.stdin?.write(`${line}\n`),
		async stop() {
			if (child.pid === undefined) return;
			// npm runs its script in a process group of its own: signal every process below the shell.
			const tree = [...descendants(child.pid), child.pid];
			const signal = (s: NodeJS.Signals) => {
				for (const pid of tree) {
					try {
						process.kill(pid, s);
					} catch {
						// already gone
					}
				}
			};
			signal("SIGTERM");
			await eventually("the terminal's processes to exit", () => tree.every(pid => !alive(pid)) || undefined, 30_000, 100).catch(() => signal("SIGKILL"));
			await exited;
		}
	};
}

function descendants(pid: number): number[] {
	const children = new Map<number, number[]>();
	for (const line of execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" }).split("\n")) {
		const [child, parent] = line.trim().split(/\s+/).map(Number);
		if (child && parent) children.set(parent, [...(children.get(parent) ?? []), child]);
	}
	const out: number[] = [];
	const visit = (p: number) => {
		for (const c of children.get(p) ?? []) {
			out.push(c);
			visit(c);
		}
	};
	visit(pid);
	return out;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function run(command: string, env: NodeJS.ProcessEnv): Promise<string> {
	return new Promise(resolve => {
		execFile("bash", ["-c", command], { cwd: ROOT, env, timeout: 60_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
	});
}

/**
 * Runs a step and checks its output holds what the README says. A read is repeated until it does
 * (a cluster takes a moment to form); a write runs once, so it is sent only once the gateway is ready.
 */
async function expectAnswer(step: Step, ports: Map<number, number>, env: NodeJS.ProcessEnv, context: () => string): Promise<void> {
	if (!step.expect) throw new Error(`the README promises no answer for: ${step.command}`);
	const expected = step.expect;
	const command = withPorts(step.command, ports);
	const writes = /\s(-d|--data\S*|-X\s*(POST|PUT|PATCH|DELETE))\s/.test(command);
	let last = "";
	try {
		if (writes) {
			await gatewayReady(ports.get(3000) as number);
			last = await run(command, env);
			if (!last.includes(expected)) throw new Error("unexpected answer");
		} else {
			await eventually(
				command,
				async () => {
					last = await run(command, env);
					return last.includes(expected) || undefined;
				},
				ANSWER_WITHIN_MS,
				500
			);
		}
	} catch {
		throw new Error(`\`${step.command}\` never answered ${expected}; last answer:\n${last}\nnode output:\n${context().slice(-4000)}`);
	}
}

async function gatewayReady(port: number): Promise<void> {
	await eventually(
		"the gateway's readiness",
		async () => {
			const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
			return res?.ok || undefined;
		},
		ANSWER_WITHIN_MS,
		250
	);
}

async function portMap(ports: number[]): Promise<Map<number, number>> {
	const map = new Map<number, number>();
	for (const port of ports) map.set(port, await freePort());
	return map;
}

/** Only what a stranger's shell would have: no TRANSPORTER, SERVICES or secrets from the test run. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
	return { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/usr/local/sbin`, HOME: home, TMPDIR: os.tmpdir(), DATA_DIR: path.join(home, "data") };
}

/** The messages of a node's log lines, JSON or not. */
function logMessages(output: string): string[] {
	return output.split("\n").map(line => {
		try {
			return String((JSON.parse(line) as { msg?: unknown }).msg ?? line);
		} catch {
			return line;
		}
	});
}

function withoutDone(command: string): string {
	const left = command
		.split("&&")
		.map(part => part.trim())
		.filter(part => !(part in ALREADY_DONE));
	return left.join(" && ");
}

describeWithBinaries(["nats-server", "redis-server", "curl", "openssl"], "the README, run as written", () => {
	const shells: Shell[] = [];
	let home = "";

	beforeEach(() => {
		home = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-readme-"));
	});

	afterEach(async () => {
		await Promise.all(shells.splice(0).map(s => s.stop()));
		fs.rmSync(home, { recursive: true, force: true });
	});

	it("Quick start: npm start is healthy, says how to seed, and the first admin comes from ADMIN_EMAILS", async () => {
		const ports = await portMap([3000, 3030]);
		// npm start takes the default ports; on this machine they are the test's free ones.
		const env = { ...cleanEnv(home), PORT: String(ports.get(3000)), METRICS_PORT: String(ports.get(3030)) };

		const [start] = readmeBlock("quickstart");
		const first = terminal(withoutDone(start.command), env);
		shells.push(first);
		for (const step of readmeBlock("quickstart-check")) await expectAnswer(step, ports, env, first.output);
		const hint = await eventually("the seeding hint", () => logMessages(first.output()).find(m => m.startsWith("The catalog is empty")), 30_000);
		expect(hint).toContain('CRAWL_SEED_ARTISTS="');
		await first.stop();

		const [adminStart, register] = readmeBlock("admin");
		const second = terminal(withoutDone(adminStart.command), env);
		shells.push(second);
		await expectAnswer(register, ports, env, second.output);
	}, 400_000);

	it("Running a cluster: several terminals form a cluster that answers the README's curls and REPL", async () => {
		const ports = await portMap([3000, 3031, 3032, 3033, 4222, 6379]);
		// The gateway takes the default PORT, which is the test's free one here.
		const env = { ...cleanEnv(home), PORT: String(ports.get(3000)) };
		const steps = readmeBlock("cluster").filter(step => !(step.command in ALREADY_DONE));
		const preamble = steps.filter(s => s.command.startsWith("export ")).map(s => s.command);
		const servers = steps.filter(s => s.command.endsWith("&"));
		const nodes = steps.filter(s => !s.command.startsWith("export ") && !s.command.endsWith("&"));
		expect(servers).toHaveLength(2);
		expect(nodes.length).toBeGreaterThanOrEqual(3);

		const inShell = (command: string) => [...preamble, withPorts(command, ports)].join("\n");
		for (const server of servers) {
			shells.push(terminal(inShell(server.command.replace(/\s*&$/, "")), env));
		}
		await Promise.all([waitForPort(ports.get(4222) as number, 20_000), waitForPort(ports.get(6379) as number, 20_000)]);
		const nodeShells = nodes.map(node => terminal(inShell(node.command), env));
		shells.push(...nodeShells);
		const everything = () => nodeShells.map(s => s.output()).join("\n");

		for (const step of readmeBlock("cluster-check")) await expectAnswer(step, ports, env, everything);

		const repl = nodeShells[nodes.findIndex(n => n.command.includes("--repl"))];
		expect(repl).toBeDefined();
		for (const step of readmeBlock("cluster-repl")) {
			const before = repl.output().length;
			repl.write(step.command);
			const expected = step.expect as string;
			await eventually(`the REPL's answer to ${step.command}`, () => repl.output().slice(before).includes(expected) || undefined, 30_000).catch(() => {
				throw new Error(`REPL \`${step.command}\` never printed ${expected}:\n${repl.output().slice(-3000)}`);
			});
		}
	}, 400_000);
});
