import { Errors, type Context } from "moleculer";

/** Who made a request through the gateway, as the access token says. */
export interface AuthUser {
	id: string;
	role: "user" | "admin";
}

/** What the gateway puts in ctx.meta, and what actions may set for the HTTP response. */
export interface GatewayMeta {
	user?: AuthUser;
	/** Client IP, for audit and per-IP limits. */
	ip?: string;
	$statusCode?: number;
	$statusMessage?: string;
	$responseType?: string;
	$responseHeaders?: Record<string, string>;
	$location?: string;
	/** The client's Idempotency-Key of a signed-in POST: a service may dedupe its writes on it. */
	idempotencyKey?: string;
}

export type GatewayContext<P = Record<string, unknown>> = Context<P, GatewayMeta>;

export function isAdmin(ctx: Context<unknown, GatewayMeta>): boolean {
	return ctx.meta.user?.role === "admin";
}

/** The caller, or a 401. Actions with `auth: "required"` get this checked by the gateway already. */
export function requireUser(ctx: Context<unknown, GatewayMeta>): AuthUser {
	const user = ctx.meta.user;
	if (!user) throw new Errors.MoleculerClientError("Sign in first: this needs an access token", 401, "UNAUTHORIZED");
	return user;
}

/** Lets the user themself or an admin through; everyone else gets a 403. */
export function assertSelfOrAdmin(ctx: Context<unknown, GatewayMeta>, userId: string): AuthUser {
	const user = requireUser(ctx);
	if (user.id !== userId && user.role !== "admin") {
		throw new Errors.MoleculerClientError("Only the user themself or an admin may do this", 403, "FORBIDDEN");
	}
	return user;
}

/** A 404 with the entity named, the way every service reports a missing document. */
export function notFound(what: string, id: string): Errors.MoleculerClientError {
	return new Errors.MoleculerClientError(`${what} ${id} not found`, 404, "NOT_FOUND", { id });
}
