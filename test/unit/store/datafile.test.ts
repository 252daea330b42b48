import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Datastore from "@seald-io/nedb";
import { EmbeddedAdapter } from "../../../mixins/store/embedded-adapter";
import type { Doc } from "../../../mixins/store/types";

interface Release extends Doc {
	title: string;
	at?: Date;
	tags?: string[];
	label?: { name: string; founded: Date };
}

const dirs: string[] = [];
function tempDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-datafile-"));
	dirs.push(dir);
	return dir;
}
afterAll(() => {
	for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string) => fs.readFileSync(file, "utf8").split("\n").filter(l => l !== "");

describe("embedded store datafile", () => {
	it("is rewritten on load as NeDB writes it: superseded and deleted lines go, documents, dates and indexes stay", async () => {
		const dir = tempDir();
		const file = path.join(dir, "catalog.releases.db");
		const founded = new Date("1991-05-06T07:08:09.010Z");
		fs.writeFileSync(
			file,
			[
				{ _id: "a", title: "Old title" },
				{ _id: "a", title: "Drukqs", tags: ["piano"], label: { name: "Warp", founded: { $$date: founded.getTime() } } },
				{ _id: "b", title: "Gone" },
				{ _id: "b", $$deleted: true },
				{ _id: "c", title: "Selected Ambient Works", at: { $$date: founded.getTime() } },
				{ $$indexCreated: { fieldName: "title", unique: true, sparse: false } }
			]
				.map(l => JSON.stringify(l))
				.join("\n") + "\n"
		);

		const adapter = new EmbeddedAdapter({ dataDir: dir, inMemory: false });
		await adapter.connect();
		const releases = await adapter.collection<Release>("catalog.releases", { indexes: [{ fields: { title: 1 }, unique: true }] });
		expect(lines(file)).toHaveLength(3);
		expect(lines(file).at(-1)).toBe(JSON.stringify({ $$indexCreated: { fieldName: "title", unique: true, sparse: false } }));
		await adapter.close();

		// Plain NeDB reads the rewritten file back to the same documents.
		const nedb = new Datastore<Release>({ filename: file });
		await nedb.loadDatabaseAsync();
		const docs = await nedb.findAsync({}).sort({ _id: 1 });
		expect(docs).toEqual([
			{ _id: "a", title: "Drukqs", tags: ["piano"], label: { name: "Warp", founded } },
			{ _id: "c", title: "Selected Ambient Works", at: founded }
		]);
		expect(docs[1].at).toBeInstanceOf(Date);
		await expect(nedb.insertAsync({ title: "Drukqs" } as Release)).rejects.toThrow();
		expect(releases.name).toBe("catalog.releases");
	});

	it("keeps strings that hold line separators, which NeDB's own reader split into corrupt lines", async () => {
		const dir = tempDir();
		const title = "Line\u2028Paragraph\u2029Next\u0085line";
		const first = new EmbeddedAdapter({ dataDir: dir, inMemory: false });
		await first.connect();
		await (await first.collection<Release>("catalog.releases")).insert({ _id: "x", title });
		await first.close();

		const second = new EmbeddedAdapter({ dataDir: dir, inMemory: false });
		await second.connect();
		expect(await (await second.collection<Release>("catalog.releases")).findOne({ _id: "x" })).toEqual({ _id: "x", title });
		await second.close();
	});

	it("skips a truncated last line, and refuses a file more than 10% corrupt, as NeDB does", async () => {
		const dir = tempDir();
		const file = path.join(dir, "catalog.releases.db");
		const good = Array.from({ length: 20 }, (_, i) => JSON.stringify({ _id: `r${i}`, title: `Release ${i}` }));
		fs.writeFileSync(file, [...good, '{"_id":"r20","tit'].join("\n"));
		const adapter = new EmbeddedAdapter({ dataDir: dir, inMemory: false });
		await adapter.connect();
		expect(await (await adapter.collection<Release>("catalog.releases")).count({})).toBe(20);
		await adapter.close();

		const broken = tempDir();
		fs.writeFileSync(path.join(broken, "catalog.releases.db"), [...good.slice(0, 5), "null", "{oops"].join("\n") + "\n");
		const refusing = new EmbeddedAdapter({ dataDir: broken, inMemory: false });
		await refusing.connect();
		await expect(refusing.collection<Release>("catalog.releases")).rejects.toThrow(/28% of the data file is corrupt/);
		await refusing.close();
	});

	it("is compacted on close only when something was written since it was loaded", async () => {
		const dir = tempDir();
		const file = path.join(dir, "catalog.releases.db");
		const open = async () => {
			const adapter = new EmbeddedAdapter({ dataDir: dir, inMemory: false });
			await adapter.connect();
			return { adapter, releases: await adapter.collection<Release>("catalog.releases") };
		};

		const first = await open();
		await first.releases.insert({ title: "Drukqs" });
		await first.releases.update({ title: "Drukqs" }, { $set: { tags: ["piano"] } });
		await first.adapter.close();
		expect(lines(file)).toHaveLength(1);

		const second = await open();
		const loaded = fs.statSync(file).ino;
		await second.releases.find({});
		await second.adapter.close();
		expect(fs.statSync(file).ino).toBe(loaded);

		const third = await open();
		const before = fs.statSync(file).ino;
		await third.releases.delete({ title: "Drukqs" });
		await third.adapter.close();
		expect(fs.statSync(file).ino).not.toBe(before);
		expect(lines(file)).toHaveLength(0);
	});
});
