/**
 * fastest-validator schemas of the seed systems' request bodies and query strings, built from the
 * native services' own rules so a value a native route refuses is refused here too. Extra fields
 * a seed's app sends along are dropped ($$strict: "remove"), not refused.
 */
import { ANALYTICS_TYPES, contextFields, idParam as activityId, limitParam } from "../activity/params";
import { generateParams as nativeGenerateParams } from "../insights/params";
import { PERIODS } from "../insights/periods";
import { windowParam } from "../activity/window";
import { displayNameParam, emailParam, idParam, oauthScopeParam, oauthTokenParam, passwordParam, PREFERENCE_LIMITS, spotifyStoreParams, tagParam } from "../users/params";

const tags = (max: number) => ({ type: "array", optional: true, max, items: tagParam }) as const;

/** Seed 003's profile object: what cratedigger keeps as preferences. */
const profile = {
	type: "object",
	optional: true,
	strict: "remove",
	props: { favorite_genres: tags(PREFERENCE_LIMITS.genres), favorite_artists: tags(PREFERENCE_LIMITS.artists), moods: tags(PREFERENCE_LIMITS.moods) }
} as const;

/** A Spotify user id, as seed 001 registers users by: letters, digits, dots, dashes, underscores. */
const spotifyUserId = { type: "string", min: 1, max: 50, pattern: /^[A-Za-z0-9._-]+$/, optional: true } as const;

/**
 * Every seed's registration body at once: seed 001 {spotify_user_id, display_name}, seed 002
 * {email, username, display_name, password}, seed 003 {username, email, password, profile}.
 */
export const registerParams = {
	$$strict: "remove",
	email: { ...emailParam, optional: true },
	password: { ...passwordParam, optional: true },
	username: { ...displayNameParam, optional: true },
	display_name: { ...displayNameParam, optional: true },
	spotify_user_id: spotifyUserId,
	profile
} as const;

export interface RegisterInput {
	email?: string;
	password?: string;
	username?: string;
	display_name?: string;
	spotify_user_id?: string;
	profile?: { favorite_genres?: string[]; favorite_artists?: string[]; moods?: string[] };
}

/** Seed 003's PUT/PATCH /api/users/{id}/: the same fields; the email may be repeated but not changed. */
export const updateParams = {
	$$strict: "remove",
	id: idParam,
	email: { ...emailParam, optional: true },
	username: { ...displayNameParam, optional: true },
	display_name: { ...displayNameParam, optional: true },
	profile
} as const;

export type UpdateInput = Omit<RegisterInput, "password" | "spotify_user_id"> & { id: string };

/** Seed 001's POST /api/tokens/store. */
export const tokensStoreParams = {
	$$strict: "remove",
	user_id: idParam,
	access_token: oauthTokenParam,
	refresh_token: oauthTokenParam,
	expires_in: spotifyStoreParams.expiresIn,
	scope: oauthScopeParam
} as const;

/** Spotify's top-items ranges, which seed 001 ingested by; cratedigger's snapshots cover every period. */
export const TIME_RANGES = ["short_term", "medium_term", "long_term"] as const;

export const ingestParams = { $$strict: "remove", user_id: { ...idParam, optional: true }, time_range: { type: "enum", values: [...TIME_RANGES], optional: true } } as const;

export const snapshotsParams = {
	$$strict: "remove",
	user_id: { ...idParam, optional: true },
	period: { type: "enum", values: [...PERIODS], optional: true },
	limit: { type: "number", integer: true, min: 1, max: 200, default: 30, convert: true }
} as const;

export const generateParams = { $$strict: "remove", ...nativeGenerateParams } as const;

export const taskParams = { task_id: { type: "string", min: 1, max: 100, pattern: /^[A-Za-z0-9_-]+$/ } } as const;

export const taskListParams = {
	$$strict: "remove",
	status: { type: "enum", values: ["PENDING", "STARTED", "SUCCESS", "FAILURE"], optional: true },
	limit: { type: "number", integer: true, min: 1, max: 200, default: 50, convert: true }
} as const;

export const insightParams = { id: { type: "string", min: 1, max: 200, pattern: /^[A-Za-z0-9_-]+$/ } } as const;

export const userInsightsParams = { id: idParam } as const;

/** Seed 002's POST /recommendations (its ML service). */
export const recommendationsParams = {
	$$strict: "remove",
	user_id: idParam,
	num_recommendations: { type: "number", integer: true, min: 1, max: 100, default: 20 }
} as const;

/** Seed 002's POST /user-interaction. */
export const interactionParams = {
	$$strict: "remove",
	user_id: idParam,
	track_id: activityId,
	interaction_type: { type: "enum", values: [...ANALYTICS_TYPES] },
	duration_ms: { type: "number", integer: true, min: 0, max: 86_400_000, optional: true }
} as const;

/** Seed 003's POST /api/analytics/activity/. */
export const activityParams = {
	$$strict: "remove",
	track_id: activityId,
	activity_type: { type: "enum", values: [...ANALYTICS_TYPES] },
	duration_ms: { type: "number", integer: true, min: 0, max: 86_400_000, optional: true },
	...contextFields
} as const;

/** Seed 003's POST /api/recommendations/user/{id}/refresh/. */
export const refreshParams = {
	$$strict: "remove",
	id: idParam,
	limit: { type: "number", integer: true, min: 1, max: 100, optional: true },
	seed_genres: { ...tags(5), min: 1 },
	seed_artists: { ...tags(5), min: 1 }
} as const;

export const summaryParams = { window: windowParam("24h") } as const;

export const userAnalyticsParams = { id: idParam, window: windowParam("30d") } as const;

/** GET /api/analytics/trends/: activity.trends' own parameters. */
export const trendsParams = { window: windowParam("7d"), limit: limitParam(10, 50) } as const;
