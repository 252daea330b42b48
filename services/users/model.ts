import type { Doc } from "../../mixins/store/types";

export type Role = "user" | "admin";

/** What a user told us they like; recommendations and playlists read it through users.get. */
export interface Preferences {
	genres: string[];
	artists: string[];
	moods: string[];
	/** Running cadence in steps per minute. */
	cadence?: number;
}

export interface UserDoc extends Doc {
	/** Stored lower-cased and trimmed; unique. */
	email: string;
	displayName: string;
	role: Role;
	/** PHC string, see passwords.ts. Never leaves the service. */
	passwordHash: string;
	preferences: Preferences;
	/** Ids of the users this one follows. */
	following: string[];
	createdAt: number;
	updatedAt: number;
}

/**
 * One refresh token, stored by the SHA-256 of the token (the token itself is 256 random bits, so
 * no salt is needed). Tokens of one login form a family: each refresh rotates to a new member,
 * and presenting a rotated member again revokes the whole family.
 */
export interface RefreshTokenDoc extends Doc {
	userId: string;
	family: string;
	expiresAt: number;
	createdAt: number;
	/** Set when this token was exchanged for the next one. */
	rotatedAt?: number;
	revokedAt?: number;
}

/** A user's Spotify tokens, `_id` = user id; both tokens sealed (sealed.ts). */
export interface SpotifyLinkDoc extends Doc {
	access: string;
	refresh: string;
	scopes: string[];
	/** When the access token expires, epoch ms. */
	expiresAt: number;
	/** When the user authorized; Spotify's refresh tokens die six months after it. */
	linkedAt: number;
	refreshedAt?: number;
	/** A refresh in progress on some node holds this until then. */
	lockUntil?: number;
}

/** A pending authorization, `_id` = SHA-256 of the state; the PKCE verifier sealed. */
export interface SpotifyStateDoc extends Doc {
	userId: string;
	verifier: string;
	expiresAt: number;
	createdAt: number;
}

/** Failed logins of one email (`_id`), for throttling. */
export interface LoginFailureDoc extends Doc {
	failures: number;
	firstAt: number;
	lockedUntil?: number;
}

export type SpotifyStatus =
	| { linked: false }
	| { linked: true; scopes: string[]; expiresAt: string; linkedAt: string; refreshedAt?: string; reauthorizeBy: string };

/** The profile users.get returns; `email` only to the user themself, admins and internal callers. */
export interface UserProfile {
	id: string;
	email?: string;
	displayName: string;
	role: Role;
	preferences: Preferences;
	following: string[];
	spotify: SpotifyStatus;
	createdAt: string;
}

/** Spotify refresh tokens expire this long after the user authorizes (REFERENCE.md). */
export const SPOTIFY_GRANT_LIFETIME_MS = 182 * 24 * 3600_000;

const iso = (ms: number): string => new Date(ms).toISOString();

export function spotifyStatus(link: SpotifyLinkDoc | null): SpotifyStatus {
	if (!link) return { linked: false };
	return {
		linked: true,
		scopes: link.scopes,
		expiresAt: iso(link.expiresAt),
		linkedAt: iso(link.linkedAt),
		...(link.refreshedAt ? { refreshedAt: iso(link.refreshedAt) } : {}),
		reauthorizeBy: iso(link.linkedAt + SPOTIFY_GRANT_LIFETIME_MS)
	};
}

export function profileView(user: UserDoc, link: SpotifyLinkDoc | null, withEmail: boolean): UserProfile {
	const { genres, artists, moods, cadence } = user.preferences;
	return {
		id: user._id,
		...(withEmail ? { email: user.email } : {}),
		displayName: user.displayName,
		role: user.role,
		preferences: { genres, artists, moods, ...(cadence !== undefined ? { cadence } : {}) },
		following: user.following,
		spotify: spotifyStatus(link),
		createdAt: iso(user.createdAt)
	};
}
