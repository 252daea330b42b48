import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { faultSettingsFrom, type FaultInjector, type FaultSettings } from "./faults";
import { asRecord, readBody, Router, send } from "./http";
import type { SimStats, StatEvent, StatsRecorder } from "./stats";

export interface Reply {
	status: number;
	body?: unknown;
	/** Sent as is instead of `body`. */
	raw?: string | Buffer;
	contentType?: string;
	headers?: Record<string, string>;
	/** The items array of a paging object, which a truncated-page fault may cut short in place. */
	pageItems?: unknown[];
	event?: StatEvent;
}

export interface RouteContext {
	url: URL;
	params: Record<string, string>;
	body: string;
	req: IncomingMessage;
	/** Where clients reach this server, e.g. `http://127.0.0.1:PORT`. */
	base: string;
}

export interface SimRoute {
	method: "GET" | "POST";
	template: string;
	/** API routes are rate limited, authenticated and subject to faults; the rest are plumbing. */
	api: boolean;
	handle(ctx: RouteContext): Reply;
}

export interface ProviderHooks {
	/** Rate limit and auth, checked before faults; a reply ends the request. */
	gate(ctx: RouteContext): Reply | null;
	injectedError(status: number): Reply;
	unknownRoute(ctx: RouteContext): Reply;
	/** Permanent faults: the request names an id that always answers broken JSON. */
	isPermanentlyMalformed(ctx: RouteContext): boolean;
	errorStatuses: readonly number[];
}

export interface RateLimitSettings {
	/** `null` or a non-finite number disables the limit. */
	maxPerWindow?: number | null;
	windowMs?: number;
}

/** What both the in-process object and the `/__sim/*` endpoints expose, for out-of-process use. */
export interface ControlApi {
	stats(): SimStats;
	resetStats(): void;
	setFaults(settings: FaultSettings): void;
	advanceClock(ms: number): void;
	setRateLimit(settings: RateLimitSettings): void;
	describe(): Record<string, unknown>;
	extra?: Record<string, (body: Record<string, unknown>) => unknown>;
}

export interface SimServerOptions {
	host?: string;
	port?: number;
	routes: SimRoute[];
	hooks: ProviderHooks;
	faults: FaultInjector;
	stats: StatsRecorder;
	control: ControlApi;
	/** Delay of each API reply in ms (the round trip); none by default. */
	latency?: () => number;
}

export interface SimServer {
	url: string;
	close(): Promise<void>;
}

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
	const { hooks, faults, stats, control } = options;
	const router = new Router<SimRoute>();
	for (const route of options.routes) router.add(route);
	const held = new Set<NodeJS.Timeout>();
	let base = "";

	const deliver = (res: ServerResponse, reply: Reply): void => {
		stats.status(reply.status);
		if (reply.event) stats.event(reply.event);
		const payload = reply.raw ?? JSON.stringify(reply.body ?? null);
		send(res, reply.status, payload, reply.contentType, reply.headers);
	};
	const finish = (res: ServerResponse, reply: Reply, delayMs = 0): void => {
		if (delayMs <= 0) return deliver(res, reply);
		const timer = setTimeout(() => {
			held.delete(timer);
			if (!res.destroyed) deliver(res, reply);
		}, delayMs);
		held.add(timer);
	};

	const hold = (req: IncomingMessage, res: ServerResponse): void => {
		const timer = setTimeout(() => {
			held.delete(timer);
			req.socket.destroy();
		}, faults.timeoutMs);
		held.add(timer);
		res.on("close", () => {
			clearTimeout(timer);
			held.delete(timer);
		});
	};

	const serveApi = (req: IncomingMessage, res: ServerResponse, route: SimRoute, ctx: RouteContext): void => {
		const delay = options.latency?.() ?? 0;
		const gated = hooks.gate(ctx);
		if (gated) return finish(res, gated, delay);
		// Rolled for every API request, even one naming a malformed id, so the fault sequence depends
		// only on the order of requests; transport faults win over a permanently malformed id.
		const fault = faults.roll();
		if (fault === "timeout") {
			stats.fault("timeout");
			return hold(req, res);
		}
		if (fault === "error") {
			stats.fault("error");
			return finish(res, hooks.injectedError(faults.pickStatus(hooks.errorStatuses)), delay);
		}
		let malformed = false;
		if (hooks.isPermanentlyMalformed(ctx)) {
			stats.fault("malformedId");
			malformed = true;
		} else if (fault === "malformed") {
			stats.fault("malformed");
			malformed = true;
		}
		const reply = route.handle(ctx);
		if (malformed) {
			const text = reply.raw?.toString() ?? JSON.stringify(reply.body ?? null);
			return finish(res, { status: 200, raw: text.slice(0, Math.max(1, Math.floor(text.length / 2))) }, delay);
		}
		const items = reply.pageItems;
		if (items && items.length > 1 && faults.rollTruncation()) {
			items.splice(Math.floor(items.length / 2));
			stats.fault("truncated");
		}
		finish(res, reply, delay);
	};

	const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const url = new URL(req.url ?? "/", base);
		const method = req.method ?? "GET";
		const body = method === "GET" || method === "HEAD" ? "" : await readBody(req);
		if (url.pathname.startsWith("/__sim/")) return serveControl(res, control, method, url.pathname.slice(7), body);
		const match = router.match(method, url.pathname);
		stats.request(match ? `${method} ${match.route.template}` : `${method} (unmatched)`);
		const ctx: RouteContext = { url, params: match?.params ?? {}, body, req, base };
		if (!match) return finish(res, hooks.unknownRoute(ctx));
		if (!match.route.api) return finish(res, match.route.handle(ctx));
		serveApi(req, res, match.route, ctx);
	};

	const server = createServer((req, res) => {
		handle(req, res).catch((err: unknown) => {
			if (!res.headersSent) send(res, 500, JSON.stringify({ error: { status: 500, message: `simulator: ${String(err)}` } }));
			else res.destroy();
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
	});
	const address = server.address() as AddressInfo;
	const host = address.address === "0.0.0.0" || address.address === "::" ? "127.0.0.1" : address.address;
	base = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;

	return {
		url: base,
		close: async () => {
			for (const timer of held) clearTimeout(timer);
			held.clear();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}

function serveControl(res: ServerResponse, control: ControlApi, method: string, action: string, body: string): void {
	let input: Record<string, unknown> = {};
	if (body) {
		try {
			input = asRecord(JSON.parse(body) as unknown) ?? {};
		} catch {
			return send(res, 400, JSON.stringify({ error: "control body must be a JSON object" }));
		}
	}
	const ok = (value: unknown): void => send(res, 200, JSON.stringify(value ?? { ok: true }));
	if (method === "GET" && action === "stats") return ok(control.stats());
	if (method === "GET" && action === "config") return ok(control.describe());
	if (method === "POST") {
		switch (action) {
			case "reset":
				control.resetStats();
				return ok(control.stats());
			case "faults":
				control.setFaults(faultSettingsFrom(input));
				return ok(control.describe());
			case "clock":
				control.advanceClock(typeof input.advanceMs === "number" ? input.advanceMs : 0);
				return ok(null);
			case "rate-limit": {
				const max = input.maxPerWindow;
				control.setRateLimit({
					maxPerWindow: typeof max === "number" ? max : max === null ? null : undefined,
					windowMs: typeof input.windowMs === "number" ? input.windowMs : undefined
				});
				return ok(control.describe());
			}
		}
		const extra = control.extra?.[action];
		if (extra) return ok(extra(input));
	}
	send(res, 404, JSON.stringify({ error: `unknown control action ${method} /__sim/${action}` }));
}
