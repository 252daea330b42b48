/**
 * The live event stream's events and their ids. An id is `<epoch ms>-<sequence>-<node>`: ordered
 * by when the origin node published it, so a reconnecting client's Last-Event-ID says where it was
 * on any gateway, each of which holds the same recent events.
 */

export const TOPICS = ["plays", "likes", "trending", "crawl", "tracklists"] as const;
export type Topic = (typeof TOPICS)[number];

export interface StreamEvent {
	id: string;
	topic: Topic;
	/** Epoch ms at the origin. */
	at: number;
	/** Only this user (and admins) may see it; absent for events everyone signed in sees. */
	ownerId?: string;
	data: unknown;
}

export type EventKey = [at: number, seq: number, node: string];

export function eventId(at: number, seq: number, node: string): string {
	return `${at}-${seq}-${node}`;
}

/** The order key of an id, or undefined for text that is not one of ours. */
export function keyOf(id: string): EventKey | undefined {
	const m = /^(\d{1,15})-(\d{1,15})-([\w.:-]{1,128})$/.exec(id);
	return m ? [Number(m[1]), Number(m[2]), m[3]] : undefined;
}

export function compareKeys(a: EventKey, b: EventKey): number {
	return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
}

/** Recent events in id order, at most `capacity`; what a reconnecting client is replayed from. */
export class EventBuffer {
	private readonly items: Array<{ key: EventKey; event: StreamEvent }> = [];

	constructor(private readonly capacity: number) {}

	add(event: StreamEvent): void {
		const key = keyOf(event.id);
		if (!key) return;
		// Broadcasts from several origins arrive nearly in order: search from the end.
		let i = this.items.length;
		while (i > 0 && compareKeys(this.items[i - 1].key, key) > 0) i--;
		if (i > 0 && compareKeys(this.items[i - 1].key, key) === 0) return;
		this.items.splice(i, 0, { key, event });
		if (this.items.length > this.capacity) this.items.shift();
	}

	/**
	 * The events after `lastId`. `gap` is true when events after it may have been dropped already
	 * (the buffer no longer reaches back to it), so the client knows to reload its state.
	 */
	after(lastId: string): { events: StreamEvent[]; gap: boolean } {
		const key = keyOf(lastId);
		if (!key) return { events: [], gap: true };
		const oldest = this.items[0]?.key;
		const gap = this.items.length >= this.capacity && oldest !== undefined && compareKeys(oldest, key) > 0;
		return { events: this.items.filter(i => compareKeys(i.key, key) > 0).map(i => i.event), gap };
	}

	get size(): number {
		return this.items.length;
	}
}
