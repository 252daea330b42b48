import type { Logger, ServiceBroker } from "moleculer";
import type Redis from "ioredis";
import { configFor } from "../../config";
import type { CheckResult } from "../../services/api/readiness";
import { acquireRedis, releaseRedis } from "../redis";
import { LIMIT_EVENTS, type LimitsChangedEvent, type LimitsFallbackEvent, type LimitsPausedEvent } from "./events";
import { QueuedLimiter, type LimiterContext } from "./limiter";
import { LocalStore } from "./local-limiter";
import { LimiterMetrics } from "./metrics";
import { PauseBook } from "./pause";
import { hostLimiterName, hostSettings, limiterSettingsFromConfig, validSettings, type RateLimitOptions } from "./settings";
import { SharedStore } from "./shared-limiter";
import { clock, LimiterScriptError, LOOKAHEAD_MS, type LimiterStore } from "./store";
import type { Limiter, LimiterSettings, LimiterStatus } from "./types";
import { rankOf } from "./window";

/** A script failing again this soon after a rebuild means Redis is broken: fall back instead. */
const REBUILD_EVERY_MS = 10000;
const PLACEMENT_TTL_MS = 500;

function sameSettings(a: LimiterSettings, b: LimiterSettings): boolean {
	return a.maxPerWindow === b.maxPerWindow && a.windowMs === b.windowMs && (a.maxConcurrent ?? 0) === (b.maxConcurrent ?? 0);
}

/**
 * Everything rate-limiting on one node (one broker): the limiters, shared by all of the node's
 * services, the Redis connection, and which mode the node is in.
 *
 *  - local: no REDIS_URL. Each node takes its share of every limit.
 *  - shared: reservations come from Redis; the cluster as a whole keeps to the limit.
 *  - fallback: Redis failed. Each node takes its share, starting one window after the failure,
 *    and checks every LIMITER_HEALTH_INTERVAL_MS whether Redis is back.
 */
export class LimiterHub implements LimiterContext {
	readonly nodeID: string;
	readonly marginMs: number;
	readonly expirationMs: number;
	readonly pauses = new PauseBook();
	readonly metrics: LimiterMetrics;
	readonly logger: Logger;
	readonly options: RateLimitOptions;
	users = 0;

	private readonly local: LocalStore;
	private readonly shared?: SharedStore;
	private readonly redis?: Redis;
	private current: LimiterStatus["mode"];
	private fallbackSince?: number;
	private fallbackReason?: string;
	private readonly limiters = new Map<string, QueuedLimiter>();
	private readonly base = new Map<string, LimiterSettings>();
	private readonly overrides = new Map<string, LimiterSettings>();
	private readonly usedBy = new Map<string, Set<string>>();
	private readonly peersInFallback = new Set<string>();
	private readonly placements = new Map<string, { at: number; value: { nodes: number; rank: number; peersInFallback: number } }>();
	private readonly lastRebuild = new Map<string, number>();
	private timer?: NodeJS.Timeout;
	private lastPoll = 0;
	private recovering = false;
	private started?: Promise<void>;

	constructor(private readonly broker: ServiceBroker) {
		this.options = limiterSettingsFromConfig(configFor(broker) as unknown as Record<string, unknown>);
		this.nodeID = broker.nodeID;
		this.marginMs = this.options.marginMs;
		this.expirationMs = this.options.expirationMs;
		this.logger = broker.getLogger("rate-limit");
		this.metrics = new LimiterMetrics(broker);
		this.local = new LocalStore(this.pauses, this.marginMs, this.expirationMs);
		if (this.options.redisUrl) {
			this.redis = acquireRedis(broker, this.options.redisUrl);
			this.shared = new SharedStore(this.redis, {
				prefix: this.options.prefix,
				marginMs: this.marginMs,
				timeoutMs: this.options.redisTimeoutMs,
				expirationMs: this.expirationMs
			});
			this.current = "shared";
		} else {
			this.current = "local";
			// A node joining a cluster without Redis knows neither its peers (discovery takes a
			// moment) nor what they granted in the last window: it starts one window late. A lone
			// process has no peers and starts at once.
			if (broker.transit) this.local.blindFrom(clock());
		}
	}

	start(): Promise<void> {
		this.started ??= this.begin();
		return this.started;
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		for (const l of this.limiters.values()) l.stop();
		if (this.redis) await releaseRedis(this.broker);
	}

