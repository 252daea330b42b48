import type { IncomingMessage } from "node:http";
import { Errors } from "moleculer";
import type { AuthUser } from "../shared/access";
import { verifyAccessToken } from "../users/access-token";

/** What moleculer-web attaches to a request once it has resolved the alias. */
export interface GatewayRequest extends IncomingMessage {
	$action?: { name: string; auth?: "public" | "optional" | "required" | "admin"; batch?: { items: string } };
	/** The merged params the action will get. */
	$params?: Record<string, unknown>;
	originalUrl?: string;
	body?: unknown;
}

/**
 * The user a request's bearer token names. A malformed or expired token is a 401 even on public
 * routes, so a client learns its token is stale instead of silently getting anonymous answers.
 */
export function userFromRequest(req: IncomingMessage, secret: string): AuthUser | undefined {
	const header = req.headers.authorization;
	if (!header) return undefined;
	const match = /^Bearer\s+(\S+)$/i.exec(header);
	if (!match) throw new Errors.MoleculerClientError("Authorization header must be 'Bearer <access token>'", 401, "INVALID_TOKEN");
	const user = verifyAccessToken(match[1], secret);
	if (!user) throw new Errors.MoleculerClientError("Access token is invalid or expired; refresh it", 401, "INVALID_TOKEN");
	return user;
}

/** Applies the action's `auth` key: 401 when a user is needed and missing, 403 when not an admin. */
export function checkAccess(req: GatewayRequest, user: AuthUser | undefined): void {
	const rule = req.$action?.auth ?? "public";
	if ((rule === "required" || rule === "admin") && !user) {
		throw new Errors.MoleculerClientError("Sign in first: this needs an access token", 401, "UNAUTHORIZED");
	}
	if (rule === "admin" && user?.role !== "admin") throw new Errors.MoleculerClientError("Admins only", 403, "FORBIDDEN");
}

/**
 * The client's address. Behind `hops` proxies we run, each appends the address it saw to
 * X-Forwarded-For, so the entry `hops` from the right is the one our outermost proxy wrote; the
 * entries left of it are whatever the client sent and prove nothing. Without a trusted proxy,
 * the socket's peer.
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean, hops = 1): string {
	const socketIp = req.socket.remoteAddress || "unknown";
	if (!trustProxy) return socketIp;
	const header = req.headers["x-forwarded-for"];
	const entries = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map(s => s.trim()).filter(Boolean);
	if (entries.length === 0) return socketIp;
	// Fewer entries than proxies: the request skipped one; the furthest entry is the best we have.
	return entries[Math.max(0, entries.length - hops)];
}
