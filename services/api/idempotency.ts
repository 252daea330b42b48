import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import type Redis from "ioredis";
import { Errors } from "moleculer";

/*
 * Idempotency-Key on POST (the IETF httpapi draft, as Stripe and others do it): the first request
 * with a key runs and its answer is kept for IDEMPOTENCY_TTL_SEC; a repeat of the same request
 * with the same key gets that answer again without running anything. A repeat while the first is
 * still running is a 409, and the same key on a different request a 422. Keys are per user, so
 * one user's keys say nothing about another's. A client that timed out can thus repeat a batch
 * import without doubling it.
 */

interface Pending {
	state: "pending";
	fingerprint: string;
}
export interface StoredAnswer {
	state: "done";
	fingerprint: string;
	status: number;
	contentType?: string;
	location?: string;
	body: string;
}
type Entry = Pending | StoredAnswer;

const KEY = /^[\x21-\x7e]{1,255}$/;
/** Most entries a node keeps without Redis; the oldest go first. */
const LOCAL_MAX = 10_000;

/** Answers that mean "not done, try later": the key is freed so a repeat runs. */
const NOT_DONE = new Set([429, 503]);

export class IdempotencyStore {
	private readonly local = new Map<string, { entry: Entry; expiresAt: number }>();

	constructor(
		private readonly redis: Redis | undefined,
		private readonly prefix: string,
		private readonly ttlMs: number,
		/** How long a request may hold its key while it runs; past it, a crashed node's key frees. */
		private readonly pendingMs: number
	) {}

	/** The stored entry for `key`, or undefined after reserving it for this request. */
	async reserve(key: string, fingerprint: string): Promise<Entry | undefined> {
		const pending: Pending = { state: "pending", fingerprint };
		if (this.redis) {
			try {
				const ok = await this.redis.set(this.redisKey(key), JSON.stringify(pending), "PX", this.pendingMs, "NX");
				if (ok === "OK") return undefined;
				const raw = await this.redis.get(this.redisKey(key));
				if (raw) return JSON.parse(raw) as Entry;
				return this.reserve(key, fingerprint);
			} catch {
				// Redis is down: this node's memory will do.
			}
		}
		const now = Date.now();
		const have = this.local.get(key);
		if (have && have.expiresAt > now) return have.entry;
		this.setLocal(key, pending, this.pendingMs);
		return undefined;
	}

	async finish(key: string, answer: StoredAnswer | null): Promise<void> {
		if (this.redis) {
			try {
				if (answer) await this.redis.set(this.redisKey(key), JSON.stringify(answer), "PX", this.ttlMs);
				else await this.redis.del(this.redisKey(key));
				return;
			} catch {
				// fall through to memory
			}
		}
		if (answer) this.setLocal(key, answer, this.ttlMs);
		else this.local.delete(key);
	}

	private redisKey(key: string): string {
		return `${this.prefix}:idem:${key}`;
	}

	private setLocal(key: string, entry: Entry, ttl: number): void {
		this.local.delete(key);
		this.local.set(key, { entry, expiresAt: Date.now() + ttl });
		if (this.local.size > LOCAL_MAX) this.local.delete(this.local.keys().next().value as string);
	}
}

export const REPLAY = "IDEMPOTENT_REPLAY";

/**
 * Thrown to answer a repeat with the stored answer instead of running the action; the gateway's
 * onError writes it. A Moleculer error, so it crosses the gateway's action unchanged.
 */
export class IdempotentReplay extends Errors.MoleculerError {
	constructor(answer: StoredAnswer) {
		// The code is never sent (the stored status is); a 4xx one keeps moleculer-web from logging it as a failure.
		super("Idempotent replay", 409, REPLAY, answer);
	}
}

/** The stored answer an error carries when it is a replay. */
export function replayOf(err: { type?: string; data?: unknown }): StoredAnswer | undefined {
	return err.type === REPLAY ? (err.data as StoredAnswer) : undefined;
}

export interface IdempotentRequest {
	method?: string;
	originalUrl?: string;
	url?: string;
	body?: unknown;
	headers: Record<string, string | string[] | undefined>;
}

/** The request's Idempotency-Key, or undefined; a malformed one is a 400. */
export function idempotencyKey(req: IdempotentRequest): string | undefined {
	const raw = req.headers["idempotency-key"];
	if (raw === undefined) return undefined;
	const key = Array.isArray(raw) ? raw[0] : raw;
	if (!KEY.test(key)) throw new Errors.MoleculerClientError("Idempotency-Key must be 1 to 255 printable ASCII characters", 400, "INVALID_IDEMPOTENCY_KEY");
	return key;
}

function fingerprintOf(req: IdempotentRequest): string {
	return createHash("sha256")
		.update(`${req.method} ${req.originalUrl ?? req.url}\n${JSON.stringify(req.body ?? null)}`)
		.digest("base64url");
}

/**
 * Applies the key of a POST by `scope` (the user): replays a stored answer (by throwing
 * IdempotentReplay), refuses a key in use or reused, or reserves it and keeps the answer this
 * request gets once the response ends.
 */
export async function applyIdempotency(store: IdempotencyStore, scope: string, key: string, req: IdempotentRequest, res: ServerResponse): Promise<void> {
	const storeKey = createHash("sha256").update(`${scope}\n${key}`).digest("base64url");
	const fingerprint = fingerprintOf(req);
	const have = await store.reserve(storeKey, fingerprint);
	if (have?.fingerprint !== undefined && have.fingerprint !== fingerprint) {
		throw new Errors.MoleculerClientError("This Idempotency-Key was used for a different request", 422, "IDEMPOTENCY_KEY_REUSED");
	}
	if (have?.state === "pending") {
		throw new Errors.MoleculerClientError("A request with this Idempotency-Key is still running", 409, "IDEMPOTENCY_KEY_IN_USE", { retryAfterSec: 5 });
	}
	if (have) throw new IdempotentReplay(have);
	captureAnswer(res, answer => {
		// A timeout says nothing of whether the work happened: the key stays held until it would have ended.
		if (answer?.status === 504) return;
		void store.finish(storeKey, answer && !NOT_DONE.has(answer.status) ? { ...answer, fingerprint } : null);
	});
}

/** Calls `done` with what the response sent once it ends (null when it streamed and cannot be replayed). */
function captureAnswer(res: ServerResponse, done: (answer: Omit<StoredAnswer, "fingerprint"> | null) => void): void {
	let streamed = false;
	const write = res.write.bind(res);
	const end = res.end.bind(res);
	res.write = ((...args: Parameters<ServerResponse["write"]>) => {
		streamed = true;
		return write(...args);
	}) as ServerResponse["write"];
	res.end = ((chunk?: unknown, ...rest: unknown[]) => {
		if (streamed || (chunk !== undefined && typeof chunk !== "string" && !Buffer.isBuffer(chunk))) done(null);
		else {
			const location = res.getHeader("location");
			done({
				state: "done",
				status: res.statusCode,
				...(res.getHeader("content-type") ? { contentType: String(res.getHeader("content-type")) } : {}),
				...(location ? { location: String(location) } : {}),
				body: chunk === undefined || typeof chunk === "function" ? "" : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : chunk
			});
		}
		return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
	}) as ServerResponse["end"];
}

/** Writes a stored answer again, marked as a replay. */
export function writeReplay(res: ServerResponse, answer: StoredAnswer): void {
	if (answer.contentType) res.setHeader("Content-Type", answer.contentType);
	if (answer.location) res.setHeader("Location", answer.location);
	res.setHeader("Idempotent-Replayed", "true");
	res.writeHead(answer.status);
	res.end(answer.body);
}
