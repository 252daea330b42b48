import { spawn } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { EmbeddedAdapter } from "../../../mixins/store/sqlite-adapter";
import { MongoAdapter, databaseInUrl } from "../../../mixins/store/mongo-adapter";
import { DuplicateKeyError, UnsafeQueryError, type Doc, type Filter, type StoreAdapter, type Update } from "../../../mixins/store/types";
import { storeContract } from "./contract";

const tempDirs: string[] = [];
function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-store-"));
	tempDirs.push(dir);
	return dir;
}
afterAll(() => {
	for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

storeContract("embedded, in memory", async () => new EmbeddedAdapter({ dataDir: "unused", inMemory: true }));

storeContract("embedded, on disk", async () => new EmbeddedAdapter({ dataDir: tempDir(), inMemory: false }));

describe("embedded store on disk", () => {
	interface Release extends Doc {
		title: string;
		at: Date;
		tags: string[];
	}
	const spec = { indexes: [{ fields: { title: 1 as const }, unique: true }] };

	it("keeps documents, dates and unique indexes across a reopen", async () => {
		const dataDir = path.join(tempDir(), "nested", "data");
		const at = new Date("2023-03-04T05:06:07.890Z");

		const first = new EmbeddedAdapter({ dataDir, inMemory: false });
		await first.connect();
		const releases = await first.collection<Release>("catalog.releases", spec);
		await releases.insert({ title: "Selected Ambient Works", at, tags: ["idm"] });
		await releases.upsert({ title: "Drukqs" }, { $set: { at }, $addToSet: { tags: "braindance" } });
		await releases.update({ title: "Drukqs" }, { $push: { tags: "piano" } });
		await releases.delete({ title: "nothing" });
		await first.close();
		expect(fs.existsSync(path.join(dataDir, "store.sqlite"))).toBe(true);

		const second = new EmbeddedAdapter({ dataDir, inMemory: false });
		await second.connect();
		const reopened = await second.collection<Release>("catalog.releases", spec);
		const docs = await reopened.find({}, { sort: { title: 1 } });
		expect(docs.map(d => d.title)).toEqual(["Drukqs", "Selected Ambient Works"]);
		expect(docs[0].tags).toEqual(["braindance", "piano"]);
		expect(docs.every(d => d.at instanceof Date && d.at.getTime() === at.getTime())).toBe(true);
		await expect(reopened.insert({ title: "Drukqs", at, tags: [] })).rejects.toBeInstanceOf(DuplicateKeyError);
		await expect(second.ping()).resolves.toBeUndefined();
		await second.close();
	});

	it("creates its database, -wal and -shm files private (0600)", async () => {
		const dataDir = tempDir();
		const adapter = new EmbeddedAdapter({ dataDir, inMemory: false });
		await adapter.connect();
		await (await adapter.collection("catalog.private")).insert({ secret: "x" });
		for (const suffix of ["", "-wal", "-shm"]) {
			expect({ suffix, mode: fs.statSync(path.join(dataDir, `store.sqlite${suffix}`)).mode & 0o777 }).toEqual({ suffix, mode: 0o600 });
		}
		await adapter.close();
	});

	it("imports a NeDB datafile once, says so, and keeps the file", async () => {
		const dataDir = tempDir();
		const file = path.join(dataDir, "catalog.releases.db");
		const at = new Date("1991-05-06T07:08:09.010Z");
		const lines = [
			{ _id: "a", title: "Old title" },
			{ _id: "a", title: "Drukqs", tags: ["piano"], label: { name: "Warp", founded: { $$date: at.getTime() } } },
			{ _id: "b", title: "Gone" },
			{ _id: "b", $$deleted: true },
			{ _id: "c", title: "Selected Ambient Works \u2028 85-92", at: { $$date: at.getTime() } },
			{ $$indexCreated: { fieldName: "title", unique: true, sparse: false } }
		].map(l => JSON.stringify(l));
		// The last line cut short, as a crash mid-append leaves it.
		const text = `${lines.join("\n")}\n{"_id":"d","title":"Cut`;
		fs.writeFileSync(file, text);

		const logged: string[] = [];
		const first = new EmbeddedAdapter({ dataDir, inMemory: false, log: m => logged.push(m) });
		await first.connect();
		const releases = await first.collection<Release>("catalog.releases", spec);
		const docs = await releases.find({}, { sort: { _id: 1 } });
		expect(docs.map(d => [d._id, d.title])).toEqual([["a", "Drukqs"], ["c", "Selected Ambient Works \u2028 85-92"]]);
		expect((docs[0] as unknown as { label: { founded: Date } }).label.founded).toEqual(at);
		expect(docs[1].at).toEqual(at);
		expect(logged).toHaveLength(1);
		expect(logged[0]).toMatch(/Imported 2 documents of catalog.releases from the NeDB datafile .*catalog.releases.db.*1 unreadable line/);
		await expect(releases.insert({ title: "Drukqs", at, tags: [] })).rejects.toBeInstanceOf(DuplicateKeyError);
		await releases.delete({ _id: "a" });
		await first.close();
		expect(fs.readFileSync(file, "utf8")).toBe(text);

		const second = new EmbeddedAdapter({ dataDir, inMemory: false, log: m => logged.push(m) });
		await second.connect();
		const again = await second.collection<Release>("catalog.releases", spec);
		expect((await again.find({})).map(d => d._id)).toEqual(["c"]);
		expect(logged).toHaveLength(1);
		await second.close();
	});

	it("fails its ping when the data folder disappears", async () => {
		const dataDir = path.join(tempDir(), "gone");
		const adapter = new EmbeddedAdapter({ dataDir, inMemory: false });
		await adapter.connect();
		await adapter.ping();
		fs.rmSync(dataDir, { recursive: true, force: true });
		await expect(adapter.ping()).rejects.toThrow();
		await adapter.close().catch(() => undefined);
	});
});

// What the MongoDB adapter does before it talks to a server, so it is checked even without one.
describe("mongodb adapter without a server", () => {
	const unreachable = "mongodb://127.0.0.1:9/cratedigger_none";

	it("reads the database name from the connection string", () => {
		expect(databaseInUrl("mongodb://h1:1,h2:2/crates?replicaSet=rs")).toBe("crates");
		expect(databaseInUrl("mongodb+srv://user:pw@cluster.example.net/db%20x")).toBe("db x");
		expect(databaseInUrl("mongodb://host:27017")).toBeUndefined();
		expect(databaseInUrl("mongodb://host:27017/?w=1")).toBeUndefined();
	});

	// Bounded by the test's own timeout rather than a stopwatch, which a loaded machine breaks.
	it("fails to connect, rather than waiting for ever, when no server answers", async () => {
		const adapter = new MongoAdapter({ url: unreachable, dbName: "x", serverSelectionTimeoutMS: 300 });
		await expect(adapter.connect()).rejects.toThrow();
		await adapter.close();
	}, 20_000);

	it("rejects unsafe filters, updates and documents before any network call", async () => {
		const adapter = new MongoAdapter({ url: unreachable, dbName: "x", serverSelectionTimeoutMS: 300 });
		const coll = await adapter.collection("contract.offline");
		const where = { $where: "true" } as unknown as Filter;
		await expect(coll.find(where)).rejects.toBeInstanceOf(UnsafeQueryError);
		await expect(coll.delete({ name: { $regex: "." } } as unknown as Filter)).rejects.toBeInstanceOf(UnsafeQueryError);
		await expect(coll.claim({}, { n: 1 }, { $rename: { a: "b" } } as unknown as Update)).rejects.toBeInstanceOf(UnsafeQueryError);
		await expect(coll.upsert({ a: 1 }, {})).rejects.toBeInstanceOf(UnsafeQueryError);
		await expect(coll.insert({ meta: { $gt: 1 } })).rejects.toBeInstanceOf(UnsafeQueryError);
		await adapter.close();
	});
});

const mongoUrl = process.env.MONGO_URL;
const mongoPrefix = `contract_${randomUUID().slice(0, 8)}`;
if (mongoUrl) {
	const prefix = mongoPrefix;
	const dbName = databaseInUrl(mongoUrl) ?? process.env.MONGO_DB ?? "cratedigger";
	storeContract("mongodb", async () => new MongoAdapter({ url: mongoUrl, dbName }), { prefix });

	// Only the collections this run created are dropped: the database may hold other data.
	afterAll(async () => {
		const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
		try {
			const db = client.db(dbName);
			for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
				if (name.startsWith(`${prefix}.`)) await db.dropCollection(name);
			}
		} finally {
			await client.close();
		}
	});
} else {
	console.log("MongoDB half of the store contract not run: MONGO_URL is unset");
}

/**
 * A writer process is killed with SIGKILL in the middle of its writes; every write it had seen
 * return must be there when the store is opened again, and the store must open and take writes.
 */
function crashTest(name: string, collection: string, env: () => Record<string, string>, reopen: () => Promise<StoreAdapter>): void {
	it(`${name}: a SIGKILL mid-write loses no committed write`, async () => {
		const writer = path.resolve(__dirname, "../../../dist/test/harness/store-writer.js");
		const child = spawn(process.execPath, [writer, collection], { env: { PATH: process.env.PATH, ...env() }, stdio: ["ignore", "pipe", "pipe"] });
		let acked = 0;
		let errors = "";
		child.stderr.on("data", (d: Buffer) => (errors += d.toString()));
		let buffered = "";
		const enough = new Promise<void>((resolve, reject) => {
			child.stdout.on("data", (d: Buffer) => {
				buffered += d.toString();
				const lines = buffered.split("\n");
				buffered = lines.pop() ?? "";
				if (lines.length) acked = Number(lines[lines.length - 1]);
				if (acked >= 300) resolve();
			});
			child.once("exit", code => reject(new Error(`the writer exited (${code}) before it was killed: ${errors}`)));
		});
		await enough;
		child.kill("SIGKILL");
		await once(child, "exit");

		const adapter = await reopen();
		await adapter.connect();
		try {
			const coll = await adapter.collection<Doc & { n?: number; value?: number }>(collection, { indexes: [{ fields: { n: 1 }, unique: true, sparse: true }] });
			const stored = (await coll.find({ n: { $lte: acked } }, { sort: { n: 1 } })).map(d => d.n);
			expect(stored).toEqual(Array.from({ length: acked }, (_, i) => i + 1));
			const counter = await coll.findOne({ _id: "counter" });
			expect(counter?.value).toBeGreaterThanOrEqual(acked);
			// Whatever the kill cut short, the store takes writes again.
			await coll.insert({ n: 1_000_000 });
			expect(await coll.count({ n: 1_000_000 })).toBe(1);
		} finally {
			await adapter.close();
		}
	}, 60_000);
}

describe("crash safety", () => {
	const dataDir = tempDir();
	crashTest("embedded", "crash.writes", () => ({ DATA_DIR: dataDir }), async () => new EmbeddedAdapter({ dataDir, inMemory: false }));
	if (mongoUrl) {
		const dbName = databaseInUrl(mongoUrl) ?? process.env.MONGO_DB ?? "cratedigger";
		crashTest("mongodb", `${mongoPrefix}.crash`, () => ({ MONGO_URL: mongoUrl, MONGO_DB: dbName }), async () => new MongoAdapter({ url: mongoUrl, dbName }));
	}
});