	limiter(name: string, service: string, defaults?: LimiterSettings): Limiter {
		let users = this.usedBy.get(name);
		if (!users) this.usedBy.set(name, (users = new Set()));
		if (!users.has(service)) {
			users.add(service);
			this.placements.delete(name);
		}
		if (!this.base.has(name)) {
			const settings =
				this.options.named[name] ?? defaults ?? (name.startsWith("host:") ? hostSettings(undefined, this.options.scrapeDefaultDelayMs) : undefined);
			if (!settings) throw new Error(`Limiter "${name}" has no settings: configure it or pass defaults to limiter()`);
			if (!validSettings(settings)) throw new Error(`Limiter "${name}" has invalid settings ${JSON.stringify(settings)}`);
			this.base.set(name, settings);
		}
		let limiter = this.limiters.get(name);
		if (!limiter) {
			limiter = new QueuedLimiter(name, this);
			this.limiters.set(name, limiter);
			this.metrics.fallback(name, this.current === "fallback");
		}
		return limiter;
	}

	hostLimiter(host: string, service: string, crawlDelaySeconds?: number): Limiter {
		const name = hostLimiterName(host);
		if (crawlDelaySeconds !== undefined || !this.base.has(name)) {
			const settings = hostSettings(crawlDelaySeconds, this.options.scrapeDefaultDelayMs);
			const before = this.base.get(name);
			this.base.set(name, settings);
			if (before && !sameSettings(before, settings)) this.limiters.get(name)?.nudge();
		}
		return this.limiter(name, service);
	}

	async statusAll(): Promise<LimiterStatus[]> {
		const all = await Promise.all([...this.limiters.values()].map(l => l.status()));
		return all.sort((a, b) => a.name.localeCompare(b.name));
	}

	readiness(): CheckResult {
		const n = this.limiters.size;
		switch (this.current) {
			case "shared":
				return { ok: true, detail: `shared through Redis (${n} limiter${n === 1 ? "" : "s"})` };
			case "local":
				return { ok: true, detail: `local: no REDIS_URL, this node keeps to its share of each limit (${n} limiter${n === 1 ? "" : "s"})` };
			default:
				return {
					ok: false,
					detail: `fallback since ${new Date(this.fallbackSince ?? 0).toISOString()}: Redis unreachable (${this.fallbackReason}); this node keeps to its share of each limit`
				};
		}
	}

	// --- LimiterContext -------------------------------------------------------------------

	mode(): LimiterStatus["mode"] {
		return this.current;
	}

	store(): LimiterStore {
		return this.current === "shared" && this.shared ? this.shared : this.local;
	}

	settingsOf(name: string): LimiterSettings {
		const base = this.base.get(name);
		if (!base) throw new Error(`Limiter "${name}" is unknown`);
		const override = this.overrides.get(name);
		return override ? { ...base, ...override } : base;
	}

	isOverridden(name: string): boolean {
		return this.overrides.has(name);
	}

	observeSettings(name: string, applied: LimiterSettings): void {
		const base = this.base.get(name);
		if (!base) return;
		if (sameSettings(applied, base)) this.overrides.delete(name);
		else this.overrides.set(name, applied);
	}

