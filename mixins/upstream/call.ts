/**
 * The path every connector request takes: through the upstream's limiter, over HTTP, through a
 * parser, reported to the observer, and with a rate limit turned into a cluster-wide pause.
 */
import type { Limiter } from "../rate-limit/types";
import { RateLimitedError, RetryableError } from "./errors";
import { requestJson, type RequestOptions } from "./http";
import { ShapeError } from "./json";
import type { CallObserver, Provider } from "./types";

export interface CallContext {
	provider: Provider;
	limiter: Limiter;
	timeoutMs: number;
	onCall?: CallObserver;
}

export type Parse<T> = (body: unknown) => T;

export type RequestExtras = Pick<RequestOptions, "method" | "headers" | "body">;

export async function call<T>(ctx: CallContext, endpoint: string, url: string, parse: Parse<T>, extras: RequestExtras = {}): Promise<T> {
	try {
		const body = await ctx.limiter.schedule(() =>
			requestJson(url, { ...extras, provider: ctx.provider, endpoint, timeoutMs: ctx.timeoutMs })
		);
		const value = parseBody(ctx.provider, endpoint, body, parse);
		ctx.onCall?.(endpoint, true);
		return value;
	} catch (err) {
		ctx.onCall?.(endpoint, false);
		// Paused after the slot is released, so the pause never waits on the call that caused it.
		if (err instanceof RateLimitedError) await ctx.limiter.rateLimited(err.retryAfterMs);
		throw err;
	}
}

function parseBody<T>(provider: Provider, endpoint: string, body: unknown, parse: Parse<T>): T {
	try {
		return parse(body);
	} catch (err) {
		if (err instanceof ShapeError) throw new RetryableError(`malformed response: ${err.message}`, { provider, endpoint, cause: err });
		throw err;
	}
}

/** Splits ids into batches of at most `size`, dropping duplicates (a batch with repeats wastes quota). */
export function chunks(ids: readonly string[], size: number): string[][] {
	const unique = [...new Set(ids)];
	const out: string[][] = [];
	for (let i = 0; i < unique.length; i += size) out.push(unique.slice(i, i + size));
	return out;
}
