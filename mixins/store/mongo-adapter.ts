/**
 * The MongoDB store. Filters and updates are already MongoDB's language, so this adapter mostly
 * checks them, fills in string `_id`s and maps duplicate-key errors.
 */
import { randomUUID } from "node:crypto";
import {
	MongoClient,
	type Collection as MongoCollection,
	type Db,
	type Filter as MongoFilter,
	type IndexDirection,
	type UpdateFilter
} from "mongodb";
import { assertFieldMap, assertSafeFilter, assertSafeUpdate, claimDistinct, equalityFields, plainCopy, prepareDoc } from "./sanitize";
import {
	DuplicateKeyError,
	type Collection,
	type CollectionSpec,
	type Doc,
	type Filter,
	type FindOptions,
	type Sort,
	type StoreAdapter,
	type Update
} from "./types";

export interface MongoOptions {
	url: string;
	/** Used when the URL names no database. */
	dbName: string;
	serverSelectionTimeoutMS?: number;
}

/** The database named in a connection string's path, if any (`mongodb://h1,h2/name?opts`). */
export function databaseInUrl(url: string): string | undefined {
	const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url);
	return match ? decodeURIComponent(match[1]) : undefined;
}

export class MongoAdapter implements StoreAdapter {
	readonly kind = "mongodb" as const;
	private readonly client: MongoClient;
	private readonly db: Db;

	constructor(options: MongoOptions) {
		this.client = new MongoClient(options.url, {
			serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
			// Otherwise undefined fields are stored as null, where the embedded store drops them.
			ignoreUndefined: true
		});
		this.db = this.client.db(databaseInUrl(options.url) ?? options.dbName);
	}

	async connect(): Promise<void> {
		await this.client.connect();
	}

	async collection<T extends Doc = Doc>(name: string, spec: CollectionSpec = {}): Promise<Collection<T>> {
		const coll = this.db.collection<Doc>(name);
		for (const index of spec.indexes ?? []) {
			assertFieldMap(index.fields, [1, -1], `${name} index`);
			await coll.createIndex(index.fields as Record<string, IndexDirection>, {
				unique: index.unique ?? false,
				sparse: index.sparse ?? false
			});
		}
		return new MongoStoreCollection<T>(name, coll);
	}

	async ping(): Promise<void> {
		await this.db.command({ ping: 1 });
	}

	async close(): Promise<void> {
		await this.client.close();
	}
}

class MongoStoreCollection<T extends Doc> implements Collection<T> {
	constructor(
		readonly name: string,
		private readonly coll: MongoCollection<Doc>
	) {}

	async insert(doc: Omit<T, "_id"> & { _id?: string }): Promise<T> {
		const prepared = prepareDoc(doc);
		await this.write(() => this.coll.insertOne(prepared));
		return plainCopy(prepared) as T;
	}

	async insertMany(docs: Array<Omit<T, "_id"> & { _id?: string }>): Promise<T[]> {
		const prepared = docs.map(prepareDoc);
		if (prepared.length === 0) return [];
		await this.write(() => this.coll.insertMany(prepared));
		return plainCopy(prepared) as T[];
	}

	async upsert(filter: Filter, update: Update): Promise<T> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		const withId = withGeneratedId(filter, update);
		const run = () =>
			this.coll.findOneAndUpdate(mongoFilter(filter), withId, { upsert: true, returnDocument: "after" });
		let doc: Doc | null;
		try {
			doc = await this.write(run);
		} catch (err) {
			// Two concurrent upserts can both decide to insert; the loser finds the winner's document on retry.
			if (!(err instanceof DuplicateKeyError)) throw err;
			doc = await this.write(run);
		}
		if (!doc) throw new Error(`${this.name}: upsert returned no document`);
		return doc as T;
	}

	async findOne(filter: Filter, options: Pick<FindOptions, "sort" | "projection"> = {}): Promise<T | null> {
		const [doc] = await this.find(filter, { ...options, limit: 1 });
		return doc ?? null;
	}

	async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
		assertSafeFilter(filter);
		assertFieldMap(options.sort, [1, -1], "sort");
		assertFieldMap(options.projection, [0, 1], "projection");
		const cursor = this.coll.find(mongoFilter(filter), {
			sort: options.sort,
			skip: options.skip,
			limit: options.limit,
			projection: options.projection
		});
		return (await cursor.toArray()) as T[];
	}

	async count(filter: Filter = {}): Promise<number> {
		assertSafeFilter(filter);
		return this.coll.countDocuments(mongoFilter(filter));
	}

	async update(filter: Filter, update: Update, options: { multi?: boolean } = {}): Promise<number> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		const query = mongoFilter(filter);
		const result = await this.write(() =>
			options.multi ? this.coll.updateMany(query, mongoUpdate(update)) : this.coll.updateOne(query, mongoUpdate(update))
		);
		// Matched rather than modified, as the embedded store reports: "did the filter hit" is what callers ask.
		return result.matchedCount;
	}

	async findOneAndUpdate(filter: Filter, update: Update, options: { sort?: Sort } = {}): Promise<T | null> {
		assertSafeFilter(filter);
		assertSafeUpdate(update);
		assertFieldMap(options.sort, [1, -1], "sort");
		const doc = await this.write(() =>
			this.coll.findOneAndUpdate(mongoFilter(filter), mongoUpdate(update), {
				sort: options.sort,
				returnDocument: "after"
			})
		);
		return doc as T | null;
	}

	async delete(filter: Filter, options: { multi?: boolean } = {}): Promise<number> {
		assertSafeFilter(filter);
		const query = mongoFilter(filter);
		const result = options.multi ? await this.coll.deleteMany(query) : await this.coll.deleteOne(query);
		return result.deletedCount;
	}

	claim(filter: Filter, sort: Sort, update: Update): Promise<T | null> {
		// findOneAndUpdate is atomic on the server, which is all a claim needs.
		return this.findOneAndUpdate(filter, update, { sort });
	}

	claimMany(filter: Filter, sort: Sort, update: Update, max: number): Promise<T[]> {
		return claimDistinct((f, s, u) => this.claim(f, s, u), filter, sort, update, max);
	}

	private async write<R>(fn: () => Promise<R>): Promise<R> {
		try {
			return await fn();
		} catch (err) {
			if (isDuplicateKey(err)) throw new DuplicateKeyError(this.name, duplicateDetail(err));
			throw err;
		}
	}
}

function isDuplicateKey(err: unknown): err is Error & { code: number; keyValue?: unknown } {
	return err instanceof Error && "code" in err && err.code === 11000;
}

function duplicateDetail(err: Error & { keyValue?: unknown }): string {
	return err.keyValue ? JSON.stringify(err.keyValue) : err.message;
}

/** An upsert that inserts needs a string `_id`, unless the filter or the update already gives one. */
function withGeneratedId(filter: Filter, update: Update): UpdateFilter<Doc> {
	const given = "_id" in equalityFields(filter) || update.$set?._id !== undefined || update.$setOnInsert?._id !== undefined;
	if (given) return mongoUpdate(update);
	return mongoUpdate({ ...update, $setOnInsert: { _id: randomUUID(), ...update.$setOnInsert } });
}

/* Our Filter and Update are subsets of the driver's, already checked; these only restate the type. */
function mongoFilter(filter: Filter): MongoFilter<Doc> {
	return filter as MongoFilter<Doc>;
}

function mongoUpdate(update: Update): UpdateFilter<Doc> {
	return update as UpdateFilter<Doc>;
}
