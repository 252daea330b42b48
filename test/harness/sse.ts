/**
 * A Server-Sent Events client over fetch's streaming body, as an app would write one (browsers'
 * EventSource cannot send an Authorization header): frames parsed per the SSE format, events
 * awaited in order.
 */
export interface SseEvent {
	id?: string;
	event: string;
	data: string;
}

export interface SseConnection {
	status: number;
	/** The next event matching `match` (earlier non-matching ones are skipped), or a timeout error. */
	next(match?: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
	/** Every event received so far. */
	seen: SseEvent[];
	close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
	const abort = new AbortController();
	const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
	const seen: SseEvent[] = [];
	let cursor = 0;
	const waiters: Array<() => void> = [];
	const wake = () => waiters.splice(0).forEach(w => w());
	if (res.ok && res.body) {
		const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
		void (async () => {
			let buffer = "";
			try {
				for (;;) {
					const { value, done } = await reader.read();
					if (done) break;
					buffer += value;
					let end: number;
					while ((end = buffer.indexOf("\n\n")) >= 0) {
						const block = buffer.slice(0, end);
						buffer = buffer.slice(end + 2);
						const e: SseEvent = { event: "message", data: "" };
						const data: string[] = [];
						for (const line of block.split("\n")) {
							if (line.startsWith(":")) continue;
							const [field, ...rest] = line.split(":");
							const value = rest.join(":").replace(/^ /, "");
							if (field === "id") e.id = value;
							else if (field === "event") e.event = value;
							else if (field === "data") data.push(value);
						}
						if (data.length || e.id !== undefined) {
							e.data = data.join("\n");
							seen.push(e);
							wake();
						}
					}
				}
			} catch {
				// aborted
			}
		})();
	}
	return {
		status: res.status,
		seen,
		async next(match = () => true, timeoutMs = 15000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				while (cursor < seen.length) {
					const e = seen[cursor++];
					if (match(e)) return e;
				}
				const left = deadline - Date.now();
				if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; seen: ${JSON.stringify(seen.map(e => e.event))}`);
				await new Promise<void>(resolve => {
					const t = setTimeout(resolve, left);
					waiters.push(() => {
						clearTimeout(t);
						resolve();
					});
				});
			}
		},
		close: () => abort.abort()
	};
}
