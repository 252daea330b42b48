import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { EmbeddedAdapter } from "../../../mixins/store/embedded-adapter";
import { MongoAdapter, databaseInUrl } from "../../../mixins/store/mongo-adapter";
import { DuplicateKeyError, UnsafeQueryError, type Doc, type Filter, type Update } from "../../../mixins/store/types";
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
		expect(fs.existsSync(path.join(dataDir, "catalog.releases.db"))).toBe(true);

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
if (mongoUrl) {
	const prefix = `contract_${randomUUID().slice(0, 8)}`;
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
