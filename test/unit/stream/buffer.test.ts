import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { SseClient } from "../../../services/stream/client";
import { EventBuffer, eventId, type StreamEvent } from "../../../services/stream/model";

const ev = (at: number, seq: number, node = "gw-1", topic: StreamEvent["topic"] = "plays", ownerId?: string): StreamEvent => ({
	id: eventId(at, seq, node),
	topic,
	at,
	data: { n: seq },
	...(ownerId ? { ownerId } : {})
});

describe("live events: the reconnect buffer", () => {
	it("keeps events in id order whatever order they arrive in, once each, and replays those after a cursor", () => {
		const buffer = new EventBuffer(10);
		for (const e of [ev(100, 1), ev(300, 3), ev(200, 2, "gw-2"), ev(300, 3)]) buffer.add(e);
		expect(buffer.size).toBe(3);
		expect(buffer.after(eventId(100, 1, "gw-1"))).toEqual({ events: [ev(200, 2, "gw-2"), ev(300, 3)], gap: false });
		expect(buffer.after(eventId(300, 3, "gw-1")).events).toEqual([]);
	});

	it("reports a gap when the cursor is older than what it still holds, or not a cursor at all", () => {
		const buffer = new EventBuffer(3);
		for (let i = 1; i <= 5; i++) buffer.add(ev(i * 10, i));
		const after = buffer.after(eventId(10, 1, "gw-1"));
		expect(after.gap).toBe(true);
		expect(after.events.map(e => e.id)).toEqual([eventId(30, 3, "gw-1"), eventId(40, 4, "gw-1"), eventId(50, 5, "gw-1")]);
		expect(buffer.after(eventId(40, 4, "gw-1")).gap).toBe(false);
		expect(buffer.after("not-an-id")).toEqual({ events: [], gap: true });
	});
});

/** A response whose socket takes `room` writes, then reports itself full until drained. */
class FakeResponse extends EventEmitter {
	written: string[] = [];
	ended = false;
	constructor(public room: number) {
		super();
	}
	write(text: string): boolean {
		this.written.push(text);
		return --this.room > 0;
	}
	end(): void {
		this.ended = true;
	}
}

describe("live events: one client's back-pressure", () => {
	const user = { id: "u1", role: "user" as const };

	it("queues while the socket is full, writes the queue on drain, and filters by topic and owner", () => {
		const res = new FakeResponse(2);
		const closed: SseClient[] = [];
		const client = new SseClient(res as unknown as ServerResponse, user, new Set(["plays", "likes"]), 10, c => closed.push(c));
		client.send(ev(1, 1, "gw-1", "plays", "u1"));
		client.send(ev(2, 2, "gw-1", "plays", "someone-else"));
		client.send(ev(3, 3, "gw-1", "crawl"));
		client.send(ev(4, 4, "gw-1", "likes", "u1"));
		expect(res.written).toHaveLength(2);
		client.send(ev(5, 5, "gw-1", "likes", "u1"));
		expect(client.queued).toBe(1);
		res.room = 100;
		res.emit("drain");
		expect(client.queued).toBe(0);
		expect(res.written.map(w => /^id: (\S+)/.exec(w)?.[1])).toEqual([eventId(1, 1, "gw-1"), eventId(4, 4, "gw-1"), eventId(5, 5, "gw-1")]);
		expect(closed).toEqual([]);
	});

	it("closes a client that falls too far behind, so it reconnects and catches up from the buffer", () => {
		const res = new FakeResponse(1);
		const closed: SseClient[] = [];
		const client = new SseClient(res as unknown as ServerResponse, { id: "admin", role: "admin" }, new Set(["plays"]), 3, c => closed.push(c));
		for (let i = 1; i <= 5; i++) client.send(ev(i, i, "gw-1", "plays", "anyone"));
		expect(res.ended).toBe(true);
		expect(closed).toEqual([client]);
		client.send(ev(9, 9));
		expect(res.written).toHaveLength(1);
	});
});
