/**
 * Spotify's Authorization Code flow with PKCE, as a public client: the authorize URL with an S256
 * challenge, then the `authorization_code` and `refresh_token` grants at POST <accounts>/api/token
 * with `client_id` and no secret (REFERENCE.md). Calls pass the "spotify-accounts" limiter.
 */
import { createHash, randomBytes } from "node:crypto";
import { RateLimitedError, RetryableError } from "../../mixins/upstream/errors";
import { parseRetryAfter } from "../../mixins/upstream/http";
import { num, obj, str } from "../../mixins/upstream/json";
import type { Limiter } from "../../mixins/rate-limit/types";

export interface Pkce {
	/** 64 random bytes in base64url: 86 characters, within RFC 7636's 43–128. */
	verifier: string;
	challenge: string;
}

export function newPkce(): Pkce {
	const verifier = randomBytes(64).toString("base64url");
	return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface AuthorizeUrlInput {
	accountsUrl: string;
	clientId: string;
	redirectUri: string;
	scopes: string[];
	state: string;
	challenge: string;
}

export function authorizeUrl(input: AuthorizeUrlInput): string {
	const url = new URL(`${input.accountsUrl.replace(/\/+$/, "")}/authorize`);
	const query: Record<string, string> = {
		client_id: input.clientId,
		response_type: "code",
		redirect_uri: input.redirectUri,
		code_challenge_method: "S256",
		code_challenge: input.challenge,
		state: input.state,
		scope: input.scopes.join(" ")
	};
	for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
	return url.toString();
}

/** What the token endpoint granted. `refreshToken` is absent when a refresh keeps the old one. */
export interface SpotifyGrant {
	accessToken: string;
	refreshToken?: string;
	expiresInSec: number;
	scopes: string[];
}

/** The token endpoint refused the grant (`error` is OAuth's code: invalid_grant, invalid_client...). */
export class SpotifyGrantError extends Error {
	constructor(
		readonly error: string,
		readonly description: string,
		readonly status: number
	) {
		super(`Spotify refused the grant: ${error}${description ? ` (${description})` : ""}`);
		this.name = "SpotifyGrantError";
	}
}

export interface SpotifyAuthClientOptions {
	accountsUrl: string;
	clientId: string;
	timeoutMs: number;
	limiter: Limiter;
}

const UPSTREAM = { provider: "spotify", endpoint: "user-token" };

export class SpotifyAuthClient {
	constructor(private readonly opts: SpotifyAuthClientOptions) {}

	exchangeCode(code: string, verifier: string, redirectUri: string): Promise<SpotifyGrant> {
		return this.grant({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: this.opts.clientId, code_verifier: verifier });
	}

	refresh(refreshToken: string): Promise<SpotifyGrant> {
		return this.grant({ grant_type: "refresh_token", refresh_token: refreshToken, client_id: this.opts.clientId });
	}

	private async grant(form: Record<string, string>): Promise<SpotifyGrant> {
		const url = `${this.opts.accountsUrl.replace(/\/+$/, "")}/api/token`;
		let status: number;
		let text: string;
		let retryAfter: string | null;
		try {
			({ status, text, retryAfter } = await this.opts.limiter.schedule(async () => {
				const res = await fetch(url, {
					method: "POST",
					headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
					body: new URLSearchParams(form).toString(),
					signal: AbortSignal.timeout(this.opts.timeoutMs)
				});
				return { status: res.status, text: await res.text(), retryAfter: res.headers.get("retry-after") };
			}));
		} catch (err) {
			throw new RetryableError(`token request failed (${err instanceof Error ? err.message : String(err)})`, { ...UPSTREAM, cause: err });
		}
		const body = parseJson(text);
		if (status === 429) {
			const retryAfterMs = parseRetryAfter(retryAfter);
			await this.opts.limiter.rateLimited(retryAfterMs);
			throw new RateLimitedError("HTTP 429", { ...UPSTREAM, status, retryAfterMs });
		}
		if (status >= 400 && status < 500 && typeof body?.error === "string") {
			throw new SpotifyGrantError(body.error, str(body.error_description) ?? "", status);
		}
		if (status < 200 || status >= 300) throw new RetryableError(`HTTP ${status}`, { ...UPSTREAM, status });
		const accessToken = str(body?.access_token);
		const expiresInSec = num(body?.expires_in);
		if (!accessToken || expiresInSec === undefined) throw new RetryableError("malformed token response", { ...UPSTREAM, status });
		return {
			accessToken,
			refreshToken: str(body?.refresh_token) || undefined,
			expiresInSec,
			scopes: (str(body?.scope) ?? "").split(/\s+/).filter(Boolean)
		};
	}
}

function parseJson(text: string): Record<string, unknown> | undefined {
	try {
		return obj(JSON.parse(text));
	} catch {
		return undefined;
	}
}
