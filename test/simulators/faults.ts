import { mulberry32, type Rng } from "./prng";

export interface FaultSettings {
	/** Fraction of API requests answered with a 5xx (or the provider's equivalent). */
	errorRate?: number;
	/** Fraction of API requests left unanswered; the socket is destroyed after `timeoutMs`. */
	timeoutRate?: number;
	/** Fraction of API requests answered 200 with truncated JSON. */
	malformedRate?: number;
	/** Fraction of paging responses whose items are cut short while total/next still claim more. */
	truncatedPageRate?: number;
	timeoutMs?: number;
	/** Ids (path ids, batch ids, ISRCs) that always answer truncated JSON. Replaces the previous set. */
	malformedIds?: Iterable<string>;
}

export interface ActiveFaults {
	errorRate: number;
	timeoutRate: number;
	malformedRate: number;
	truncatedPageRate: number;
	timeoutMs: number;
	malformedIds: string[];
}

export type TransientFault = "timeout" | "error" | "malformed";

/**
 * Fault decisions come from one seeded stream, so a client sending the same requests in the same
 * order meets the same faults on every run.
 */
export class FaultInjector {
	private rng: Rng;
	private errorRate = 0;
	private timeoutRate = 0;
	private malformedRate = 0;
	private truncatedPageRate = 0;
	private timeoutMsValue = 10_000;
	private readonly malformed = new Set<string>();

	constructor(
		private readonly seed: number,
		settings: FaultSettings = {}
	) {
		this.rng = mulberry32(seed);
		this.set(settings);
	}

	set(settings: FaultSettings): void {
		if (settings.errorRate !== undefined) this.errorRate = clampRate(settings.errorRate);
		if (settings.timeoutRate !== undefined) this.timeoutRate = clampRate(settings.timeoutRate);
		if (settings.malformedRate !== undefined) this.malformedRate = clampRate(settings.malformedRate);
		if (settings.truncatedPageRate !== undefined) this.truncatedPageRate = clampRate(settings.truncatedPageRate);
		if (settings.timeoutMs !== undefined) this.timeoutMsValue = Math.max(0, settings.timeoutMs);
		if (settings.malformedIds !== undefined) {
			this.malformed.clear();
			for (const id of settings.malformedIds) this.malformed.add(String(id));
		}
	}

	/** Restarts the decision stream, e.g. between benchmark runs. */
	reseed(): void {
		this.rng = mulberry32(this.seed);
	}

	get current(): ActiveFaults {
		return {
			errorRate: this.errorRate,
			timeoutRate: this.timeoutRate,
			malformedRate: this.malformedRate,
			truncatedPageRate: this.truncatedPageRate,
			timeoutMs: this.timeoutMsValue,
			malformedIds: [...this.malformed]
		};
	}

	get timeoutMs(): number {
		return this.timeoutMsValue;
	}

	/** Always draws exactly once, whatever the rates, to keep the stream aligned across settings. */
	roll(): TransientFault | null {
		const r = this.rng();
		if (r < this.timeoutRate) return "timeout";
		if (r < this.timeoutRate + this.errorRate) return "error";
		if (r < this.timeoutRate + this.errorRate + this.malformedRate) return "malformed";
		return null;
	}

	pickStatus(statuses: readonly number[]): number {
		return statuses[Math.floor(this.rng() * statuses.length)];
	}

	rollTruncation(): boolean {
		return this.rng() < this.truncatedPageRate;
	}

	isMalformedId(id: string): boolean {
		return this.malformed.size > 0 && this.malformed.has(id);
	}
}

function clampRate(rate: number): number {
	return Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0;
}

/** Accepts the JSON a control request carries, ignoring fields of the wrong type. */
export function faultSettingsFrom(value: Record<string, unknown>): FaultSettings {
	const out: FaultSettings = {};
	for (const key of ["errorRate", "timeoutRate", "malformedRate", "truncatedPageRate", "timeoutMs"] as const) {
		const v = value[key];
		if (typeof v === "number") out[key] = v;
	}
	const ids = value.malformedIds;
	if (Array.isArray(ids)) out.malformedIds = ids.filter((x) => typeof x === "string" || typeof x === "number").map(String);
	return out;
}