	placement(name: string): { nodes: number; rank: number; peersInFallback: number } {
		const now = clock();
		const cached = this.placements.get(name);
		if (cached && now - cached.at < PLACEMENT_TTL_MS) return cached.value;
		const services = this.usedBy.get(name) ?? new Set<string>();
		const nodes = new Set<string>([this.nodeID]);
		for (const s of this.broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true })) {
			const nodeID = (s as { nodeID?: string }).nodeID;
			if (nodeID && services.has(s.name)) nodes.add(nodeID);
		}
		let peers = 0;
		for (const id of nodes) if (id !== this.nodeID && this.peersInFallback.has(id)) peers++;
		const value = { nodes: nodes.size, rank: rankOf(this.nodeID, [...nodes], name), peersInFallback: peers };
		this.placements.set(name, { at: now, value });
		return value;
	}

	async storeFailed(store: LimiterStore, name: string, err: unknown): Promise<void> {
		if (store.kind === "local" || !this.shared) throw err;
		if (err instanceof LimiterScriptError) {
			const now = clock();
			if (now - (this.lastRebuild.get(name) ?? 0) > REBUILD_EVERY_MS) {
				this.lastRebuild.set(name, now);
				this.logger.error(`Limiter ${name}: Redis rejected its script (${err.message}); rebuilding its keys`);
				try {
					await this.shared.rebuild(name, this.settingsOf(name));
					return;
				} catch (rebuildErr) {
					this.enterFallback(rebuildErr);
					return;
				}
			}
		}
		this.enterFallback(err);
	}

	announcePause(name: string, durationMs: number): void {
		const event: LimitsPausedEvent = { nodeID: this.nodeID, name, durationMs };
		this.broker.broadcast(LIMIT_EVENTS.paused, event).catch(() => undefined);
	}

	localShare(name: string): number | undefined {
		return this.local.shareOf(name);
	}

	// --- events from peers ------------------------------------------------------------------

	onChanged(event: LimitsChangedEvent): void {
		if (!event?.name) return;
		if (event.settings && validSettings(event.settings)) this.overrides.set(event.name, event.settings);
		else if (event.settings === null) this.overrides.delete(event.name);
		this.limiters.get(event.name)?.nudge();
	}

	onPaused(event: LimitsPausedEvent): void {
		if (!event?.name || event.nodeID === this.nodeID || !(event.durationMs > 0)) return;
		// Counted from when the news arrives: later than the truth, the safe side.
		const now = clock();
		this.pauses.extend(event.name, now + event.durationMs, now);
	}

	onFallback(event: LimitsFallbackEvent): void {
		if (!event?.nodeID || event.nodeID === this.nodeID) return;
		if (event.fallback) this.peersInFallback.add(event.nodeID);
		else this.peersInFallback.delete(event.nodeID);
		this.placements.clear();
	}

	onNodeGone(nodeID: string): void {
		this.peersInFallback.delete(nodeID);
		this.placements.clear();
	}

	// --- modes ------------------------------------------------------------------------------

	private async begin(): Promise<void> {
		if (this.shared) {
			try {
				await this.pollOverrides();
			} catch (err) {
				this.enterFallback(err);
			}
		}
		const every = Math.min(this.options.healthIntervalMs, this.options.overridePollMs);
		this.timer = setInterval(() => void this.tick(), every);
		this.timer.unref?.();
	}

	private async tick(): Promise<void> {
		if (this.current === "fallback") {
			this.announceFallback(true);
			await this.recover();
		} else if (this.current === "shared" && clock() - this.lastPoll >= this.options.overridePollMs) {
			try {
				await this.pollOverrides();
			} catch (err) {
				this.enterFallback(err);
			}
		}
	}

	private enterFallback(err: unknown): void {
		if (this.current !== "shared") return;
		this.current = "fallback";
		this.fallbackSince = clock();
		this.fallbackReason = err instanceof Error ? err.message : String(err);
		this.local.blindFrom(this.fallbackSince, LOOKAHEAD_MS);
		this.logger.warn(
			`Redis unreachable (${this.fallbackReason}): limiters fall back to this node's share of each limit ` +
				"(the limit divided among the live nodes running it), from one window on, until Redis answers again"
		);
		for (const name of this.limiters.keys()) this.metrics.fallback(name, true);
		this.announceFallback(true);
	}

	private async recover(): Promise<void> {
		if (this.current !== "fallback" || this.recovering || !this.shared) return;
		this.recovering = true;
		try {
			await this.shared.ping();
			// No local grants while this node's history moves to Redis, or some would be missed.
			this.local.freeze(true);
			try {
				for (const name of this.local.names()) {
					if (!this.base.has(name)) continue;
					const span = this.settingsOf(name).windowMs + this.marginMs;
					await this.shared.replay(name, this.local.recent(name, span), span);
				}
				await this.pollOverrides();
				this.current = "shared";
				this.fallbackSince = this.fallbackReason = undefined;
				this.local.leaveFallback();
			} finally {
				this.local.freeze(false);
			}
			this.logger.info("Redis answers again: limiters are shared through Redis again");
			for (const name of this.limiters.keys()) this.metrics.fallback(name, false);
			this.announceFallback(false);
			for (const l of this.limiters.values()) l.nudge();
		} catch {
			// Still unreachable: the next tick tries again.
		} finally {
			this.recovering = false;
		}
	}

	private async pollOverrides(): Promise<void> {
		if (!this.shared) return;
		const stored = await this.shared.loadOverrides();
		this.lastPoll = clock();
		for (const name of [...this.overrides.keys()]) if (!stored.has(name)) this.overrides.delete(name);
		for (const [name, partial] of stored) {
			const base = this.base.get(name);
			if (base) this.overrides.set(name, { ...base, ...partial });
			else if (partial.maxPerWindow !== undefined && partial.windowMs !== undefined) this.overrides.set(name, partial as LimiterSettings);
		}
	}

	private announceFallback(fallback: boolean): void {
		const event: LimitsFallbackEvent = { nodeID: this.nodeID, fallback };
		this.broker.broadcast(LIMIT_EVENTS.fallback, event).catch(() => undefined);
	}
}

const hubs = new WeakMap<ServiceBroker, LimiterHub>();

export function acquireHub(broker: ServiceBroker): LimiterHub {
	let hub = hubs.get(broker);
	if (!hub) {
		hub = new LimiterHub(broker);
		hubs.set(broker, hub);
	}
	hub.users++;
	return hub;
}

export async function releaseHub(broker: ServiceBroker): Promise<void> {
	const hub = hubs.get(broker);
	if (!hub || --hub.users > 0) return;
	hubs.delete(broker);
	await hub.stop();
}

export function hubOf(broker: ServiceBroker): LimiterHub | undefined {
	return hubs.get(broker);
}
