/**
 * The user side of Spotify's accounts service: `GET /authorize` and the `authorization_code` and
 * `refresh_token` grants of `POST /api/token`, Authorization Code with PKCE as REFERENCE.md
 * describes it. The Spotify simulator mounts it beside its client-credentials grant; user access
 * tokens it issues are valid on the simulated Web API too.
 *
 * The simulated user approves at once: `/authorize` answers 302 to the redirect URI with a code,
 * so a test follows the Location header instead of clicking through a consent page. Which user
 * approves is the simulator-only query parameter `sim_user` (default "sim-user").
 */
import { createHash } from "node:crypto";
import type { Clock } from "./http";
import { base62, type Rng } from "./prng";
import type { Reply, RouteContext, SimRoute } from "./server";
import type { StatsRecorder } from "./stats";

/** When a refresh answers with a new refresh token (which then replaces the old one). */
export type RefreshRotation = "always" | "never" | "alternate";

export interface SpotifyAccountsOptions {
	/** Lifetime of user access tokens in seconds; default 3600. */
	userTokenTtlSec?: number;
	/** Default "alternate": every second refresh of a grant returns a new refresh token. */
	refreshRotation?: RefreshRotation;
	/** Refresh tokens stop working this long after the user authorized; default 182 days. Refreshing does not extend it. */
	refreshLifetimeMs?: number;
	/** Redirect URIs registered for the app; default any https URL or http on a loopback IP. */
	redirectUris?: string[];
}

export interface AccountsStats {
	authorizations: number;
	codeExchanges: number;
	refreshes: number;
	/** Refreshes that came back with a new refresh token. */
	rotations: number;
	invalidGrants: number;
}

export interface SpotifyAccounts {
	/** `GET /authorize`. */
	routes: SimRoute[];
	/** The user grants of `POST /api/token`; null for any other grant (client credentials). */
	token(ctx: RouteContext): Reply | null;
	/** Extra `/__sim/<name>` control commands, for out-of-process use. */
	control: Record<string, (body: Record<string, unknown>) => unknown>;
	/** The simulated user a user access token belongs to (for `/me` endpoints); undefined for app tokens. */
	userOf(accessToken: string): string | undefined;
	/** The user and expiry (simulator clock) of a user access token issued here; fits spotify-user.ts's UserTokenLookup. */
	userToken(accessToken: string): { userId: string; expiresAt: number } | undefined;
	setUserTokenTtl(seconds: number): void;
	setRefreshRotation(rotation: RefreshRotation): void;
	/** The next authorization is refused: the redirect carries `error` (default access_denied). */
	denyNext(error?: string): void;
	/** The next `count` user-grant token requests answer `status` (e.g. 503) before doing anything. */
	failNext(status: number, count?: number): void;
	/** Revokes every refresh token (of one user, or of all): the next refresh gets invalid_grant. */
	revokeRefreshTokens(user?: string): void;
	/** The refresh token currently valid for a user's latest grant, for tests that inspect rotation. */
	currentRefreshToken(user: string): string | undefined;
	stats(): AccountsStats;
}

export interface AccountsDeps {
	clientId: string;
	clientSecret: string;
	clock: Clock;
	stats: StatsRecorder;
	rng: Rng;
	/** Makes a token valid on the Web API until `expiresAt` (simulator clock). */
	registerAccessToken(token: string, expiresAt: number): void;
}

interface Code {
	clientId: string;
	redirectUri: string;
	challenge: string;
	scope: string;
	user: string;
	expiresAt: number;
}

interface Grant {
	user: string;
	scope: string;
	authorizedAt: number;
	refreshes: number;
	refreshToken: string;
	revoked: boolean;
}

const CODE_TTL_MS = 10 * 60_000;
const DEFAULT_REFRESH_LIFETIME_MS = 182 * 24 * 3600_000;

function oauthError(status: number, error: string, description: string): Reply {
	return { status, body: { error, error_description: description }, event: "badRequest" };
}

