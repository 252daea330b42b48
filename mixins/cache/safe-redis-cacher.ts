import { Cachers, type ServiceBroker } from "moleculer";
import type { EventEmitter } from "node:events";
import { RepeatedLog } from "../logging/repeated";

/** Longest a cache read or write may take before the call goes on without the cache. */
const CACHE_TIMEOUT_MS = 200;

function guarded<T>(work: Promise<T>, fallback: T): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<T>(resolve => {
		timer = setTimeout(() => resolve(fallback), CACHE_TIMEOUT_MS);
		timer.unref();
	});
	return Promise.race([work.catch(() => fallback), timeout]).finally(() => clearTimeout(timer));
}

/** ioredis options from a redis:// URL, failing fast instead of queueing while disconnected. */
export function redisOptions(url: string): Record<string, unknown> {
	const u = new URL(url);
	const db = Number(u.pathname.replace(/^\//, "") || 0);
	return {
		host: u.hostname,
		port: Number(u.port || 6379),
		...(u.username ? { username: decodeURIComponent(u.username) } : {}),
		...(u.password ? { password: decodeURIComponent(u.password) } : {}),
		db: Number.isInteger(db) ? db : 0,
		enableOfflineQueue: false,
		maxRetriesPerRequest: 1,
		connectTimeout: 2000
	};
}

/**
 * Moleculer's Redis cacher, but a cache that does not answer is a cache miss: with Redis down,
 * cached actions run uncached instead of failing or hanging, as the rest of the system fails safe.
 */
export class SafeRedisCacher extends Cachers.Redis {
	private errors: RepeatedLog | undefined;

	/**
	 * Moleculer's cacher logs every connection error with its stack, about twice a second while
	 * Redis is down; one line per run of identical errors (with a count every 30 s) says the same.
	 */
	override init(broker: ServiceBroker): void {
		super.init(broker);
		const client = this.client as EventEmitter;
		const errors = new RepeatedLog(this.logger, "warn");
		this.errors = errors;
		client.removeAllListeners("error");
		client.on("error", (err: Error) => {
			this.connected = false;
			broker.broadcastLocal("$cacher.error", { error: err, module: "cacher", type: "CLIENT_ERROR" });
			errors.report(`Redis cacher: ${err.message}; cached actions run uncached until it is back`);
		});
		client.on("ready", () => errors.resolved());
	}

	override get(key: string): Promise<Record<string, unknown> | null> {
		// A failed read is what Moleculer counts as a miss, so the action runs and refills the cache.
		return guarded(super.get(key), this.opts.missingResponse as Record<string, unknown> | null);
	}

	override getWithTTL(key: string): Promise<Record<string, unknown> | null> {
		return guarded(super.getWithTTL(key), { data: null, ttl: null } as unknown as Record<string, unknown>);
	}

	override set(key: string, data: unknown, ttl?: number): Promise<void> {
		return guarded(super.set(key, data, ttl), undefined);
	}

	override del(key: string | string[]): Promise<void> {
		return guarded(super.del(key), undefined);
	}

	override clean(match?: string | string[]): Promise<void> {
		return guarded(super.clean(match), undefined);
	}

	/** Closes even when Redis is gone: a quit that cannot be sent would leave ioredis reconnecting for ever. */
	override close(): Promise<void> {
		this.errors?.close();
		return guarded(super.close(), undefined).finally(() => (this.client as { disconnect(): void }).disconnect());
	}
}
