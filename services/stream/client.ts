/**
 * One Server-Sent Events connection: frames written as the socket takes them, a bounded queue
 * while it does not (back-pressure), and the connection closed when the queue overflows: a client
 * that cannot keep up reconnects with Last-Event-ID and is replayed from the buffer instead of
 * growing this process's memory.
 */
import type { ServerResponse } from "node:http";
import type { AuthUser } from "../shared/access";
import type { StreamEvent, Topic } from "./model";

export function frame(event: StreamEvent): string {
	return `id: ${event.id}\nevent: ${event.topic}\ndata: ${JSON.stringify({ at: new Date(event.at).toISOString(), ...wrap(event.data) })}\n\n`;
}

function wrap(data: unknown): Record<string, unknown> {
	return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : { value: data };
}

export class SseClient {
	private readonly queue: string[] = [];
	private blocked = false;
	closed = false;

	constructor(
		private readonly res: ServerResponse,
		readonly user: AuthUser,
		readonly topics: ReadonlySet<Topic>,
		private readonly maxQueue: number,
		private readonly onClose: (client: SseClient) => void
	) {
		res.on("drain", () => this.flush());
		res.on("close", () => this.close());
	}

	/** Whether this client may see the event: its topics, and a user's own plays and likes only. */
	wants(event: StreamEvent): boolean {
		if (!this.topics.has(event.topic)) return false;
		return event.ownerId === undefined || event.ownerId === this.user.id || this.user.role === "admin";
	}

	send(event: StreamEvent): void {
		if (this.wants(event)) this.write(frame(event));
	}

	/** A raw frame (comments, retry hints, gap notices). */
	write(text: string): void {
		if (this.closed) return;
		if (this.blocked) {
			if (this.queue.length >= this.maxQueue) {
				// Too far behind: let it reconnect and catch up from the buffer.
				this.close();
				return;
			}
			this.queue.push(text);
			return;
		}
		if (!this.res.write(text)) this.blocked = true;
	}

	get queued(): number {
		return this.queue.length;
	}

	private flush(): void {
		this.blocked = false;
		while (this.queue.length && !this.blocked) {
			if (!this.res.write(this.queue.shift() as string)) this.blocked = true;
		}
	}

	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.queue.length = 0;
		this.res.end();
		this.onClose(this);
	}
}
