import type { IncomingMessage, ServerResponse } from "node:http";

interface Compiled<T> {
	route: T;
	regex: RegExp;
	names: string[];
}

/** Matches `/v1/albums/{id}/tracks`-style templates; the first route added wins on overlap. */
export class Router<T extends { method: string; template: string }> {
	private readonly routes: Compiled<T>[] = [];

	add(route: T): this {
		const names: string[] = [];
		const pattern = route.template
			.split(/(\{[a-zA-Z]+\})/)
			.map((part) => {
				const m = /^\{([a-zA-Z]+)\}$/.exec(part);
				if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
				names.push(m[1]);
				return "([^/]+?)";
			})
			.join("");
		this.routes.push({ route, regex: new RegExp(`^${pattern}/?$`), names });
		return this;
	}

	match(method: string, pathname: string): { route: T; params: Record<string, string> } | null {
		for (const c of this.routes) {
			if (c.route.method !== method) continue;
			const m = c.regex.exec(pathname);
			if (!m) continue;
			const params: Record<string, string> = {};
			c.names.forEach((name, i) => (params[name] = safeDecode(m[i + 1])));
			return { route: c.route, params };
		}
		return null;
	}
}

function safeDecode(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		return value;
	}
}

export function send(
	res: ServerResponse,
	status: number,
	body: string | Buffer,
	contentType = "application/json; charset=utf-8",
	headers: Record<string, string> = {}
): void {
	res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), ...headers });
	res.end(body);
}

export function readBody(req: IncomingMessage, maxBytes = 1 << 20): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on("data", (chunk: Buffer) => {
			size += chunk.length;
			if (size > maxBytes) {
				reject(new Error("body too large"));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
		req.on("error", reject);
	});
}

/** Wall clock plus an offset, so tests can expire tokens and rate windows without sleeping. */
export class Clock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	advance(ms: number): void {
		this.offsetMs += Math.max(0, ms);
	}
}

/** A rolling window of admitted requests; refused requests do not use up quota. */
export class RollingWindow {
	private stamps: number[] = [];
	private head = 0;

	constructor(
		private max: number,
		private windowMs: number
	) {}

	configure(max: number | undefined, windowMs: number | undefined): void {
		if (max !== undefined) this.max = max;
		if (windowMs !== undefined) this.windowMs = windowMs;
	}

	get settings(): { maxPerWindow: number; windowMs: number } {
		return { maxPerWindow: this.max, windowMs: this.windowMs };
	}

	/** Returns 0 when the request is admitted, otherwise how many ms until it would be. */
	take(now: number): number {
		if (!Number.isFinite(this.max)) return 0;
		const cutoff = now - this.windowMs;
		while (this.head < this.stamps.length && this.stamps[this.head] <= cutoff) this.head++;
		const inWindow = this.stamps.length - this.head;
		if (inWindow < this.max) {
			this.stamps.push(now);
			if (this.head > 4096 && this.head * 2 > this.stamps.length) {
				this.stamps = this.stamps.slice(this.head);
				this.head = 0;
			}
			return 0;
		}
		// The (inWindow - max + 1)-th oldest stamp must leave the window before one more fits.
		const blocker = this.stamps[this.head + inWindow - Math.max(0, this.max)] ?? now;
		return Math.max(1, blocker + this.windowMs - now);
	}

	reset(): void {
		this.stamps = [];
		this.head = 0;
	}
}

/** Parses an integer query parameter; `undefined` means absent, `null` means present but invalid. */
export function intParam(params: URLSearchParams, name: string): number | null | undefined {
	const raw = params.get(name);
	if (raw === null || raw === "") return undefined;
	if (!/^-?\d+$/.test(raw)) return null;
	return Number(raw);
}

export function asRecord(value: unknown): Record<string, unknown> | null {
	return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Copies the request's query with a new offset/limit pair, for `next`/`previous` links. */
export function pageUrl(url: URL, changes: Record<string, number>): string {
	const out = new URL(url.href);
	for (const [k, v] of Object.entries(changes)) out.searchParams.set(k, String(v));
	// Spotify's own links keep commas readable in include_groups and ids.
	return out.href.replace(/%2C/gi, ",");
}
