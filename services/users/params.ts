/**
 * fastest-validator schemas of the users service. Unknown fields are refused ($$strict), strings
 * are trimmed and bounded, and nothing but plain values reaches the store.
 */

/** Printable text: no control, format or unassigned characters (which would hide in a name). */
const PRINTABLE = /^[^\p{C}]+$/u;

export const idParam = { type: "string", min: 1, max: 100, pattern: /^[A-Za-z0-9_-]+$/ } as const;
export const emailParam = { type: "email", mode: "precise", normalize: true, max: 254 } as const;
/** Any printable text, spaces, emoji and every script included; no control characters or lone surrogates. */
const PASSWORD_TEXT = { pattern: /^[^\p{Cc}\p{Cs}]+$/u, messages: { stringPattern: "The '{field}' field must not contain control characters or lone surrogates." } } as const;
/** Long enough for passphrases; bounded so hashing stays cheap. */
export const passwordParam = { type: "string", min: 8, max: 200, ...PASSWORD_TEXT } as const;
export const displayNameParam = { type: "string", trim: true, min: 1, max: 60, pattern: PRINTABLE } as const;
const displayName = displayNameParam;
export const tagParam = { type: "string", trim: true, min: 1, max: 100, pattern: PRINTABLE } as const;
const tag = tagParam;

export const PREFERENCE_LIMITS = { genres: 50, artists: 100, moods: 20 } as const;
export const CADENCE = { min: 60, max: 240 } as const;
/** Most users one user may follow, so a profile stays a small document. */
export const MAX_FOLLOWING = 1000;

function preferences(forPatch: boolean) {
	return {
		type: "object",
		optional: true,
		strict: true,
		props: {
			genres: { type: "array", optional: true, max: PREFERENCE_LIMITS.genres, items: tag },
			artists: { type: "array", optional: true, max: PREFERENCE_LIMITS.artists, items: tag },
			moods: { type: "array", optional: true, max: PREFERENCE_LIMITS.moods, items: tag },
			// Steps per minute; null in a PATCH clears it.
			cadence: { type: "number", integer: true, optional: true, nullable: forPatch, ...CADENCE }
		}
	} as const;
}

export const registerParams = {
	$$strict: true,
	email: emailParam,
	password: passwordParam,
	displayName,
	preferences: preferences(false)
} as const;

export const loginParams = { $$strict: true, email: emailParam, password: { type: "string", min: 1, max: 200, ...PASSWORD_TEXT } } as const;

/** Opaque refresh tokens are 43 base64url characters; a little slack for future formats. */
export const refreshTokenParam = { type: "string", min: 20, max: 200, pattern: /^[A-Za-z0-9_-]+$/ } as const;

export const patchParams = {
	$$strict: true,
	id: idParam,
	displayName: { ...displayName, optional: true },
	preferences: preferences(true),
	role: { type: "enum", values: ["user", "admin"], optional: true },
	password: { ...passwordParam, optional: true },
	// The user's current password, needed to change it (admins included: they cannot set passwords).
	currentPassword: { type: "string", min: 1, max: 200, optional: true, ...PASSWORD_TEXT }
} as const;

export interface PreferencesInput {
	genres?: string[];
	artists?: string[];
	moods?: string[];
	cadence?: number | null;
}

/** Removes repeats (case-insensitively, keeping the first spelling) from each list. */
export function dedupe(list: string[]): string[] {
	const seen = new Set<string>();
	return list.filter(item => {
		const key = item.toLocaleLowerCase("en");
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

export const spotifyTokenParams = {
	$$strict: true,
	code: { type: "string", min: 1, max: 2000, pattern: /^[\x21-\x7e]+$/ },
	state: { type: "string", min: 20, max: 200, pattern: /^[A-Za-z0-9_-]+$/ }
} as const;

/** Spotify tokens a client brings itself; printable ASCII as OAuth tokens are. */
export const oauthTokenParam = { type: "string", min: 1, max: 2000, pattern: /^[\x21-\x7e]+$/ } as const;
export const oauthScopeParam = { type: "string", max: 2000, pattern: /^[\x20-\x7e]*$/, optional: true } as const;
export const spotifyStoreParams = {
	$$strict: true,
	userId: idParam,
	accessToken: oauthTokenParam,
	refreshToken: oauthTokenParam,
	expiresIn: { type: "number", integer: true, min: 1, max: 86_400 },
	scope: oauthScopeParam
} as const;

export const listParams = {
	$$strict: true,
	limit: { type: "number", integer: true, min: 1, max: 100, default: 50, convert: true },
	cursor: { ...idParam, optional: true }
} as const;
