/**
 * Gives a service its own collections. A service lists them under `collections` in its schema, with
 * indexes; after `started`, `this.collection<T>("jobs")` returns the collection `<service>.jobs`.
 *
 * All services of one broker share one adapter (one MongoDB connection pool, or one SQLite file);
 * it is opened by the first store service to start and closed when the last one stops.
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Errors, type Service, type ServiceBroker, type ServiceSchema } from "moleculer";
import { configFor, type Config } from "../../config";
import { EmbeddedAdapter } from "./sqlite-adapter";
import type { MongoAdapter } from "./mongo-adapter";
import { assertFieldMap } from "./sanitize";
import type { Collection, Doc, StoreAdapter } from "./types";

export interface StoreMethods {
	/** The collection `<service name>.<name>`, declared under `collections`. Usable from `started` on. */
	collection<T extends Doc = Doc>(name: string): Collection<T>;
}

export type StoreService = Service & StoreMethods;

export interface StoreHealth {
	ok: true;
	kind: StoreAdapter["kind"];
	latencyMs: number;
}

/** MongoDB when MONGO_URL is set, else the embedded store under DATA_DIR (or in memory). */
export function createStoreAdapter(config: Config, log?: (message: string) => void): StoreAdapter {
	if (config.MONGO_URL) {
		// Required here, not imported: the driver takes a few hundred ms to load, which a node on the embedded store would spend at every start.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { MongoAdapter: Adapter } = require("./mongo-adapter") as { MongoAdapter: typeof MongoAdapter };
		return new Adapter({ url: config.MONGO_URL, dbName: config.MONGO_DB });
	}
	return new EmbeddedAdapter({ dataDir: path.resolve(config.DATA_DIR), inMemory: config.STORE_IN_MEMORY, log });
}

interface Lease {
	adapter: StoreAdapter;
	users: number;
	ready: Promise<void>;
}

const leases = new WeakMap<ServiceBroker, Lease>();

async function acquire(broker: ServiceBroker): Promise<StoreAdapter> {
	let lease = leases.get(broker);
	if (!lease) {
		const logger = broker.getLogger("store");
		const adapter = createStoreAdapter(configFor(broker), message => logger.info(message));
		lease = { adapter, users: 0, ready: adapter.connect() };
		leases.set(broker, lease);
	}
	lease.users++;
	try {
		await lease.ready;
	} catch (err) {
		await release(broker);
		throw err;
	}
	return lease.adapter;
}

async function release(broker: ServiceBroker): Promise<void> {
	const lease = leases.get(broker);
	if (!lease || --lease.users > 0) return;
	leases.delete(broker);
	await lease.adapter.close();
}

interface ServiceStore {
	adapter: StoreAdapter;
	collections: Map<string, Collection<Doc>>;
}

// Kept off the service object so a service's own fields can't collide with the mixin's state.
const stores = new WeakMap<Service, ServiceStore>();

function storeOf(service: Service): ServiceStore {
	const store = stores.get(service);
	if (!store) throw new Errors.MoleculerError(`The store of '${service.name}' is not open (service not started)`, 503, "STORE_NOT_READY");
	return store;
}

/**
 * Typed as a plain schema because `mixins` takes `Partial<ServiceSchema>`; a service using it types
 * itself `ServiceSchema<Settings, StoreMethods>` to get `this.collection`.
 */
export const StoreMixin: Partial<ServiceSchema> = {
	metadata: { store: true },

	actions: {
		/** Readiness probe for the gateway: answers when this service's store answers. */
		storeHealth: {
			visibility: "public",
			async handler(this: Service): Promise<StoreHealth> {
				const { adapter } = storeOf(this);
				const start = performance.now();
				try {
					await adapter.ping();
				} catch (err) {
					const reason = err instanceof Error ? err.message : String(err);
					throw new Errors.MoleculerError(`Store ${adapter.kind} unavailable: ${reason}`, 503, "STORE_UNAVAILABLE");
				}
				return { ok: true, kind: adapter.kind, latencyMs: Math.round((performance.now() - start) * 100) / 100 };
			}
		}
	},

	methods: {
		collection<T extends Doc = Doc>(this: StoreService, name: string): Collection<T> {
			const coll = storeOf(this).collections.get(name);
			if (!coll) throw new Error(`Service '${this.name}' declares no collection '${name}' (add it under 'collections')`);
			return coll as unknown as Collection<T>;
		}
	},

	/** Fails at createService rather than at start when a declaration is malformed. */
	created(this: Service): void {
		for (const [name, spec] of Object.entries(this.schema.collections ?? {})) {
			if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`Service '${this.name}': collection name '${name}' must be letters, digits, '_' or '-'`);
			for (const index of spec.indexes ?? []) {
				assertFieldMap(index.fields, [1, -1], `Service '${this.name}', collection '${name}', index`);
				if (Object.keys(index.fields).length === 0) throw new Error(`Service '${this.name}', collection '${name}': an index needs fields`);
			}
		}
	},

	async started(this: Service): Promise<void> {
		const adapter = await acquire(this.broker);
		try {
			const collections = new Map<string, Collection<Doc>>();
			for (const [name, spec] of Object.entries(this.schema.collections ?? {})) {
				collections.set(name, await adapter.collection(`${this.name}.${name}`, spec));
			}
			stores.set(this, { adapter, collections });
		} catch (err) {
			await release(this.broker);
			throw err;
		}
	},

	async stopped(this: Service): Promise<void> {
		if (!stores.delete(this)) return;
		await release(this.broker);
	}
};

export default StoreMixin;
