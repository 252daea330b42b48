import type { ActionSchema, BrokerOptions, Middleware } from "moleculer";

/*
 * The broker retries a call that failed with a retryable error (a node that died before its
 * heartbeat timed out, a timeout) on another node. That is only safe for actions that may run
 * twice: a retried import stored its URLs again each time, and a retried `api.rest` replayed the
 * whole HTTP request. So retries are on only for actions that are idempotent: those that say so
 * with `idempotent: true`, and those the gateway routes only for GET (HTTP's safe method),
 * unless they say `idempotent: false`.
 */

type RestSpec = string | { method?: string; path?: string } | Array<string | { method?: string; path?: string }>;

function restMethods(rest: unknown): string[] {
	const specs = (Array.isArray(rest) ? rest : rest === undefined ? [] : [rest]) as Exclude<RestSpec, unknown[]>[];
	return specs.map(spec => (typeof spec === "string" ? (spec.includes(" ") ? spec.split(" ")[0] : "*") : (spec.method ?? "*")).toUpperCase());
}

export function isIdempotent(action: Pick<ActionSchema, "idempotent" | "rest">): boolean {
	if (typeof action.idempotent === "boolean") return action.idempotent;
	const methods = restMethods(action.rest);
	return methods.length > 0 && methods.every(m => m === "GET" || m === "HEAD");
}

/** Switches the broker's retry policy off for every action, local or remote, that is not idempotent. */
export const IdempotentRetries: Middleware = {
	name: "IdempotentRetries",
	// Registered before Moleculer's own Retry middleware, so it sees (and settles) the policy first.
	localAction(handler: unknown, action: ActionSchema) {
		if (!isIdempotent(action)) action.retryPolicy = { ...action.retryPolicy, enabled: false };
		return handler;
	},
	remoteAction(handler: unknown, action: ActionSchema) {
		if (!isIdempotent(action)) action.retryPolicy = { ...action.retryPolicy, enabled: false };
		return handler;
	}
} as unknown as Middleware;

/** The broker's retry policy: a few quick retries of retryable errors, for idempotent actions only (see IdempotentRetries). */
export const retryPolicy: NonNullable<BrokerOptions["retryPolicy"]> = {
	enabled: true,
	retries: 3,
	delay: 200,
	maxDelay: 2000,
	factor: 2,
	check: err => Boolean((err as { retryable?: boolean }).retryable)
};
