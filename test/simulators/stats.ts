export interface FaultCounts {
	total: number;
	error: number;
	timeout: number;
	malformed: number;
	truncated: number;
	/** Permanent faults: requests naming a malformed id. */
	malformedId: number;
}

export type FaultKind = Exclude<keyof FaultCounts, "total">;

export interface SimStats {
	total: number;
	/** Keyed by endpoint template, e.g. `GET /v1/albums/{id}/tracks`. */
	byEndpoint: Record<string, number>;
	/** Keyed by HTTP status; Deezer's errors travel as 200. */
	byStatus: Record<string, number>;
	rateLimited: number;
	unauthorized: number;
	forbidden: number;
	notFound: number;
	badRequest: number;
	tokensIssued: number;
	faults: FaultCounts;
}

export type StatEvent = "rateLimited" | "unauthorized" | "forbidden" | "notFound" | "badRequest" | "tokensIssued";

export class StatsRecorder {
	/** Live per-endpoint counts; the object stays the same across resets so callers may keep it. */
	readonly counts: Record<string, number> = {};
	private readonly byStatus: Record<string, number> = {};
	private total = 0;
	private events: Record<StatEvent, number> = emptyEvents();
	private faults: FaultCounts = emptyFaults();

	request(endpoint: string): void {
		this.total++;
		this.counts[endpoint] = (this.counts[endpoint] ?? 0) + 1;
	}

	status(code: number): void {
		this.byStatus[code] = (this.byStatus[code] ?? 0) + 1;
	}

	event(name: StatEvent): void {
		this.events[name]++;
	}

	fault(kind: FaultKind): void {
		this.faults[kind]++;
		this.faults.total++;
	}

	snapshot(): SimStats {
		return {
			total: this.total,
			byEndpoint: { ...this.counts },
			byStatus: { ...this.byStatus },
			...this.events,
			faults: { ...this.faults }
		};
	}

	reset(): void {
		for (const key of Object.keys(this.counts)) delete this.counts[key];
		for (const key of Object.keys(this.byStatus)) delete this.byStatus[key];
		this.total = 0;
		this.events = emptyEvents();
		this.faults = emptyFaults();
	}
}

function emptyEvents(): Record<StatEvent, number> {
	return { rateLimited: 0, unauthorized: 0, forbidden: 0, notFound: 0, badRequest: 0, tokensIssued: 0 };
}

function emptyFaults(): FaultCounts {
	return { total: 0, error: 0, timeout: 0, malformed: 0, truncated: 0, malformedId: 0 };
}
