import type Redis from "ioredis";
import { FINISH, LuaScript, PAUSE, REBUILD, RESERVE, TIME, USAGE } from "./scripts";
import { clock, LimiterScriptError, LOOKAHEAD_MS, POLL_MS, RedisDownError, type LimiterStore, type Reservation, type ReserveRequest } from "./store";
import type { LimiterSettings } from "./types";
import type { LogEntry } from "./window";

const reserveScript = new LuaScript(RESERVE);
const finishScript = new LuaScript(FINISH);
const pauseScript = new LuaScript(PAUSE);
const usageScript = new LuaScript(USAGE);
const rebuildScript = new LuaScript(REBUILD);
const timeScript = new LuaScript(TIME);

export interface SharedOptions {
	prefix: string;
	marginMs: number;
	timeoutMs: number;
	expirationMs: number;
}

export interface LimiterKeys {
	/** Calls granted and not yet ended, scored by start. */
	live: string;
	/** Calls that ended, scored by end. */
	ended: string;
	pause: string;
}

export function limiterKeys(prefix: string, name: string): LimiterKeys {
	const base = `{${prefix}}:limiter:${name}`;
	return { live: `${base}:live`, ended: `${base}:ended`, pause: `${base}:pause` };
}

export function overridesKey(prefix: string): string {
	return `{${prefix}}:limits:overrides`;
}

function epochKey(prefix: string): string {
	return `{${prefix}}:limits:epoch`;
}

/** Redis' own error replies (a script failing, a key of the wrong type) as opposed to a dead link. */
function isReplyError(err: unknown): boolean {
	return err instanceof Error && (err.name === "ReplyError" || /^(ERR|WRONGTYPE|NOSCRIPT|BUSY)\b/.test(err.message));
}

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			work,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new RedisDownError(`${what}: no answer from Redis within ${ms} ms`)), ms);
			})
		]);
	} finally {
		clearTimeout(timer);
	}
}

function settingsFrom(reply: unknown[]): LimiterSettings {
	const conc = Number(reply[5]);
	return { maxPerWindow: Number(reply[3]), windowMs: Number(reply[4]), maxConcurrent: conc > 0 ? conc : undefined };
}

/** Stored overrides are JSON objects; anything else in the hash is ignored, not trusted. */
export function parseOverride(raw: string): Partial<LimiterSettings> | undefined {
	try {
		const o = JSON.parse(raw) as Record<string, unknown>;
		const out: Partial<LimiterSettings> = {};
		if (typeof o.maxPerWindow === "number") out.maxPerWindow = o.maxPerWindow;
		if (typeof o.windowMs === "number") out.windowMs = o.windowMs;
		if (typeof o.maxConcurrent === "number") out.maxConcurrent = o.maxConcurrent;
		return Object.keys(out).length ? out : undefined;
	} catch {
		return undefined;
	}
}

/** Reservations kept in Redis and shared by every node: the cluster-wide limit. */
export class SharedStore implements LimiterStore {
	readonly kind = "shared";

	constructor(
		private readonly redis: Redis,
		private readonly o: SharedOptions
	) {}

	async reserve(req: ReserveRequest): Promise<Reservation> {
		const k = limiterKeys(this.o.prefix, req.name);
		const { reply, received } = await this.run(
			reserveScript,
			[k.live, k.ended, k.pause, overridesKey(this.o.prefix), epochKey(this.o.prefix)],
			[
				req.name,
				req.settings.maxPerWindow,
				req.settings.windowMs,
				req.settings.maxConcurrent ?? 0,
				this.o.marginMs,
				req.weight,
				req.token,
				this.o.expirationMs,
				LOOKAHEAD_MS,
				req.peersInFallback,
				req.nodes,
				POLL_MS
			],
			"reserve"
		);
		// A Redis time becomes a local one by its distance from Redis' "now", counted from when
		// the reply arrived: never earlier than the truth, which is the safe side.
		const local = (t: unknown) => received + (Number(t) - Number(reply[2]));
		const settings = settingsFrom(reply);
		switch (reply[0]) {
			case "ok":
				return { kind: "ok", startAt: local(reply[1]), settings };
			case "paused":
				return { kind: "paused", until: local(reply[1]) };
			case "wait":
				return { kind: "wait", until: local(reply[1]) };
			default:
				return { kind: "never", settings };
		}
	}

	async cancel(name: string, token: string, weight: number): Promise<void> {
		await withTimeout(this.redis.zrem(limiterKeys(this.o.prefix, name).live, `${token}|${weight}`), this.o.timeoutMs, "cancel");
	}

