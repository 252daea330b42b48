/**
 * The behaviour every StoreAdapter must show. The store tests run it against each adapter, so the
 * embedded store and MongoDB stay interchangeable.
 */
import { randomUUID } from "node:crypto";
import { safeEquals } from "../../../mixins/store/sanitize";
import {
	DuplicateKeyError,
	UnsafeQueryError,
	type Collection,
	type CollectionSpec,
	type Doc,
	type Filter,
	type StoreAdapter,
	type Update
} from "../../../mixins/store/types";

interface Track extends Doc {
	name: string;
	artist?: string;
	plays?: number;
	tags?: string[];
	releasedAt?: Date;
	label?: string | null;
}

interface Job extends Doc {
	n: number;
	status: "queued" | "running";
	priority: number;
	owner?: string;
}

export interface ContractOptions {
	/** Prefix of every collection the suite creates, so a shared database can be cleaned afterwards. */
	prefix?: string;
}

export function storeContract(name: string, makeAdapter: () => Promise<StoreAdapter>, options: ContractOptions = {}): void {
	describe(`store contract: ${name}`, () => {
		const prefix = options.prefix ?? `contract_${randomUUID().slice(0, 8)}`;
		let adapter: StoreAdapter;
		let counter = 0;

		const open = <T extends Doc>(spec?: CollectionSpec): Promise<Collection<T>> =>
			adapter.collection<T>(`${prefix}.c${++counter}`, spec);

		beforeAll(async () => {
			adapter = await makeAdapter();
			await adapter.connect();
		});

		afterAll(async () => {
			await adapter?.close();
		});

		it("pings", async () => {
			await expect(adapter.ping()).resolves.toBeUndefined();
		});

		it("inserts and finds with filter, sort, limit, skip and projection", async () => {
			const tracks = await open<Track>();
			const when = new Date("2024-05-01T12:00:00.000Z");
			const first = await tracks.insert({ name: "a", plays: 3, releasedAt: when });
			expect(typeof first._id).toBe("string");
			expect(first).toEqual({ _id: first._id, name: "a", plays: 3, releasedAt: when });
			await tracks.insertMany([
				{ name: "b", plays: 1 },
				{ name: "c", plays: 5 },
				{ _id: "given", name: "d", plays: 2 }
			]);

			const found = await tracks.findOne({ name: "a" });
			expect(found?.releasedAt).toBeInstanceOf(Date);
			expect(found?.releasedAt?.getTime()).toBe(when.getTime());
			expect(await tracks.findOne({ _id: "given" })).toMatchObject({ name: "d" });
			expect(await tracks.findOne({ name: "zzz" })).toBeNull();

			const names = (docs: Track[]) => docs.map(d => d.name);
			expect(names(await tracks.find({}, { sort: { plays: 1 } }))).toEqual(["b", "d", "a", "c"]);
			expect(names(await tracks.find({}, { sort: { plays: -1 }, limit: 2 }))).toEqual(["c", "a"]);
			expect(names(await tracks.find({}, { sort: { plays: 1 }, skip: 1, limit: 2 }))).toEqual(["d", "a"]);
			expect(names(await tracks.find({ plays: { $gt: 1 } }, { sort: { name: 1 } }))).toEqual(["a", "c", "d"]);
			expect(await tracks.findOne({}, { sort: { plays: -1 } })).toMatchObject({ name: "c" });

			const projected = await tracks.find({ name: "c" }, { projection: { name: 1 } });
			expect(projected).toEqual([{ _id: expect.any(String), name: "c" }]);
			const withoutPlays = await tracks.findOne({ name: "c" }, { projection: { plays: 0, _id: 0 } });
			expect(withoutPlays).toEqual({ name: "c" });
		});

		it("returns copies that do not alias stored documents", async () => {
			const tracks = await open<Track>();
			const inserted = await tracks.insert({ name: "x", tags: ["a"] });
			inserted.tags?.push("mutated");
			const found = await tracks.findOne({ name: "x" });
			expect(found?.tags).toEqual(["a"]);
			found?.tags?.push("again");
			expect((await tracks.findOne({ name: "x" }))?.tags).toEqual(["a"]);
		});

		it("counts", async () => {
			const tracks = await open<Track>();
			await tracks.insertMany([{ name: "a", plays: 1 }, { name: "b", plays: 2 }, { name: "c", plays: 3 }]);
			expect(await tracks.count()).toBe(3);
			expect(await tracks.count({ plays: { $gte: 2 } })).toBe(2);
			expect(await tracks.count({ name: "nope" })).toBe(0);
		});

		it("updates with $set, $inc, $unset, $addToSet, $push, $pull and ignores $setOnInsert", async () => {
			const tracks = await open<Track>();
			await tracks.insertMany([
				{ name: "a", plays: 1, tags: ["rock"], artist: "x" },
				{ name: "b", plays: 1, tags: [] }
			]);
			const changed = await tracks.update(
				{ name: "a" },
				{
					$set: { label: "Warp" },
					$inc: { plays: 2 },
					$unset: { artist: true },
					$addToSet: { tags: { $each: ["rock", "idm"] } },
					$setOnInsert: { createdBy: "nobody" }
				}
			);
			expect(changed).toBe(1);
			const a = await tracks.findOne({ name: "a" });
			expect(a).toEqual({ _id: a?._id, name: "a", plays: 3, tags: ["rock", "idm"], label: "Warp" });

			await tracks.update({ name: "a" }, { $push: { tags: "idm" } });
			await tracks.update({ name: "a" }, { $addToSet: { tags: "rock" } });
			expect((await tracks.findOne({ name: "a" }))?.tags).toEqual(["rock", "idm", "idm"]);
			await tracks.update({ name: "a" }, { $pull: { tags: "idm" } });
			expect((await tracks.findOne({ name: "a" }))?.tags).toEqual(["rock"]);

			expect(await tracks.update({}, { $inc: { plays: 10 } })).toBe(1);
			expect(await tracks.update({}, { $inc: { plays: 10 } }, { multi: true })).toBe(2);
			expect(await tracks.update({ name: "none" }, { $set: { plays: 0 } }, { multi: true })).toBe(0);
			// Which document a single update hits is unspecified; the total says one was hit, then both.
			const plays = (await tracks.find({})).map(t => t.plays ?? 0);
			expect(plays.reduce((a, b) => a + b, 0)).toBe(3 + 1 + 10 + 20);
		});

		it("upserts: inserts from the filter and the update, then updates; $setOnInsert only on insert", async () => {
			const tracks = await open<Track>({ indexes: [{ fields: { name: 1 }, unique: true }] });
			const update: Update = { $set: { label: "Ninja" }, $inc: { plays: 1 }, $setOnInsert: { artist: "first" }, $addToSet: { tags: "new" } };
			const created = await tracks.upsert({ name: "song" }, update);
			expect(typeof created._id).toBe("string");
			expect(created).toEqual({ _id: created._id, name: "song", label: "Ninja", plays: 1, artist: "first", tags: ["new"] });

			const again = await tracks.upsert({ name: "song" }, { ...update, $setOnInsert: { artist: "second" } });
			expect(again).toEqual({ _id: created._id, name: "song", label: "Ninja", plays: 2, artist: "first", tags: ["new"] });
			expect(await tracks.count()).toBe(1);

			const onlyOnInsert = await tracks.upsert({ name: "song" }, { $setOnInsert: { artist: "third" } });
			expect(onlyOnInsert.artist).toBe("first");

			const viaEq = await tracks.upsert({ name: { $eq: "other" }, $and: [{ artist: "y" }] }, { $push: { tags: { $each: ["p", "q"] } } });
			expect(viaEq).toMatchObject({ name: "other", artist: "y", tags: ["p", "q"] });
			expect(await tracks.count()).toBe(2);
		});

		it("concurrent upserts on a unique key make one document", async () => {
			const tracks = await open<Track>({ indexes: [{ fields: { name: 1 }, unique: true }] });
			const results = await Promise.all(
				Array.from({ length: 10 }, () => tracks.upsert({ name: "hot" }, { $inc: { plays: 1 } }))
			);
			expect(new Set(results.map(r => r._id)).size).toBe(1);
			expect(await tracks.find({})).toEqual([{ _id: results[0]._id, name: "hot", plays: 10 }]);
		});

		it("enforces unique indexes with DuplicateKeyError", async () => {
			const tracks = await open<Track>({
				indexes: [
					{ fields: { name: 1 }, unique: true },
					{ fields: { label: 1 }, unique: true, sparse: true }
				]
			});
			await tracks.insert({ name: "a" });
			await tracks.insert({ name: "b" });
			await expect(tracks.insert({ name: "a" })).rejects.toBeInstanceOf(DuplicateKeyError);
			await expect(tracks.update({ name: "b" }, { $set: { name: "a" } })).rejects.toBeInstanceOf(DuplicateKeyError);
			await expect(tracks.upsert({ name: "c" }, { $set: { name: "a" } })).rejects.toBeInstanceOf(DuplicateKeyError);
			await expect(tracks.insert({ _id: (await tracks.findOne({ name: "a" }))?._id, name: "z" })).rejects.toBeInstanceOf(DuplicateKeyError);
			// Sparse: many documents may lack the field, but not share a value.
			await tracks.update({ name: "a" }, { $set: { label: "L" } });
			await expect(tracks.update({ name: "b" }, { $set: { label: "L" } })).rejects.toBeInstanceOf(DuplicateKeyError);
			expect(await tracks.count()).toBe(2);
			const err = await tracks.insert({ name: "a" }).catch((e: unknown) => e);
			expect(err).toBeInstanceOf(DuplicateKeyError);
			expect((err as DuplicateKeyError).collection).toBe(tracks.name);
		});

		it("enforces compound unique indexes", async () => {
			const tracks = await open<Track>({ indexes: [{ fields: { artist: 1, name: 1 }, unique: true }] });
			await tracks.insert({ artist: "x", name: "a" });
			await tracks.insert({ artist: "x", name: "b" });
			await tracks.insert({ artist: "y", name: "a" });
			await expect(tracks.insert({ artist: "x", name: "a" })).rejects.toBeInstanceOf(DuplicateKeyError);
			await expect(tracks.insertMany([{ artist: "z", name: "a" }, { artist: "y", name: "a" }])).rejects.toBeInstanceOf(DuplicateKeyError);
			expect(await tracks.count({ artist: "x" })).toBe(2);
		});

		it("deletes one or many", async () => {
			const tracks = await open<Track>();
			await tracks.insertMany([{ name: "a", plays: 1 }, { name: "b", plays: 1 }, { name: "c", plays: 2 }]);
			expect(await tracks.delete({ plays: 1 })).toBe(1);
			expect(await tracks.count()).toBe(2);
			expect(await tracks.delete({ plays: { $gte: 1 } }, { multi: true })).toBe(2);
			expect(await tracks.delete({ name: "a" })).toBe(0);
			expect(await tracks.count()).toBe(0);
		});

		it("runs range queries on an indexed field, alone and within $or", async () => {
			const tracks = await open<Track>({ indexes: [{ fields: { releasedAt: 1 } }, { fields: { plays: -1 } }] });
			const day = (d: number) => new Date(Date.UTC(2024, 0, d));
			await tracks.insertMany(Array.from({ length: 10 }, (_, i) => ({ name: `t${i + 1}`, plays: i + 1, releasedAt: day(i + 1) })));
			const names = (docs: Track[]) => docs.map(d => d.name);

			expect(names(await tracks.find({ releasedAt: { $gte: day(3), $lte: day(5) } }, { sort: { releasedAt: 1 } }))).toEqual(["t3", "t4", "t5"]);
			expect(names(await tracks.find({ plays: { $gt: 8 } }, { sort: { plays: -1 } }))).toEqual(["t10", "t9"]);
			expect(names(await tracks.find({ plays: { $lt: 3 } }, { sort: { plays: 1 } }))).toEqual(["t1", "t2"]);
			const either: Filter = { $or: [{ plays: { $lte: 2 } }, { releasedAt: { $gte: day(9) } }] };
			expect(names(await tracks.find(either, { sort: { plays: 1 } }))).toEqual(["t1", "t2", "t9", "t10"]);
			const both: Filter = { plays: { $gte: 2 }, $or: [{ plays: { $lte: 3 } }, { name: "t7" }] };
			expect(names(await tracks.find(both, { sort: { plays: 1 } }))).toEqual(["t2", "t3", "t7"]);
			const anded: Filter = { $and: [{ plays: { $gte: 4 } }, { plays: { $lte: 5 } }] };
			expect(names(await tracks.find(anded, { sort: { plays: 1 } }))).toEqual(["t4", "t5"]);
		});

		it("matches null, missing fields, $ne, $in, $nin and $exists as MongoDB does", async () => {
			const tracks = await open<Track>();
			await tracks.insertMany([
				{ name: "null", label: null, tags: ["a", "b"] },
				{ name: "missing", tags: ["b"] },
				{ name: "set", label: "Warp", tags: ["c"] }
			]);
			const names = async (filter: Filter) => (await tracks.find(filter, { sort: { name: 1 } })).map(d => d.name);

			expect(await names({ label: null })).toEqual(["missing", "null"]);
			expect(await names({ label: { $eq: null } })).toEqual(["missing", "null"]);
			expect(await names({ label: { $ne: null } })).toEqual(["set"]);
			expect(await names({ label: { $ne: "Warp" } })).toEqual(["missing", "null"]);
			expect(await names({ label: { $exists: true } })).toEqual(["null", "set"]);
			expect(await names({ label: { $exists: false } })).toEqual(["missing"]);
			expect(await names({ label: { $in: ["Warp", null] } })).toEqual(["missing", "null", "set"]);
			expect(await names({ label: { $nin: [null] } })).toEqual(["set"]);
			expect(await names({ tags: "b" })).toEqual(["missing", "null"]);
			expect(await names({ tags: { $in: ["a", "c"] } })).toEqual(["null", "set"]);
			expect(await names({ tags: { $ne: "b" } })).toEqual(["set"]);
			expect(await names({ tags: { $nin: ["a"] } })).toEqual(["missing", "set"]);
		});

		it("matches indexed fields as MongoDB does: one type per range, null, booleans, dates, arrays (also arriving by update)", async () => {
			interface Mixed extends Doc {
				name: string;
				v?: unknown;
				tags?: string[];
			}
			const when = new Date("2024-02-03T04:05:06.007Z");
			const coll = await open<Mixed>({ indexes: [{ fields: { v: 1 } }, { fields: { tags: 1 } }] });
			await coll.insertMany([
				{ name: "five", v: 5 },
				{ name: "string", v: "5" },
				{ name: "true", v: true },
				{ name: "null", v: null },
				{ name: "missing" },
				{ name: "array", v: [5, 7] },
				{ name: "date", v: when },
				{ name: "object", v: { x: 1 } }
			]);
			const names = async (filter: Filter) => (await coll.find(filter, { sort: { name: 1 } })).map(d => d.name);
			expect(await names({ v: 5 })).toEqual(["array", "five"]);
			expect(await names({ v: "5" })).toEqual(["string"]);
			expect(await names({ v: { $gt: 4 } })).toEqual(["array", "five"]);
			expect(await names({ v: { $lt: 6 } })).toEqual(["array", "five"]);
			expect(await names({ v: { $gte: 6, $lte: 100 } })).toEqual(["array"]);
			expect(await names({ v: { $gte: "" } })).toEqual(["string"]);
			expect(await names({ v: { $lte: "zzz" } })).toEqual(["string"]);
			expect(await names({ v: { $gte: new Date(0) } })).toEqual(["date"]);
			expect(await names({ v: { $lt: new Date(0) } })).toEqual([]);
			expect(await names({ v: when })).toEqual(["date"]);
			expect(await names({ v: true })).toEqual(["true"]);
			expect(await names({ v: null })).toEqual(["missing", "null"]);
			expect(await names({ v: { $ne: 5 } })).toEqual(["date", "missing", "null", "object", "string", "true"]);
			expect(await names({ v: { $in: [7, "5"] } })).toEqual(["array", "string"]);
			expect(await names({ v: { $exists: true } })).toEqual(["array", "date", "five", "null", "object", "string", "true"]);
			expect((await coll.find({ v: { $gte: 0, $lte: 10 } }, { sort: { v: -1 } })).map(d => d.name)).toContain("five");

			// An indexed field that held no array so far gets one through an update, then through $push.
			await coll.update({ name: "string" }, { $set: { v: [1, "x"] } });
			expect(await names({ v: "x" })).toEqual(["string"]);
			expect(await names({ v: { $lt: 2 } })).toEqual(["string"]);
			await coll.update({ name: "five" }, { $push: { tags: "late" } });
			expect(await names({ tags: "late" })).toEqual(["five"]);
			await coll.update({ name: "five" }, { $pull: { tags: "late" } });
			expect(await names({ tags: "late" })).toEqual([]);
			await coll.delete({ name: "string" });
			expect(await names({ v: "x" })).toEqual([]);
		});

		it("findOneAndUpdate returns the document after the change, in sort order, or null", async () => {
			const tracks = await open<Track>();
			await tracks.insertMany([{ name: "a", plays: 1 }, { name: "b", plays: 5 }, { name: "c", plays: 3 }]);
			const top = await tracks.findOneAndUpdate({ plays: { $gte: 2 } }, { $inc: { plays: 100 }, $setOnInsert: { label: "x" } }, { sort: { plays: -1 } });
			expect(top).toEqual({ _id: expect.any(String), name: "b", plays: 105 });
			const low = await tracks.findOneAndUpdate({ plays: { $lt: 100 } }, { $set: { label: "low" } }, { sort: { plays: 1 } });
			expect(low).toMatchObject({ name: "a", label: "low" });
			expect(await tracks.findOneAndUpdate({ name: "zzz" }, { $set: { plays: 0 } })).toBeNull();
			expect(await tracks.count({ name: "zzz" })).toBe(0);
		});

		it("claims atomically: 50 concurrent claims over 20 jobs give 20 distinct jobs and 30 nulls", async () => {
			const jobs = await open<Job>({ indexes: [{ fields: { status: 1, priority: -1 } }] });
			await jobs.insertMany(Array.from({ length: 20 }, (_, n) => ({ n, status: "queued" as const, priority: n % 3 })));
			await jobs.insert({ n: 99, status: "running", priority: 9 });

			const claims = await Promise.all(
				Array.from({ length: 50 }, (_, i) => jobs.claim({ status: "queued" }, { priority: -1, n: 1 }, { $set: { status: "running", owner: `w${i}` } }))
			);
			const won = claims.filter((c): c is Job => c !== null);
			expect(won).toHaveLength(20);
			expect(claims.filter(c => c === null)).toHaveLength(30);
			expect(new Set(won.map(j => j._id)).size).toBe(20);
			expect(won.every(j => j.status === "running" && typeof j.owner === "string")).toBe(true);
			const owners = await jobs.find({ status: "running", n: { $lt: 20 } });
			expect(new Set(owners.map(j => j.owner)).size).toBe(20);
		});

		it("claims in sort order", async () => {
			const jobs = await open<Job>();
			await jobs.insertMany([
				{ n: 1, status: "queued", priority: 1 },
				{ n: 2, status: "queued", priority: 5 },
				{ n: 3, status: "queued", priority: 5 },
				{ n: 4, status: "running", priority: 9 },
				{ n: 5, status: "queued", priority: 0 }
			]);
			const order: number[] = [];
			for (;;) {
				const job = await jobs.claim({ status: "queued" }, { priority: -1, n: 1 }, { $set: { status: "running" } });
				if (!job) break;
				order.push(job.n);
			}
			expect(order).toEqual([2, 3, 1, 5]);
		});

		it("claims in batches: concurrent claimMany calls split the matches without overlap, in sort order", async () => {
			const jobs = await open<Job>();
			await jobs.insertMany(Array.from({ length: 20 }, (_, n) => ({ n, status: "queued" as const, priority: 0 })));
			const batches = await Promise.all(
				Array.from({ length: 5 }, (_, i) => jobs.claimMany({ status: "queued" }, { n: 1 }, { $set: { status: "running", owner: `w${i}` } }, 6))
			);
			const all = batches.flat();
			expect(all).toHaveLength(20);
			expect(new Set(all.map(j => j._id)).size).toBe(20);
			for (const batch of batches) {
				const ns = batch.map(j => j.n);
				expect(ns).toEqual([...ns].sort((a, b) => a - b));
				expect(batch.every(j => j.status === "running" && j.owner === batch[0]?.owner)).toBe(true);
			}
			expect(await jobs.claimMany({ status: "queued" }, { n: 1 }, { $set: { status: "running" } }, 3)).toEqual([]);
			expect(await jobs.claimMany({}, { n: 1 }, { $set: { owner: "x" } }, 0)).toEqual([]);
			await expect(jobs.claimMany({}, { n: 1 }, { $set: { owner: "x" } }, -1)).rejects.toBeInstanceOf(UnsafeQueryError);
		});

		it("claimMany returns distinct documents even when the update leaves them matching", async () => {
			const jobs = await open<Job>();
			await jobs.insertMany(Array.from({ length: 5 }, (_, n) => ({ n, status: "queued" as const, priority: 0 })));
			const batch = await jobs.claimMany({ status: "queued" }, { n: -1 }, { $inc: { priority: 1 } }, 3);
			expect(batch.map(j => [j.n, j.priority])).toEqual([[4, 1], [3, 1], [2, 1]]);
		});

		describe("operator injection", () => {
			let tracks: Collection<Track>;
			beforeAll(async () => {
				tracks = await open<Track>();
				await tracks.insertMany([{ name: "secret", plays: 1 }, { name: "public", plays: 2 }]);
			});

			it("safeEquals refuses an operator object where a plain value belongs", async () => {
				const fromRequest: unknown = JSON.parse('{"$gt": ""}');
				expect(() => safeEquals("name", fromRequest)).toThrow(UnsafeQueryError);
				expect(() => safeEquals("name", ["a"])).toThrow(UnsafeQueryError);
				expect(() => safeEquals("name$", "a")).toThrow(UnsafeQueryError);
				expect(await tracks.find(safeEquals("name", "public"))).toHaveLength(1);
			});

			it.each<[string, unknown]>([
				["$where at the top level", { $where: "this.plays > 0" }],
				["$where as a function", { $where: () => true }],
				["$where inside $or", { $or: [{ name: "x" }, { $where: "true" }] }],
				["$expr", { $expr: { $gt: ["$plays", 0] } }],
				["$regex", { name: { $regex: ".*" } }],
				["a RegExp value", { name: /.*/ }],
				["$elemMatch", { tags: { $elemMatch: { $gt: "" } } }],
				["$not", { name: { $not: { $eq: "x" } } }],
				["a nested operator in $in", { name: { $in: [{ $gt: "" }] } }],
				["a sub-document value", { name: { first: "x" } }],
				["a mixed operator object", { name: { $gt: "", x: 1 } }],
				["a field name with $", { "na$me": "x" }],
				["an undefined value", { name: undefined }],
				["a function value", { name: () => "x" }]
			])("the adapter rejects %s", async (_label, filter) => {
				await expect(tracks.find(filter as Filter)).rejects.toBeInstanceOf(UnsafeQueryError);
				await expect(tracks.count(filter as Filter)).rejects.toBeInstanceOf(UnsafeQueryError);
				await expect(tracks.delete(filter as Filter, { multi: true })).rejects.toBeInstanceOf(UnsafeQueryError);
				await expect(tracks.update(filter as Filter, { $set: { plays: 0 } })).rejects.toBeInstanceOf(UnsafeQueryError);
			});

			it.each<[string, unknown]>([
				["an empty update", {}],
				["a replacement document", { name: "x" }],
				["an unknown operator", { $rename: { name: "title" } }],
				["$currentDate", { $currentDate: { at: true } }],
				["an operator inside a $set value", { $set: { meta: { $gt: 1 } } }],
				["a $-field in $set", { $set: { $where: "x" } }],
				["a non-number $inc", { $inc: { plays: "1" } }],
				["a conflicting update", { $set: { plays: 1 }, $inc: { plays: 1 } }]
			])("the adapter rejects %s as an update", async (_label, update) => {
				await expect(tracks.update({ name: "public" }, update as Update)).rejects.toBeInstanceOf(UnsafeQueryError);
				await expect(tracks.upsert({ name: "public" }, update as Update)).rejects.toBeInstanceOf(UnsafeQueryError);
				await expect(tracks.findOneAndUpdate({ name: "public" }, update as Update)).rejects.toBeInstanceOf(UnsafeQueryError);
			});

			it("rejects operator keys in inserted documents and in sort or projection", async () => {
				await expect(tracks.insert({ name: "x", meta: { $gt: 1 } })).rejects.toBeInstanceOf(UnsafeQueryError);
				await expect(tracks.find({}, { sort: { $natural: 1 } })).rejects.toBeInstanceOf(UnsafeQueryError);
				await expect(tracks.find({}, { projection: { "a$b": 1 } })).rejects.toBeInstanceOf(UnsafeQueryError);
				expect((await tracks.find({}, { sort: { name: 1 } })).map(t => t.name)).toEqual(["public", "secret"]);
			});
		});
	});
}
