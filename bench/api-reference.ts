/**
 * A bare moleculer-web gateway for bench:api: one action answering a tiny body, one answering a
 * fixed songs page, nothing validated, authenticated or computed. Its two rates show what this
 * machine can do at all with a page of that size, next to the real routes.
 *
 *   node dist/bench/api-reference.js <port> <file with the page's JSON>
 */
import * as fs from "node:fs";
import { ServiceBroker } from "moleculer";
import ApiGateway from "moleculer-web";

const [port, pageFile] = process.argv.slice(2);
const page: unknown = JSON.parse(fs.readFileSync(pageFile, "utf8"));

const broker = new ServiceBroker({ logger: false, metrics: { enabled: false }, transporter: null });
broker.createService({
	name: "reference",
	actions: {
		tiny: () => ({ status: "ok", nodeID: "reference", uptimeSec: 1 }),
		page: () => page
	}
});
broker.createService({
	name: "api",
	mixins: [ApiGateway],
	settings: { port: Number(port), ip: "127.0.0.1", routes: [{ path: "/", aliases: { "GET tiny": "reference.tiny", "GET page": "reference.page" } }] }
});
broker.start().then(
	() => process.stdout.write("ready\n"),
	(err: unknown) => {
		process.stderr.write(`${String(err)}\n`);
		process.exit(1);
	}
);
