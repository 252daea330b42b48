/**
 * A process that writes to a store until it is killed, for the store's crash test: it inserts
 * documents { n } one after another and bumps a counter document, and prints each n once both
 * writes have returned (so it counts as committed).
 *
 *   node dist/test/harness/store-writer.js <collection>
 *   with MONGO_URL and MONGO_DB, or DATA_DIR, in the environment
 */
import * as path from "node:path";
import { createStoreAdapter } from "../../mixins/store/store.mixin";
import type { Config } from "../../config";

async function main(): Promise<void> {
	const name = process.argv[2] ?? "crash.writes";
	const config = {
		MONGO_URL: process.env.MONGO_URL || undefined,
		MONGO_DB: process.env.MONGO_DB ?? "cratedigger",
		DATA_DIR: path.resolve(process.env.DATA_DIR ?? "./data"),
		STORE_IN_MEMORY: false
	} as Config;
	const adapter = createStoreAdapter(config);
	await adapter.connect();
	const coll = await adapter.collection(name, { indexes: [{ fields: { n: 1 }, unique: true, sparse: true }] });
	for (let n = 1; ; n++) {
		await coll.insert({ n, payload: "x".repeat(200 + (n % 50)) });
		await coll.upsert({ _id: "counter" }, { $inc: { value: 1 }, $set: { last: n } });
		process.stdout.write(`${n}\n`);
	}
}

main().catch((err: unknown) => {
	process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
	process.exit(1);
});
