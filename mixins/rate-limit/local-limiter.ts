import type { PauseBook } from "./pause";
import { clock, LOOKAHEAD_MS, POLL_MS, type LimiterStore, type Reservation, type ReserveRequest } from "./store";
import { fairShare, WindowLog, type LogEntry } from "./window";

interface Budget {
	current: number;
	raiseTo?: number;
	raiseAt?: number;
}

/**
 * Reservations kept in this process. Without Redis (local mode), and while Redis is unreachable
 * (fallback), each node may use only its share of every limit: the limit divided among the live
 * nodes that run the limiter's services, so the cluster as a whole stays within the limit.
 */
export class LocalStore implements LimiterStore {
	readonly kind = "local";
	private readonly logs = new Map<string, WindowLog>();
	private readonly budgets = new Map<string, Budget>();
	/**
	 * Set while this node cannot know what its peers granted (it fell back, or just joined a
	 * cluster without Redis): no local grant before one window after this.
	 */
	private blindSince?: number;
	/** How far ahead grants could have been made that this node cannot see. */
	private blindAhead = 0;
	/** Set while the node hands its history to Redis, so none is granted behind its back. */
	private frozen = false;

	constructor(
		private readonly pauses: PauseBook,
		private readonly marginMs: number,
		private readonly expirationMs: number
	) {}

	async reserve(req: ReserveRequest): Promise<Reservation> {
		const now = clock();
		const { settings } = req;
		const span = settings.windowMs + this.marginMs;
		const paused = this.pauses.until(req.name, now);
		if (paused) return { kind: "paused", until: paused };
		if (req.weight > settings.maxPerWindow) return { kind: "never", settings };
		if (this.frozen) return { kind: "wait", until: now + 10 };

		const budget = this.budget(req.name, fairShare(settings.maxPerWindow, req.nodes, req.rank), span, now);
		if (req.weight > budget) return { kind: "wait", until: now + Math.min(span, LOOKAHEAD_MS) };
		// Calls granted elsewhere (through Redis before it failed, up to one lookahead ahead) are
		// invisible here: the local share opens one window after the last of them.
		const notBefore = this.blindSince === undefined ? 0 : this.blindSince + this.blindAhead + span;
		const decision = this.log(req.name).reserve(req.token, now, req.weight, budget, span, {
			notBefore,
			lookaheadMs: LOOKAHEAD_MS,
			maxLive: settings.maxConcurrent ? fairShare(settings.maxConcurrent, req.nodes, req.rank) : undefined,
			pollMs: POLL_MS
		});
		switch (decision.kind) {
			case "ok":
				return { kind: "ok", startAt: decision.start, settings };
			case "wait":
				return { kind: "wait", until: decision.until };
			default:
				return { kind: "never", settings };
		}
	}

	async cancel(name: string, token: string): Promise<void> {
		this.logs.get(name)?.cancel(token);
	}

	async finish(name: string, token: string): Promise<void> {
		this.logs.get(name)?.finish(token, clock());
	}

	async pause(name: string, durationMs: number): Promise<{ until: number; extendedMs: number }> {
		const now = clock();
		const extendedMs = this.pauses.extend(name, now + durationMs, now);
		return { until: this.pauses.until(name, now), extendedMs };
	}

	async pausedUntil(name: string): Promise<number> {
		return this.pauses.until(name, clock());
	}

	async usage(name: string, windowMs: number): Promise<{ used: number; pausedUntil: number }> {
		const now = clock();
		return { used: this.logs.get(name)?.usedIn(now, windowMs) ?? 0, pausedUntil: this.pauses.until(name, now) };
	}

	/** This node's share in force for `name`, for status reports. */
	shareOf(name: string): number | undefined {
		return this.budgets.get(name)?.current;
	}

	/** Calls this node granted itself that may still count somewhere. */
	recent(name: string, span: number): LogEntry[] {
		return this.logs.get(name)?.recent(clock(), span) ?? [];
	}

	names(): string[] {
		return [...this.logs.keys()];
	}

	/**
	 * From `at` on, this node cannot see its peers' grants, which may reach `aheadMs` beyond it:
	 * its share opens one window after that.
	 */
	blindFrom(at: number, aheadMs = 0): void {
		this.blindSince = at;
		this.blindAhead = aheadMs;
		this.budgets.clear();
	}

	leaveFallback(): void {
		this.blindSince = undefined;
	}

	freeze(frozen: boolean): void {
		this.frozen = frozen;
	}

	private log(name: string): WindowLog {
		let log = this.logs.get(name);
		if (!log) {
			log = new WindowLog(this.expirationMs);
			this.logs.set(name, log);
		}
		return log;
	}

	/**
	 * A smaller share applies at once. A larger one (a peer left) waits one window: the calls the
	 * departed peer made in its last window still count, and nobody here knows them.
	 */
	private budget(name: string, target: number, span: number, now: number): number {
		const b = this.budgets.get(name);
		if (!b) {
			this.budgets.set(name, { current: target });
			return target;
		}
		if (target <= b.current) {
			b.current = target;
			b.raiseTo = b.raiseAt = undefined;
		} else if (b.raiseTo !== target) {
			b.raiseTo = target;
			b.raiseAt = now + span;
		} else if (b.raiseAt !== undefined && now >= b.raiseAt) {
			b.current = target;
			b.raiseTo = b.raiseAt = undefined;
		}
		return b.current;
	}
}
