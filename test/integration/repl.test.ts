import * as os from "node:os";
import { startNode } from "../harness/nodes";
import { eventually, freePort } from "../harness/ports";

/** REPL=1 opens the Moleculer REPL on the node, with cratedigger's commands registered. */
describe("the REPL on a node", () => {
	it("answers the cluster and crawl commands, and quits", async () => {
		const port = await freePort();
		const node = startNode("repl-node", { REPL: "1", PORT: String(port), STORE_IN_MEMORY: "true", METRICS_ENABLED: "false", HOME: os.tmpdir() }, { stdin: true });
		const stdin = node.child.stdin as NodeJS.WritableStream;
		try {
			await eventually("the REPL prompt", () => node.output().includes("repl-node $"), 20000);
			stdin.write("cluster\n");
			await eventually("the cluster table", () => /repl-node \(this\)\s+\S*scheduler/.test(node.output()), 10000);
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
