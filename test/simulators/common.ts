import { Catalog, generateCatalog, type CatalogOptions } from "./catalog";
import { FaultInjector, type ActiveFaults, type FaultSettings } from "./faults";
import { Clock, RollingWindow } from "./http";
import { mixSeed } from "./prng";
import type { ControlApi, RateLimitSettings } from "./server";
import { StatsRecorder, type SimStats } from "./stats";

export interface CommonSimulatorOptions {
	/** A shared catalog (so both providers agree on ISRCs) or options to generate one. */
	catalog?: Catalog | CatalogOptions;
	host?: string;
	/** 0 (default) picks a free port. */
	port?: number;
	/** Requests admitted per rolling window; Infinity disables the limit. */
	maxPerWindow?: number;
	windowMs?: number;
	faults?: FaultSettings;
	/** Seeds fault decisions; defaults to one derived from the catalog seed. */
	faultSeed?: number;
	/**
	 * Round trip of an API request: the reply goes out after a delay drawn evenly from
	 * [min, max] ms (rate limit and faults are decided on arrival). Default none.
	 */
	latency?: LatencySettings;
}

export interface LatencySettings {
	minMs: number;
	maxMs: number;
}

export interface SimulatorHandle {
	/** Server root, e.g. `http://127.0.0.1:PORT`. */
	url: string;
	catalog: Catalog;
	/** Live request counts per endpoint template, e.g. `GET /v1/albums/{id}/tracks`. */
	counts: Record<string, number>;
	stats(): SimStats;
	resetStats(): void;
	setFaults(settings: FaultSettings): void;
	faults(): ActiveFaults;
	setRateLimit(settings: RateLimitSettings): void;
	/** Moves the simulator's clock forward: expires tokens and empties rate windows without sleeping. */
	advanceClock(ms: number): void;
	close(): Promise<void>;
}

/** The state every simulator keeps; providers add their own routes and shapes on top. */
export interface SimulatorCore {
	catalog: Catalog;
	clock: Clock;
	window: RollingWindow;
	faults: FaultInjector;
	stats: StatsRecorder;
	/** The delay of the next API reply, in ms (0 without latency). */
	latency(): number;
}

export function createCore(options: CommonSimulatorOptions, providerTag: number, defaults: { maxPerWindow: number; windowMs: number }): SimulatorCore {
	const catalog = options.catalog instanceof Catalog ? options.catalog : generateCatalog(options.catalog ?? {});
	return {
		catalog,
		clock: new Clock(),
		window: new RollingWindow(options.maxPerWindow ?? defaults.maxPerWindow, options.windowMs ?? defaults.windowMs),
		faults: new FaultInjector(options.faultSeed ?? mixSeed(catalog.options.seed, 0xfa17, providerTag), options.faults ?? {}),
		stats: new StatsRecorder(),
		latency: latencyOf(options.latency)
	};
}

/** Jitter needs no seed: it changes when replies arrive, never what they say. */
function latencyOf(settings: LatencySettings | undefined): () => number {
	if (!settings || settings.maxMs <= 0) return () => 0;
	const min = Math.max(0, Math.min(settings.minMs, settings.maxMs));
	const span = Math.max(0, settings.maxMs - min);
	return () => min + Math.random() * span;
}

export function coreControl(core: SimulatorCore, describe: () => Record<string, unknown>): ControlApi {
	return {
		stats: () => core.stats.snapshot(),
		resetStats: () => core.stats.reset(),
		setFaults: (settings) => core.faults.set(settings),
		advanceClock: (ms) => core.clock.advance(ms),
		setRateLimit: (settings) => {
			const max = settings.maxPerWindow;
			core.window.configure(max === null ? Infinity : max, settings.windowMs);
			core.window.reset();
		},
		describe
	};
}

/** A few bytes with an MP3 frame header: enough for clients that only check the download works. */
export const TINY_MP3 = Buffer.from([0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0, 0, 0, 0, 0]);
