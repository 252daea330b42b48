/**
 * The limiting rule, shared by the local limiter and (in Lua) by the Redis one.
 *
 * A call counts against its limiter from the moment it is granted until one window after it ends.
 * The upstream sees the request somewhere between the call's start and its end, and no rule based
 * on start times alone can know where: the first request on a new connection took 40 ms to arrive
 * here, the next ones 2 ms, and a log of start times let 16 calls into one upstream second with a
 * limit of 10. Counting to the end makes the send latency irrelevant:
 *
 *   a call of weight w may start at t if (weight of granted calls not yet ended) + (weight of calls
 *   that ended in (t - span, t]) + w <= limit,
 *
 * and starts are granted in non-decreasing order. Take any window of arrivals and the call in it
 * granted last, k. Every other call j in it was granted before k, arrived after k's start minus
 * the window, so ended after that too: k's check counted j, live or ended. The window holds at most
 * the limit.
 *
 * `span` is the window plus a small margin for clock differences (Redis time versus local time).
 */

export interface LogEntry {
	/** When it was granted to start. */
	start: number;
	/** When it ended; undefined while granted or running. */
	end?: number;
	weight: number;
	token: string;
}

export type LogDecision = { kind: "ok"; start: number } | { kind: "wait"; until: number } | { kind: "never" };

export interface ReserveOptions {
	/** No start before this (a fallback's first window, say). */
	notBefore?: number;
	/** Starts further away than this are not reserved: the caller asks again later. */
	lookaheadMs?: number;
	/** Most calls granted and not yet ended (the concurrency cap); undefined means none. */
	maxLive?: number;
	/** How soon to ask again when calls that have not ended fill the limit. */
	pollMs?: number;
}

/**
 * The earliest start at or after `now` for `weight`, given the weight of calls not yet ended, the
 * end times of ended calls (sorted, oldest first) and the latest start granted so far. Undefined
 * when only the end of a running call can make room.
 */
export function earliestStart(
	liveWeight: number,
	ended: ReadonlyArray<{ end: number; weight: number }>,
	lastStart: number,
	now: number,
	weight: number,
	limit: number,
	span: number,
	notBefore = 0
): number | undefined {
	if (liveWeight + weight > limit) return undefined;
	let start = Math.max(now, notBefore, lastStart);
	let total = liveWeight;
	let first = 0;
	for (const e of ended) {
		if (e.end <= start - span) first++;
		else total += e.weight;
	}
	// Let the calls that ended first slide out of the window until this one fits.
	for (let i = first; i < ended.length && total + weight > limit; i++) {
		total -= ended[i].weight;
		start = Math.max(start, ended[i].end + span);
	}
	return start;
}

/** An in-process log, for local mode and for the fallback when Redis is unreachable. */
export class WindowLog {
	private readonly live = new Map<string, LogEntry>();
	private ended: LogEntry[] = [];
	private lastStart = 0;

	constructor(private readonly expirationMs = Infinity) {}

	reserve(token: string, now: number, weight: number, limit: number, span: number, opts: ReserveOptions = {}): LogDecision {
		if (weight > limit) return { kind: "never" };
		this.tidy(now, span);
		const retry = now + (opts.pollMs ?? 20);
		if (opts.maxLive !== undefined && this.live.size >= opts.maxLive) return { kind: "wait", until: retry };
		let liveWeight = 0;
		for (const e of this.live.values()) liveWeight += e.weight;
		const start = earliestStart(liveWeight, this.ended as Array<{ end: number; weight: number }>, this.lastStart, now, weight, limit, span, opts.notBefore);
		if (start === undefined) return { kind: "wait", until: retry };
		const lookahead = opts.lookaheadMs ?? Infinity;
		if (start - now > lookahead) return { kind: "wait", until: start - lookahead };
		this.live.set(token, { start, weight, token });
		this.lastStart = start;
		return { kind: "ok", start };
	}

	/** The call ended at `at`: it keeps counting for one more window. */
	finish(token: string, at: number): void {
		const e = this.live.get(token);
		if (!e) return;
		this.live.delete(token);
		this.pushEnded({ ...e, end: Math.max(at, e.start) });
	}

	/** Gives back a grant that was never used. Removing an entry only ever loosens the rule. */
	cancel(token: string): void {
		this.live.delete(token);
	}

	/** Everything that may still count at `now`: for handing this node's history to Redis. */
	recent(now: number, span: number): LogEntry[] {
		this.tidy(now, span);
		return [...this.live.values(), ...this.ended];
	}

	/** Weight counting against the limit at `now`: live calls and calls that ended within `windowMs`. */
	usedIn(now: number, windowMs: number): number {
		let used = 0;
		for (const e of this.live.values()) used += e.weight;
		for (const e of this.ended) if ((e.end ?? 0) > now - windowMs) used += e.weight;
		return used;
	}

	private pushEnded(entry: LogEntry): void {
		let i = this.ended.length;
		while (i > 0 && (this.ended[i - 1].end ?? 0) > (entry.end ?? 0)) i--;
		this.ended.splice(i, 0, entry);
	}

	/** A call that outlived the expiration is taken to have ended then: its node may be gone. */
	private tidy(now: number, span: number): void {
		for (const e of [...this.live.values()]) if (e.start + this.expirationMs <= now) this.finish(e.token, e.start + this.expirationMs);
		let drop = 0;
		while (drop < this.ended.length && (this.ended[drop].end ?? 0) <= now - span) drop++;
		if (drop) this.ended.splice(0, drop);
	}
}

/**
 * This node's share of a cluster-wide budget when nodes cannot coordinate: `total` split over `n`
 * nodes so the shares add up to `total` exactly. The remainder goes to the nodes ranked first;
 * when `total < n` some nodes get nothing, which is what keeps the sum at `total`.
 */
export function fairShare(total: number, n: number, rank: number): number {
	if (n <= 1) return total;
	const base = Math.floor(total / n);
	return base + (rank < total % n ? 1 : 0);
}

/**
 * The most that `k` of `n` nodes can hold under `fairShare`, whichever they are: what nodes still
 * coordinating through Redis must leave to peers that fell back to their local shares.
 */
export function mostHeldBy(k: number, total: number, n: number): number {
	if (k <= 0 || n <= 0) return 0;
	return k * Math.floor(total / n) + Math.min(k, total % n);
}

/**
 * Where `nodeID` stands among `nodes` for the limiter `name`. The order is rotated by a hash of the
 * name so the spare budget of different limiters (different scraped hosts, say) lands on different
 * nodes.
 */
export function rankOf(nodeID: string, nodes: readonly string[], name: string): number {
	const sorted = [...new Set(nodes)].sort();
	const i = sorted.indexOf(nodeID);
	if (i < 0) return sorted.length;
	let h = 0;
	for (let c = 0; c < name.length; c++) h = (h * 31 + name.charCodeAt(c)) >>> 0;
	return (i + (h % sorted.length)) % sorted.length;
}
