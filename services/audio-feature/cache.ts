/**
 * What is known about each preview URL: its analysis, or why it could not be analysed and when to
 * try again. Failures are remembered as well as results, so a broken preview is not downloaded on
 * every pass of the high tier.
 *
 * With REDIS_URL the cache lives in Redis and serves the whole cluster; without it, each node
 * keeps a bounded one in memory. Redis trouble falls back to the memory cache: the worst case is a
 * preview analysed twice.
 */
import { createHash } from "node:crypto";
import type Redis from "ioredis";
import type { AudioAnalysis, FailureReason } from "./types";

export type CacheEntry =
	| { kind: "ok"; analysis: AudioAnalysis; at: number }
	| { kind: "failed"; reason: FailureReason; message: string; attempts: number; at: number; final: boolean; retryAt: number };

export interface AnalysisCache {
	get(key: string): Promise<CacheEntry | undefined>;
	set(key: string, entry: CacheEntry, ttlMs: number): Promise<void>;
}

/**
 * The cache key of a preview URL. The query string is left out: Deezer's and Spotify's preview
 * URLs name the file in the path and carry expiring signatures in the query, so the same preview
 * comes back under a new query every time it is fetched.
 */
export function previewKey(url: string): string {
	let base = url;
	try {
		const u = new URL(url);
		base = `${u.protocol}//${u.host.toLowerCase()}${u.pathname}`;
	} catch {
		// Not a URL: hash it as it is.
	}
	return createHash("sha256").update(base).digest("hex").slice(0, 40);
}

export class MemoryCache implements AnalysisCache {
	private readonly entries = new Map<string, { entry: CacheEntry; expires: number }>();

	constructor(private readonly maxEntries: number) {}

	async get(key: string): Promise<CacheEntry | undefined> {
		const hit = this.entries.get(key);
		if (!hit) return undefined;
		if (hit.expires <= Date.now()) {
			this.entries.delete(key);
			return undefined;
		}
		// Re-inserted, so Map order is least recently used first.
		this.entries.delete(key);
		this.entries.set(key, hit);
		return hit.entry;
	}

	async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
		this.entries.delete(key);
		this.entries.set(key, { entry, expires: Date.now() + ttlMs });
		while (this.entries.size > this.maxEntries) {
			const oldest = this.entries.keys().next().value as string;
			this.entries.delete(oldest);
		}
	}

	get size(): number {
		return this.entries.size;
	}
}

export class RedisCache implements AnalysisCache {
	constructor(
		private readonly redis: Redis,
		private readonly prefix: string,
		private readonly fallback: MemoryCache,
		private readonly timeoutMs = 500
	) {}

	private within<T>(p: Promise<T>): Promise<T> {
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error("redis timeout")), this.timeoutMs);
		});
		return Promise.race([p, late]).finally(() => clearTimeout(timer));
	}

	async get(key: string): Promise<CacheEntry | undefined> {
		try {
			const raw = await this.within(this.redis.get(`${this.prefix}:analysis:${key}`));
			if (raw) return JSON.parse(raw) as CacheEntry;
		} catch {
			// Redis is down or the value is damaged: ask the local copy.
		}
		return this.fallback.get(key);
	}

	async set(key: string, entry: CacheEntry, ttlMs: number): Promise<void> {
		await this.fallback.set(key, entry, ttlMs);
		try {
			await this.within(this.redis.set(`${this.prefix}:analysis:${key}`, JSON.stringify(entry), "PX", Math.max(1, Math.round(ttlMs))));
		} catch {
			// Kept locally; another node may analyse this preview once more.
		}
	}
}
