import type { ServerResponse } from "node:http";

/**
 * moleculer-web names its rate-limit headers X-Rate-Limit-*; clients commonly read X-RateLimit-*
 * (with the reset in epoch seconds). Both are sent.
 */
export function mirrorRateLimitHeaders(res: ServerResponse): void {
	const limit = res.getHeader("X-Rate-Limit-Limit");
	if (limit === undefined || res.headersSent) return;
	res.setHeader("X-RateLimit-Limit", String(limit));
	res.setHeader("X-RateLimit-Remaining", String(res.getHeader("X-Rate-Limit-Remaining") ?? 0));
	const resetMs = Number(res.getHeader("X-Rate-Limit-Reset"));
	if (Number.isFinite(resetMs)) res.setHeader("X-RateLimit-Reset", String(Math.ceil(resetMs / 1000)));
}

export function corsSettings(origins: string[]) {
	return {
		origin: origins.includes("*") ? "*" : origins,
		methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
		allowedHeaders: ["Authorization", "Content-Type", "X-Request-ID"],
		exposedHeaders: ["X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "Location"],
		credentials: false,
		maxAge: 600
	};
}
