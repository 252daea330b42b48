import type { NodeCounters } from "../ops/local";
import type { StatusSample } from "./types";

/** Rates are taken over the last minute of samples, so one slow sample does not make the chart jump. */
export const RATE_WINDOW_MS = 60_000;

export interface NodeCounterReading {
	nodeID: string;
	uptimeSec: number;
	counters: NodeCounters | null;
}

/** A node's counters as flat names: `tracks`, `errors`, `api:<provider>`. */
export function flatCounters(c: NodeCounters): Record<string, number> {
	const out: Record<string, number> = {
		tracks: Object.values(c.tracksProcessed).reduce((a, b) => a + b, 0),
		errors: c.jobErrors
	};
	for (const [provider, n] of Object.entries(c.apiCalls)) out[`api:${provider}`] = n;
	return out;
}

/**
 * Cluster-wide running totals built from each node's counters. A counter that went down means the
 * node restarted, so its new value is all new. A node seen for the first time counts from zero
 * unless it started within `graceMs` (then everything it did is new); that keeps a status service
 * restarted next to long-running nodes from reporting their whole past as one burst.
 */
export class CounterTotals {
	private readonly last = new Map<string, number>();
	private readonly totals = new Map<string, number>();

	constructor(private readonly graceMs: number) {}

	observe(readings: NodeCounterReading[]): void {
		for (const r of readings) {
			if (!r.counters) continue;
			for (const [name, value] of Object.entries(flatCounters(r.counters))) {
				const key = `${r.nodeID}\u0000${name}`;
				const prev = this.last.get(key);
				this.last.set(key, value);
				let delta: number;
				if (prev !== undefined) delta = value >= prev ? value - prev : value;
				else delta = r.uptimeSec * 1000 <= this.graceMs ? value : 0;
				this.totals.set(name, (this.totals.get(name) ?? 0) + delta);
			}
		}
	}

	snapshot(): Record<string, number> {
		return Object.fromEntries(this.totals);
	}
}

interface Entry {
	sample: StatusSample;
	totals: Record<string, number>;
}

/** The samples the status page charts, with the running totals that give their rates. */
export class StatusHistory {
	private entries: Entry[] = [];

	constructor(private readonly keepMs: number) {}

	/** Adds a sample; its per-minute figures come from the totals one minute (or as far as known) back. */
	record(at: number, totals: Record<string, number>, base: Omit<StatusSample, "at" | "tracksPerMin" | "errorsPerMin" | "apiPerSec">, countersKnown: boolean): StatusSample {
		const from = this.entries.find(e => e.sample.at >= at - RATE_WINDOW_MS) ?? this.entries[this.entries.length - 1];
		const rate = (name: string, perMs: number): number | null => {
			if (!from || !countersKnown || at <= from.sample.at) return null;
			return round(((totals[name] ?? 0) - (from.totals[name] ?? 0)) / (at - from.sample.at) * perMs);
		};
		const apiPerSec: Record<string, number> = {};
		for (const name of Object.keys(totals).filter(n => n.startsWith("api:"))) {
			const r = rate(name, 1000);
			if (r !== null) apiPerSec[name.slice(4)] = r;
		}
		const sample: StatusSample = { at, ...base, tracksPerMin: rate("tracks", 60_000), errorsPerMin: rate("errors", 60_000), apiPerSec };
		this.entries.push({ sample, totals });
		const oldest = at - this.keepMs;
		while (this.entries.length > 1 && this.entries[0].sample.at < oldest) this.entries.shift();
		return sample;
	}

	samples(): StatusSample[] {
		return this.entries.map(e => e.sample);
	}
}

function round(n: number): number {
	return Math.round(n * 100) / 100;
}