	async finish(name: string, token: string, weight: number, windowMs: number): Promise<void> {
		const k = limiterKeys(this.o.prefix, name);
		await this.run(finishScript, [k.live, k.ended], [`${token}|${weight}`, windowMs + this.o.marginMs], "finish");
	}

	async pause(name: string, durationMs: number): Promise<{ until: number; extendedMs: number }> {
		const { reply, received } = await this.run(pauseScript, [limiterKeys(this.o.prefix, name).pause], [Math.ceil(durationMs)], "pause");
		return { until: received + (Number(reply[0]) - Number(reply[2])), extendedMs: Number(reply[1]) };
	}

	async pausedUntil(name: string): Promise<number> {
		const k = limiterKeys(this.o.prefix, name);
		const { reply, received } = await this.run(usageScript, [k.live, k.ended, k.pause], [1], "pause check");
		return Number(reply[1]) > 0 ? received + (Number(reply[1]) - Number(reply[2])) : 0;
	}

	async usage(name: string, windowMs: number): Promise<{ used: number; pausedUntil: number }> {
		const k = limiterKeys(this.o.prefix, name);
		const { reply, received } = await this.run(usageScript, [k.live, k.ended, k.pause], [windowMs], "usage");
		return { used: Number(reply[0]), pausedUntil: Number(reply[1]) > 0 ? received + (Number(reply[1]) - Number(reply[2])) : 0 };
	}

	/**
	 * Writes calls this node granted itself while Redis was out of reach into the shared sets, so
	 * the nodes coming back count them: ended ones as ended, the others as live (their end, when it
	 * comes, is reported here too).
	 */
	async replay(name: string, entries: readonly LogEntry[], spanMs: number): Promise<void> {
		if (entries.length === 0) return;
		const sent = clock();
		const reply = await withTimeout(timeScript.run(this.redis, [], []), this.o.timeoutMs, "time");
		// Local times map to Redis times through the send time: the later equivalent, the safe side.
		const offset = Number((reply as unknown[])[0]) - sent;
		const k = limiterKeys(this.o.prefix, name);
		const tx = this.redis.multi();
		for (const e of entries) {
			if (e.end === undefined) tx.zadd(k.live, e.start + offset, `${e.token}|${e.weight}`);
			else tx.zadd(k.ended, e.end + offset, `${e.token}|${e.weight}`);
		}
		tx.pexpire(k.live, Math.ceil(this.o.expirationMs + spanMs + LOOKAHEAD_MS + 1000));
		tx.pexpire(k.ended, Math.ceil(spanMs + 1000));
		await withTimeout(tx.exec(), this.o.timeoutMs, "replay");
	}

	/** Starts a limiter whose keys a script could not use afresh, with one window counted as used. */
	async rebuild(name: string, settings: LimiterSettings): Promise<void> {
		const k = limiterKeys(this.o.prefix, name);
		await this.run(rebuildScript, [k.live, k.ended], [settings.maxPerWindow, settings.windowMs + this.o.marginMs], "rebuild");
	}

	async ping(): Promise<void> {
		await withTimeout(timeScript.run(this.redis, [], []), this.o.timeoutMs, "ping");
	}

	async loadOverrides(): Promise<Map<string, Partial<LimiterSettings>>> {
		const raw = await withTimeout(this.redis.hgetall(overridesKey(this.o.prefix)), this.o.timeoutMs, "overrides");
		const out = new Map<string, Partial<LimiterSettings>>();
		for (const [name, value] of Object.entries(raw)) {
			const parsed = parseOverride(value);
			if (parsed) out.set(name, parsed);
		}
		return out;
	}

	private async run(script: LuaScript, keys: string[], args: Array<string | number>, what: string): Promise<{ reply: unknown[]; received: number }> {
		try {
			const reply = await withTimeout(script.run(this.redis, keys, args), this.o.timeoutMs, what);
			if (!Array.isArray(reply)) throw new LimiterScriptError(`${what}: unexpected reply ${JSON.stringify(reply)}`);
			return { reply, received: clock() };
		} catch (err) {
			if (err instanceof RedisDownError || err instanceof LimiterScriptError) throw err;
			if (isReplyError(err)) throw new LimiterScriptError(`${what}: ${(err as Error).message}`);
			throw new RedisDownError(`${what}: ${(err as Error).message}`);
		}
	}
}

/** Writes (or with `null` removes) an operator's override, for every node to pick up. */
export async function storeOverride(redis: Redis, prefix: string, name: string, settings: LimiterSettings | null, timeoutMs: number): Promise<void> {
	const key = overridesKey(prefix);
	const work = settings ? redis.hset(key, name, JSON.stringify(settings)) : redis.hdel(key, name);
	await withTimeout(work, timeoutMs, "store override");
}
