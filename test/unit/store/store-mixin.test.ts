import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ServiceBroker, type Context, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { StoreMixin, type StoreHealth, type StoreMethods, type StoreService } from "../../../mixins/store/store.mixin";
import { safeEquals } from "../../../mixins/store/sanitize";
import { DuplicateKeyError, type Doc } from "../../../mixins/store/types";

interface Album extends Doc {
	slug: string;
	title: string;
	plays: number;
}

const LibraryService: ServiceSchema<ServiceSettingSchema, StoreMethods> = {
	name: "library",
	mixins: [StoreMixin],
	collections: {
		albums: { indexes: [{ fields: { slug: 1 }, unique: true }] },
		plays: {}
	},
	actions: {
		add: {
			handler(this: StoreService, ctx: Context<{ slug: string; title: string }>): Promise<Album> {
				return this.collection<Album>("albums").insert({ slug: ctx.params.slug, title: ctx.params.title, plays: 0 });
			}
		},
		play: {
			async handler(this: StoreService, ctx: Context<{ slug: unknown }>): Promise<Album | null> {
				const albums = this.collection<Album>("albums");
				return albums.findOneAndUpdate(safeEquals("slug", ctx.params.slug), { $inc: { plays: 1 } });
			}
		},
		list: {
			handler(this: StoreService): Promise<Album[]> {
				return this.collection<Album>("albums").find({}, { sort: { slug: 1 } });
			}
		},
		undeclared: {
			handler(this: StoreService): Promise<number> {
				return this.collection("nope").count();
			}
		}
	}
};

const OtherService: ServiceSchema<ServiceSettingSchema, StoreMethods> = {
	name: "other",
	mixins: [StoreMixin],
	collections: { things: {} },
	actions: {
		count: {
			handler(this: StoreService): Promise<number> {
				return this.collection("things").count();
			}
		}
	}
};

describe("store mixin", () => {
	let broker: ServiceBroker;

	beforeEach(async () => {
		broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig());
		broker.createService(LibraryService);
		broker.createService(OtherService);
		await broker.start();
	});

	afterEach(async () => {
		await broker.stop();
	});

	it("gives actions their declared collections", async () => {
		const added = await broker.call<Album, { slug: string; title: string }>("library.add", { slug: "drukqs", title: "Drukqs" });
		expect(added).toMatchObject({ slug: "drukqs", title: "Drukqs", plays: 0 });
		expect(typeof added._id).toBe("string");
		await broker.call("library.add", { slug: "saw", title: "Selected Ambient Works" });
		await broker.call("library.play", { slug: "drukqs" });
		const list = await broker.call<Album[]>("library.list");
		expect(list.map(a => [a.slug, a.plays])).toEqual([
			["drukqs", 1],
			["saw", 0]
		]);
	});

	it("creates the declared unique index", async () => {
		await broker.call("library.add", { slug: "x", title: "X" });
		await expect(broker.call("library.add", { slug: "x", title: "again" })).rejects.toBeInstanceOf(DuplicateKeyError);
	});

	it("refuses an operator smuggled in as a value, and undeclared collections", async () => {
		await broker.call("library.add", { slug: "x", title: "X" });
		await expect(broker.call("library.play", { slug: { $gt: "" } })).rejects.toThrow(/plain value/);
		await expect(broker.call("library.undeclared")).rejects.toThrow(/declares no collection 'nope'/);
	});

	it("answers storeHealth and advertises store metadata", async () => {
		const health = await broker.call<StoreHealth>("library.storeHealth");
		expect(health).toEqual({ ok: true, kind: "embedded", latencyMs: expect.any(Number) });
		const owners = broker.registry
			.getServiceList({ onlyLocal: true, skipInternal: true, withActions: false })
			.filter((s: { metadata?: { store?: boolean } }) => s.metadata?.store === true)
			.map((s: { name: string }) => s.name)
			.sort();
		expect(owners).toEqual(["library", "other"]);
	});

	it("keeps the shared store open until the last store service stops", async () => {
		await broker.call("library.add", { slug: "kept", title: "Kept" });
		const library = broker.getLocalService("library");
		if (!library) throw new Error("library service missing");
		await broker.destroyService(library);
		expect(await broker.call("other.count")).toBe(0);
		await expect(broker.call("other.storeHealth")).resolves.toMatchObject({ ok: true });
	});
});

describe("store mixin declarations", () => {
	it("refuses malformed collections when the service is created", () => {
		const broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig());
		const bad = (collections: ServiceSchema["collections"]) => () =>
			broker.createService({ name: "bad", mixins: [StoreMixin], collections });
		expect(bad({ "a.b": {} })).toThrow(/collection name/);
		expect(bad({ ok: { indexes: [{ fields: { $where: 1 } }] } })).toThrow(/contains "\$"/);
		expect(bad({ ok: { indexes: [{ fields: {} }] } })).toThrow(/needs fields/);
	});
});

describe("store mixin on disk", () => {
	it("writes each collection to DATA_DIR's store.sqlite as the table <service>.<collection>", async () => {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-mixin-"));
		try {
			for (const round of [1, 2]) {
				const broker = new ServiceBroker({ logger: false });
				attachConfig(broker, testConfig({ STORE_IN_MEMORY: "false", DATA_DIR: dataDir }));
				broker.createService(LibraryService);
				await broker.start();
				if (round === 1) await broker.call("library.add", { slug: "s", title: "Survives" });
				const list = await broker.call<Album[]>("library.list");
				await broker.stop();
				expect(list.map(a => a.title)).toEqual(["Survives"]);
			}
			const db = new DatabaseSync(path.join(dataDir, "store.sqlite"), { readOnly: true });
			const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map(t => t.name);
			db.close();
			expect(tables).toEqual(expect.arrayContaining(["library.albums", "library.plays"]));
		} finally {
			fs.rmSync(dataDir, { recursive: true, force: true });
		}
	});
});
