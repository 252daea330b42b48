import Redis from "ioredis";

/*
 * One Redis connection per node (per broker), shared by every service on it: the rate limiters and
 * the readiness check. Reference-counted so the connection closes with the last user.
 */
interface Shared {
	client: Redis;
	users: number;
}

const connections = new WeakMap<object, Shared>();

export function acquireRedis(broker: object, url: string): Redis {
	const existing = connections.get(broker);
	if (existing) {
		existing.users++;
		return existing.client;
	}
	const client = new Redis(url, {
		lazyConnect: false,
		// Fail fast rather than queue commands while Redis is down: callers have fallbacks.
		maxRetriesPerRequest: 1,
		enableOfflineQueue: true,
		connectTimeout: 2000,
		retryStrategy: attempt => Math.min(attempt * 200, 2000)
	});
	// Errors surface through failed commands and readiness; an unhandled 'error' event would crash.
	client.on("error", () => undefined);
	connections.set(broker, { client, users: 1 });
	return client;
}

export async function releaseRedis(broker: object): Promise<void> {
	const shared = connections.get(broker);
	if (!shared) return;
	if (--shared.users > 0) return;
	connections.delete(broker);
	shared.client.disconnect();
}

/** Resolves with the round-trip time in ms, or rejects when Redis does not answer within `timeoutMs`. */
export async function pingRedis(client: Redis, timeoutMs = 1000): Promise<number> {
	const started = Date.now();
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([
			client.ping(),
			new Promise((_, reject) => {
				timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
			})
		]);
	} finally {
		clearTimeout(timer);
	}
	return Date.now() - started;
}
