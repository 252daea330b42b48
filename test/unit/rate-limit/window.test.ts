import { earliestStart, fairShare, mostHeldBy, rankOf, WindowLog, type LogDecision } from "../../../mixins/rate-limit/window";

/**
 * Most weight in any window of arrivals (x - span, x], where each call arrives somewhere between
 * its start and its end: the worst case puts every arrival where it crowds most.
 */
function worstArrivals(calls: Array<{ start: number; end: number; weight: number }>, span: number): number {
	// A window can hold a call iff it overlaps [start, end]; the most crowded one ends at a start.
	let worst = 0;
	for (const x of calls.map(c => c.start)) {
		let sum = 0;
		// (The epsilon keeps float rounding from moving a call that ends exactly span earlier inside.)
		for (const d of calls) if (d.end > x - span + 1e-6 && d.start <= x) sum += d.weight;
		worst = Math.max(worst, sum);
	}
	return worst;
}

/** A tiny deterministic generator, so a failing case can be replayed. */
function prng(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

function started(d: LogDecision): number {
	if (d.kind !== "ok") throw new Error(`expected a start, got ${JSON.stringify(d)}`);
	return d.start;
}

describe("window log", () => {
	it("lets a burst up to the limit through at once, then waits for the first call to end and leave the window", () => {
		const log = new WindowLog();
		const s = [0, 1, 2].map(i => started(log.reserve(`t${i}`, 100 + i, 1, 3, 1000)));
		expect(s).toEqual([100, 101, 102]);
		// All three still running: only an end can make room.
		expect(log.reserve("t3", 103, 1, 3, 1000)).toEqual({ kind: "wait", until: 123 });
		log.finish("t0", 150);
		log.finish("t1", 160);
		expect(log.reserve("t3", 170, 1, 3, 1000)).toEqual({ kind: "ok", start: 1150 });
		expect(log.reserve("t4", 171, 1, 3, 1000)).toEqual({ kind: "ok", start: 1160 });
	});

	it("never puts more than the limit in any window of arrivals, whatever the weights, durations and timing", () => {
		for (let seed = 1; seed <= 60; seed++) {
			const rnd = prng(seed);
			const log = new WindowLog();
			const limit = 1 + Math.floor(rnd() * 10);
			const span = 100 + Math.floor(rnd() * 900);
			const calls: Array<{ start: number; end: number; weight: number; token: string }> = [];
			const running: Array<{ token: string; start: number; weight: number; ends: number }> = [];
			let now = 0;
			for (let i = 0; i < 400; i++) {
				now += rnd() * span * 0.2;
				for (const r of running.filter(r => r.ends <= now)) {
					log.finish(r.token, r.ends);
					calls.push({ start: r.start, end: r.ends, weight: r.weight, token: r.token });
					running.splice(running.indexOf(r), 1);
				}
				const weight = 1 + Math.floor(rnd() * Math.min(3, limit));
				const d = log.reserve(`t${i}`, now, weight, limit, span, { lookaheadMs: span });
				if (d.kind !== "ok") continue;
				expect(d.start).toBeGreaterThanOrEqual(now);
				// Some grants are given back unused, as when a pause intervenes.
				if (rnd() < 0.1) {
					log.cancel(`t${i}`);
					continue;
				}
				// Calls start late sometimes, and take anything from nothing to a long time.
				const start = d.start + (rnd() < 0.2 ? rnd() * span : 0);
				running.push({ token: `t${i}`, start, weight, ends: start + rnd() * rnd() * span });
			}
			for (const r of running) calls.push({ start: r.start, end: r.ends, weight: r.weight, token: r.token });
			expect(worstArrivals(calls, span)).toBeLessThanOrEqual(limit);
		}
	});

	it("runs at the full rate when saturated with quick calls", () => {
		const log = new WindowLog();
		let last = 0;
		for (let i = 0; i < 100; i++) {
			const now = Math.max(last, 0);
			last = started(log.reserve(`t${i}`, now, 1, 10, 1000));
			log.finish(`t${i}`, last);
		}
		// 100 calls at 10 per 1000 ms: the last one starts in the tenth window.
		expect(last).toBe(9000);
	});

	it("does not reserve further ahead than the lookahead", () => {
		const log = new WindowLog();
		log.reserve("a", 0, 1, 1, 1000);
		log.finish("a", 0);
		expect(log.reserve("b", 10, 1, 1, 1000, { lookaheadMs: 500 })).toEqual({ kind: "wait", until: 500 });
		expect(log.reserve("b", 600, 1, 1, 1000, { lookaheadMs: 500 })).toEqual({ kind: "ok", start: 1000 });
	});

	it("holds every start until notBefore, and caps the calls in flight", () => {
		const log = new WindowLog();
		expect(log.reserve("a", 0, 1, 5, 1000, { notBefore: 700 })).toEqual({ kind: "ok", start: 700 });
		expect(log.reserve("b", 0, 1, 5, 1000, { maxLive: 1, pollMs: 20 })).toEqual({ kind: "wait", until: 20 });
	});

	it("takes a call that outlived the expiration as ended then, so a dead node frees its capacity", () => {
		const log = new WindowLog(5000);
		log.reserve("dead", 0, 1, 1, 1000);
		expect(log.reserve("b", 4000, 1, 1, 1000)).toEqual({ kind: "wait", until: 4020 });
		expect(log.reserve("b", 5000, 1, 1, 1000)).toEqual({ kind: "ok", start: 6000 });
	});

	it("refuses a call heavier than the limit, and counts weight rather than calls", () => {
		const log = new WindowLog();
		expect(log.reserve("a", 0, 4, 3, 1000)).toEqual({ kind: "never" });
		expect(earliestStart(0, [], 0, 0, 4, 3, 1000)).toBeUndefined();
		expect(log.reserve("a", 0, 3, 4, 1000)).toEqual({ kind: "ok", start: 0 });
		log.finish("a", 10);
		expect(log.reserve("b", 10, 2, 4, 1000)).toEqual({ kind: "ok", start: 1010 });
		expect(log.usedIn(1010, 1000)).toBe(2);
	});
});

describe("fair shares", () => {
	it("add up to the limit exactly, and spare budget goes to the first ranks", () => {
		for (const total of [1, 2, 7, 10, 50, 180])
			for (let n = 1; n <= 7; n++) {
				let sum = 0;
				for (let r = 0; r < n; r++) sum += fairShare(total, n, r);
				expect(sum).toBe(total);
			}
		expect([0, 1, 2].map(r => fairShare(10, 3, r))).toEqual([4, 3, 3]);
		expect([0, 1, 2].map(r => fairShare(1, 3, r))).toEqual([1, 0, 0]);
	});

	it("reserves for k fallen-back peers at least what any k of them can hold", () => {
		for (const total of [1, 5, 10, 11, 50])
			for (let n = 1; n <= 6; n++)
				for (let k = 0; k <= n; k++) {
					const shares = Array.from({ length: n }, (_, r) => fairShare(total, n, r)).sort((a, b) => b - a);
					const most = shares.slice(0, k).reduce((a, b) => a + b, 0);
					expect(mostHeldBy(k, total, n)).toBeGreaterThanOrEqual(most);
				}
	});

	it("ranks nodes in one order per limiter, rotated between limiters", () => {
		const nodes = ["c", "a", "b"];
		const ranks = nodes.map(n => rankOf(n, nodes, "host:example.com")).sort();
		expect(ranks).toEqual([0, 1, 2]);
		const firsts = new Set(["host:a", "host:b", "host:c", "host:d", "host:e", "host:f"].map(name => nodes.find(n => rankOf(n, nodes, name) === 0)));
		expect(firsts.size).toBeGreaterThan(1);
	});
});
