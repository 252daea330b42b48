/** JSON Schemas of the users service's answers that are its own (shared ones: services/api/doc/schemas.ts). */
import { bool, dateTime, int, list, mapOf, obj, ref, str } from "../api/doc/schemas";

/** The Spotify token routes' answer: the link's status and a live access token, in both spellings. */
export const OWNER_TOKEN = {
	allOf: [
		ref("SpotifyStatus"),
		obj({ accessToken: str, tokenType: { const: "Bearer" }, expiresIn: int, access_token: str, token_type: { const: "Bearer" }, expires_in: int })
	]
};

export const OWNER_TOKEN_EXAMPLE = {
	linked: true,
	scopes: ["user-read-email", "user-top-read"],
	expiresAt: "2026-12-06T22:00:00.000Z",
	linkedAt: "2026-12-06T21:00:00.000Z",
	reauthorizeBy: "2027-06-06T21:00:00.000Z",
	accessToken: "BQD3…",
	tokenType: "Bearer",
	expiresIn: 3600,
	access_token: "BQD3…",
	token_type: "Bearer",
	expires_in: 3600
};

/** What DELETE /users/:id/data reports (services/users/forget.ts ForgetReport). */
export const FORGET_REPORT = obj({ userId: str, removed: mapOf({}), skipped: list(str), failed: mapOf(str), complete: bool, accountDeleted: bool });

/** GET /spotify/auth/url's answer. */
export const SPOTIFY_AUTH_START = obj({ url: { type: "string", format: "uri" }, state: str, expiresAt: dateTime, scopes: list(str) });
