/**
 * Lazy k-way merge of sorted runs, for the tempo index: each run walks parts of sorted arrays and
 * stops on the items its test admits; the merge reads only as far as the page it is asked for.
 */

/** Part of a sorted array, [start, end). */
export type Segment<E> = readonly [items: readonly E[], start: number, end: number];

/** First position of a sorted array where `before` stops holding (it holds for a prefix). */
export function lowerBound<E>(items: readonly E[], before: (x: E) => boolean): number {
	let lo = 0;
	let hi = items.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (before(items[mid])) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** The admitted items of some segments, in segment order; `head` is the current one. */
export class Run<E> {
	head: E | undefined;
	private seg = 0;
	private pos: number;

	constructor(
		private readonly segments: readonly Segment<E>[],
		private readonly test: (item: E) => boolean
	) {
		this.pos = segments[0]?.[1] ?? 0;
		this.head = this.seek();
	}

	advance(): void {
		this.pos++;
		this.head = this.seek();
	}

	private seek(): E | undefined {
		while (this.seg < this.segments.length) {
			const [items, , end] = this.segments[this.seg];
			while (this.pos < end) {
				const item = items[this.pos];
				if (this.test(item)) return item;
				this.pos++;
			}
			this.seg++;
			this.pos = this.segments[this.seg]?.[1] ?? 0;
		}
		return undefined;
	}
}

/**
 * Items of runs that are each sorted by `compare` (and share no item), merged in that order through
 * a binary heap: skips `offset`, then returns up to `limit`.
 */
export function mergeRuns<E>(runs: Array<Run<E>>, compare: (a: E, b: E) => number, offset: number, limit: number): E[] {
	const heap = runs.filter(r => r.head !== undefined);
	const less = (i: number, j: number) => compare(heap[i].head as E, heap[j].head as E) < 0;
	const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j], heap[i]]);
	const down = (i: number) => {
		for (;;) {
			const l = 2 * i + 1;
			const r = l + 1;
			let m = i;
			if (l < heap.length && less(l, m)) m = l;
			if (r < heap.length && less(r, m)) m = r;
			if (m === i) return;
			swap(i, m);
			i = m;
		}
	};
	for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);

	const out: E[] = [];
	for (let n = 0; n < offset + limit && heap.length > 0; n++) {
		const top = heap[0];
		if (n >= offset) out.push(top.head as E);
		top.advance();
		if (top.head === undefined) {
			const last = heap.pop() as Run<E>;
			if (heap.length === 0) break;
			heap[0] = last;
		}
		down(0);
	}
	return out;
}
