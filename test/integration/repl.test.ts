import * as os from "node:os";
import { startNode } from "../harness/nodes";
import { eventually, freePort } from "../harness/ports";

/** REPL=1 opens the Moleculer REPL on the node, with cratedigger's commands registered. */
describe("the REPL on a node", () => {
	it("answers the cluster, crawl and dead commands in tables that fit the terminal, and quits", async () => {
		const port = await freePort();
		const node = startNode("repl-node", { REPL: "1", PORT: String(port), STORE_IN_MEMORY: "true", METRICS_ENABLED: "false", HOME: os.tmpdir(), COLUMNS: "100" }, { stdin: true });
		const stdin = node.child.stdin as NodeJS.WritableStream;
		try {
			await eventually("the REPL prompt", () => node.output().includes("repl-node $"), 20000);
			stdin.write("cluster\n");
			// A node running every service lists them all: the table is cut to the terminal's 100 columns.
			await eventually("the cluster table", () => /repl-node \(this\)\s+\S*…/.test(node.output()), 10000);
			// The header follows the prompt on its line.
			const table = node.output().split("\n").flatMap(l => /(?:\$ )?(node\s+services.*|-{4}.*|repl-node \(this\).*)$/.exec(l)?.[1] ?? []);
			expect(table).toHaveLength(3);
			for (const line of table) expect(line.length).toBeLessThanOrEqual(100);
			stdin.write("dead\n");
			await eventually("the empty dead-letter list", () => node.output().includes("no dead-letter jobs"), 10000);
			stdin.write("dead album.trackz\n");
			await eventually("a refused job type", () => node.output().includes('dead: no worker of this cluster takes "album.trackz" jobs'), 10000);
			stdin.write("crawl status\n");
			await eventually("the crawl status", () => /tier\s+queued\s+leased/.test(node.output()) && /dead-letter 0/.test(node.output()), 10000);
			stdin.write("crawl frobnicate\n");
			await eventually("a usage line", () => node.output().includes('unknown subcommand "frobnicate"'), 10000);
			stdin.write("quit\n");
			expect(await node.exited()).toBe(0);
		} finally {
			if (node.child.exitCode === null) node.kill("SIGKILL");
		}
	}, 60000);
});
