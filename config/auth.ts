import { int, list, optionalUrl, secret, str } from "./vars";

/** Users, sessions and the Spotify account link. */
export const authVars = {
	JWT_SECRET: secret(
		"HMAC secret of access tokens (at least 32 characters). Unset: a random one per process, so tokens die on restart; every gateway of a cluster needs the same one."
	),
	ACCESS_TOKEN_TTL_SEC: int(900, "Lifetime of an access token (JWT), in seconds.", { min: 30, max: 86400 }),
	REFRESH_TOKEN_TTL_DAYS: int(30, "Lifetime of a refresh token, in days.", { min: 1, max: 365 }),
	ADMIN_EMAILS: list([], "Emails that become admins when they register, comma-separated.", {
		re: /^[^\s@,]+@[^\s@,]+$/,
		expected: "email addresses"
	}),
	TOKEN_ENCRYPTION_KEY: secret(
		"32-byte key (64 hex characters or base64) that encrypts stored Spotify user tokens with AES-256-GCM. Unset: Spotify account linking is off."
	),
	SPOTIFY_REDIRECT_URI: optionalUrl(
		["http", "https"],
		"an https URL or a loopback http://127.0.0.1:PORT/... URL",
		"Redirect URI registered with the Spotify app for account linking (PKCE)."
	),
	SPOTIFY_SCOPES: str(
		"playlist-modify-private playlist-modify-public user-read-recently-played user-top-read",
		"Scopes asked for when a user links Spotify, space-separated."
	),
	SPOTIFY_ACCOUNTS_RATE_PER_30S: int(
		60,
		"Calls to the Spotify accounts service for user tokens (code exchanges, refreshes) the cluster may make in any rolling 30 s window.",
		{ min: 1, max: 10000 }
	),
	PASSWORD_HASH_COST: int(
		15,
		"scrypt cost of new password hashes as log2 N (r=8, p=1). Each hash stores its own parameters; a login re-hashes an older one.",
		{ min: 10, max: 20 }
	),
	LOGIN_MAX_FAILURES: int(5, "Failed logins for one email before it is locked for LOGIN_LOCKOUT_SEC; 0 turns the lock off.", { min: 0, max: 1000 }),
	LOGIN_LOCKOUT_SEC: int(900, "How long an email stays locked after too many failed logins, in seconds; failures older than this are forgotten.", {
		min: 1,
		max: 86400
	})
};

/** Checks across the auth variables, for loadConfig. */
export function authProblems(config: { JWT_SECRET?: string; TOKEN_ENCRYPTION_KEY?: string; SPOTIFY_REDIRECT_URI?: string }): string[] {
	const problems: string[] = [];
	if (config.JWT_SECRET !== undefined && config.JWT_SECRET.length < 32) problems.push("JWT_SECRET must be at least 32 characters");
	if (config.TOKEN_ENCRYPTION_KEY !== undefined && encryptionKeyBytes(config.TOKEN_ENCRYPTION_KEY) === undefined) {
		problems.push("TOKEN_ENCRYPTION_KEY must be 32 bytes, written as 64 hex characters or as base64");
	}
	if (config.SPOTIFY_REDIRECT_URI) {
		const url = new URL(config.SPOTIFY_REDIRECT_URI);
		if (url.protocol === "http:" && !["127.0.0.1", "[::1]"].includes(url.hostname)) {
			problems.push("SPOTIFY_REDIRECT_URI must be https, or http on a loopback IP (127.0.0.1 or [::1]); Spotify refuses localhost");
		}
	}
	return problems;
}

/** The 32 key bytes of TOKEN_ENCRYPTION_KEY, or undefined when it is not a 32-byte key. */
export function encryptionKeyBytes(text: string): Buffer | undefined {
	const bytes = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
	return bytes.length === 32 ? bytes : undefined;
}