function s256(verifier: string): string {
	return createHash("sha256").update(verifier).digest("base64url");
}

function loopbackOrHttps(uri: string): boolean {
	try {
		const url = new URL(uri);
		return url.protocol === "https:" || (url.protocol === "http:" && ["127.0.0.1", "[::1]"].includes(url.hostname));
	} catch {
		return false;
	}
}

export function createSpotifyAccounts(deps: AccountsDeps, options: SpotifyAccountsOptions = {}): SpotifyAccounts {
	const { clock, stats, rng } = deps;
	let userTokenTtlSec = options.userTokenTtlSec ?? 3600;
	let rotation: RefreshRotation = options.refreshRotation ?? "alternate";
	const refreshLifetimeMs = options.refreshLifetimeMs ?? DEFAULT_REFRESH_LIFETIME_MS;
	const codes = new Map<string, Code>();
	const usedCodes = new Set<string>();
	const grants = new Map<string, Grant>(); // by refresh token
	const latestGrant = new Map<string, Grant>(); // by user
	const tokenUsers = new Map<string, { userId: string; expiresAt: number }>();
	const counters: AccountsStats = { authorizations: 0, codeExchanges: 0, refreshes: 0, rotations: 0, invalidGrants: 0 };
	let denial: string | undefined;
	let failures: { status: number; left: number } | undefined;

	const registered = (uri: string): boolean => (options.redirectUris ? options.redirectUris.includes(uri) : loopbackOrHttps(uri));

	const redirect = (uri: string, query: Record<string, string>): Reply => {
		const target = new URL(uri);
		for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
		return { status: 302, headers: { location: target.toString() }, raw: "", contentType: "text/plain" };
	};

	const authorize = (ctx: RouteContext): Reply => {
		const q = ctx.url.searchParams;
		const redirectUri = q.get("redirect_uri") ?? "";
		// Spotify shows an error page, not a redirect, when it cannot trust the client or the redirect URI.
		if (q.get("client_id") !== deps.clientId) return { status: 400, raw: "INVALID_CLIENT: Invalid client", contentType: "text/plain", event: "badRequest" };
		if (!registered(redirectUri)) return { status: 400, raw: "INVALID_CLIENT: Invalid redirect URI", contentType: "text/plain", event: "badRequest" };
		const state = q.get("state");
		const back = (query: Record<string, string>): Reply => redirect(redirectUri, state === null ? query : { ...query, state });
		if (q.get("response_type") !== "code") return back({ error: "unsupported_response_type" });
		const challenge = q.get("code_challenge") ?? "";
		if (q.get("code_challenge_method") !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return back({ error: "invalid_request" });
		if (denial !== undefined) {
			const error = denial;
			denial = undefined;
			return back({ error });
		}
		const code = `AQ${base62(rng, 60)}`;
		codes.set(code, {
			clientId: deps.clientId,
			redirectUri,
			challenge,
			scope: q.get("scope") ?? "",
			user: q.get("sim_user") || "sim-user",
			expiresAt: clock.now() + CODE_TTL_MS
		});
		counters.authorizations++;
		return back({ code });
	};

	const issueAccess = (user: string): { access_token: string; token_type: string; expires_in: number } => {
		const token = `BQU${base62(rng, 60)}`;
		const expiresAt = clock.now() + userTokenTtlSec * 1000;
		deps.registerAccessToken(token, expiresAt);
		tokenUsers.set(token, { userId: user, expiresAt });
		stats.event("tokensIssued");
		return { access_token: token, token_type: "Bearer", expires_in: Math.ceil(userTokenTtlSec) };
	};

	const newRefreshToken = (grant: Grant): string => {
		grants.delete(grant.refreshToken);
		grant.refreshToken = `AQR${base62(rng, 80)}`;
		grants.set(grant.refreshToken, grant);
		return grant.refreshToken;
	};

	const invalidGrant = (description: string): Reply => {
		counters.invalidGrants++;
		return oauthError(400, "invalid_grant", description);
	};

	const exchangeCode = (form: URLSearchParams): Reply => {
		const raw = form.get("code") ?? "";
		const verifier = form.get("code_verifier");
		if (!verifier) return oauthError(400, "invalid_request", "code_verifier required");
		const code = codes.get(raw);
		if (!code) return invalidGrant(usedCodes.has(raw) ? "Authorization code already used" : "Invalid authorization code");
		codes.delete(raw);
		usedCodes.add(raw);
		if (clock.now() >= code.expiresAt) return invalidGrant("Authorization code expired");
		if (form.get("redirect_uri") !== code.redirectUri) return invalidGrant("Invalid redirect URI");
		if (s256(verifier) !== code.challenge) return invalidGrant("code_verifier was incorrect");
		const grant: Grant = { user: code.user, scope: code.scope, authorizedAt: clock.now(), refreshes: 0, refreshToken: "", revoked: false };
		newRefreshToken(grant);
		latestGrant.set(code.user, grant);
		counters.codeExchanges++;
		return { status: 200, body: { ...issueAccess(code.user), scope: code.scope, refresh_token: grant.refreshToken } };
	};

	const refresh = (form: URLSearchParams): Reply => {
		const grant = grants.get(form.get("refresh_token") ?? "");
		if (!grant || grant.revoked) return invalidGrant(grant ? "Refresh token revoked" : "Invalid refresh token");
		if (clock.now() >= grant.authorizedAt + refreshLifetimeMs) return invalidGrant("Refresh token expired");
		grant.refreshes++;
		counters.refreshes++;
		const rotate = rotation === "always" || (rotation === "alternate" && grant.refreshes % 2 === 0);
		const body: Record<string, unknown> = { ...issueAccess(grant.user), scope: grant.scope };
		if (rotate) {
			body.refresh_token = newRefreshToken(grant);
			counters.rotations++;
		}
		return { status: 200, body };
	};

	const token = (ctx: RouteContext): Reply | null => {
		const form = new URLSearchParams(ctx.body);
		const grantType = form.get("grant_type");
		if (grantType !== "authorization_code" && grantType !== "refresh_token") return null;
		if (failures && failures.left > 0) {
			failures.left--;
			return { status: failures.status, body: { error: "server_error", error_description: "Simulated failure" } };
		}
		// A PKCE client sends only its id; a confidential client may also authenticate with Basic.
		const basic = /^Basic\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? "");
		const clientId = basic ? Buffer.from(basic[1], "base64").toString("utf8").split(":")[0] : form.get("client_id");
		if (clientId !== deps.clientId) return oauthError(400, "invalid_client", "Invalid client");
		return grantType === "authorization_code" ? exchangeCode(form) : refresh(form);
	};

	const revokeRefreshTokens = (user?: string): void => {
		for (const grant of grants.values()) if (user === undefined || grant.user === user) grant.revoked = true;
	};

	return {
		routes: [{ method: "GET", template: "/authorize", api: false, handle: authorize }],
		token,
		control: {
			"accounts-revoke": (body) => {
				revokeRefreshTokens(typeof body.user === "string" ? body.user : undefined);
				return null;
			},
			"accounts-token-ttl": (body) => {
				if (typeof body.seconds === "number" && body.seconds > 0) userTokenTtlSec = body.seconds;
				return { userTokenTtlSec };
			},
			"accounts-stats": () => ({ ...counters })
		},
		userOf: (accessToken) => tokenUsers.get(accessToken)?.userId,
		userToken: (accessToken) => tokenUsers.get(accessToken),
		setUserTokenTtl: (seconds) => (userTokenTtlSec = seconds),
		setRefreshRotation: (value) => (rotation = value),
		denyNext: (error = "access_denied") => (denial = error),
		failNext: (status, count = 1) => (failures = { status, left: count }),
		revokeRefreshTokens,
		currentRefreshToken: (user) => {
			const grant = latestGrant.get(user);
			return grant && !grant.revoked ? grant.refreshToken : undefined;
		},
		stats: () => ({ ...counters })
	};
}
