/**
 * JSON Schemas of the API's answers that several routes share, published as the OpenAPI
 * document's components and referred to with `ref("Track")`, and small builders for the rest.
 * Each routed action states its own answers with these in its `responses` key; the response
 * test checks real answers of a running gateway against them.
 */
import type { ActionResponse, JsonSchema } from "./types";

export const str: JsonSchema = { type: "string" };
export const int: JsonSchema = { type: "integer" };
export const num: JsonSchema = { type: "number" };
export const bool: JsonSchema = { type: "boolean" };
export const dateTime: JsonSchema = { type: "string", format: "date-time" };
/** Anything JSON: the shape belongs to another system (a seed's, an upstream's) or varies by kind. */
export const anyValue: JsonSchema = {};

export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: "null" }] });
export const list = (items: JsonSchema): JsonSchema => ({ type: "array", items });
export const oneOf = (...values: string[]): JsonSchema => ({ type: "string", enum: values });
/** An object whose listed keys are all required unless named in `optional`; other keys may come too. */
export function obj(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
	const required = Object.keys(properties).filter(k => !optional.includes(k));
	return { type: "object", properties, ...(required.length ? { required } : {}) };
}
/** A map from names to one kind of value. */
export const mapOf = (values: JsonSchema): JsonSchema => ({ type: "object", additionalProperties: values });

/** A success answer with a JSON body. */
export function ok(description: string, schema: JsonSchema, example?: unknown): ActionResponse {
	return { description, schema, ...(example !== undefined ? { example } : {}) };
}

const TRACK_EXAMPLE = {
	id: "trk_4Zb1",
	name: "Midnight City",
	artists: ["M83"],
	isrc: "FR6V81141061",
	spotifyId: "1eyzqe2QqGZUmfcPZtrIyt",
	deezerId: "14453291",
	durationMs: 243_960,
	genre: "electronic",
	popularity: 74,
	tempo: 105,
	tempoAlt: 210,
	tempoSource: "spotify",
	energy: 0.71,
	danceability: 0.51
};
const TASK_EXAMPLE = {
	id: "7c4f2a4e-2b1d-4d8e-9a36-0b4d3c1f9e21",
	kind: "recommendations.refresh",
	status: "pending",
	createdAt: "2026-12-06T21:00:00.000Z",
	updatedAt: "2026-12-06T21:00:00.000Z"
};
const PROFILE_EXAMPLE = {
	id: "u_9f2c",
	email: "runner@example.com",
	displayName: "runner",
	role: "user",
	preferences: { genres: ["house"], artists: [], moods: [], cadence: 170 },
	following: [],
	spotify: { linked: false },
	createdAt: "2026-12-06T21:00:00.000Z"
};

const track = obj(
	{
		id: str,
		name: str,
		artists: list(str),
		isrc: str,
		spotifyId: str,
		deezerId: str,
		durationMs: int,
		previewUrl: str,
		genre: str,
		popularity: num,
		tempo: num,
		tempoAlt: num,
		tempoSource: str,
		tempoConfidence: num,
		energy: num,
		valence: num,
		danceability: num,
		key: int,
		mode: int
	},
	["isrc", "spotifyId", "deezerId", "durationMs", "previewUrl", "genre", "popularity", "tempo", "tempoAlt", "tempoSource", "tempoConfidence", "energy", "valence", "danceability", "key", "mode"]
);

const spotifyStatus: JsonSchema = {
	anyOf: [obj({ linked: { const: false } }), obj({ linked: { const: true }, scopes: list(str), expiresAt: dateTime, linkedAt: dateTime, refreshedAt: dateTime, reauthorizeBy: dateTime }, ["refreshedAt"])]
};

/** The components every route may refer to, by name. */
export const componentSchemas = {
	Track: { ...track, examples: [TRACK_EXAMPLE] },
	TrackPage: { ...obj({ items: list(ref("Track")), nextCursor: nullable(str) }), examples: [{ items: [TRACK_EXAMPLE], nextCursor: "dHJrXzRaYjE" }] },
	Task: {
		...obj(
			{
				id: str,
				kind: str,
				status: oneOf("pending", "running", "done", "failed"),
				progress: obj({ done: int, total: int }),
				result: anyValue,
				error: obj({ message: str, type: str }, ["type"]),
				createdAt: dateTime,
				updatedAt: dateTime,
				startedAt: dateTime,
				finishedAt: dateTime
			},
			["progress", "result", "error", "startedAt", "finishedAt"]
		),
		examples: [TASK_EXAMPLE]
	},
	SpotifyStatus: { ...spotifyStatus, examples: [{ linked: false }] },
	UserProfile: {
		...obj(
			{
				id: str,
				email: str,
				displayName: str,
				role: oneOf("user", "admin"),
				preferences: obj({ genres: list(str), artists: list(str), moods: list(str), cadence: num }, ["cadence"]),
				following: list(str),
				spotify: ref("SpotifyStatus"),
				createdAt: dateTime
			},
			["email"]
		),
		examples: [PROFILE_EXAMPLE]
	},
	Session: {
		...obj({
			user: ref("UserProfile"),
			accessToken: str,
			tokenType: { const: "Bearer" },
			expiresIn: int,
			expiresAt: dateTime,
			refreshToken: str,
			refreshExpiresAt: dateTime
		}),
		examples: [
			{
				user: PROFILE_EXAMPLE,
				accessToken: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1XzlmMmMifQ.c2lnbmF0dXJl",
				tokenType: "Bearer",
				expiresIn: 900,
				expiresAt: "2026-12-06T21:15:00.000Z",
				refreshToken: "rt_1f8e3d2c9b7a",
				refreshExpiresAt: "2027-01-05T21:00:00.000Z"
			}
		]
	},
	ActivityEvent: {
		...obj({ id: str, userId: str, trackId: str, type: str, at: int, msPlayed: int, context: obj({}) }, ["msPlayed", "context"]),
		examples: [{ id: "ev_31c2", userId: "u_9f2c", trackId: "trk_4Zb1", type: "play", at: 1796590800000, msPlayed: 180000 }]
	}
} satisfies Record<string, JsonSchema>;


export function ref(name: string): JsonSchema {
	return { $ref: `#/components/schemas/${name}` };
}

/** The one error shape of the API (services/api/errors.ts errorBody). */
export const errorSchema: JsonSchema = {
	...obj({
		error: obj(
			{
				status: int,
				type: str,
				message: str,
				requestId: str,
				fields: list(obj({ field: str, type: str, message: str, expected: anyValue, actual: { type: ["string", "number", "boolean"] } }, ["expected", "actual"])),
				data: anyValue
			},
			["requestId", "fields", "data"]
		)
	}),
	examples: [
		{
			error: {
				status: 422,
				type: "VALIDATION_ERROR",
				message: "Parameters validation error!",
				requestId: "3f0c8d7e-5a1b-4c2d-9e8f-7a6b5c4d3e2f",
				fields: [{ field: "email", type: "email", message: "The 'email' field must be a valid e-mail.", actual: "nope" }]
			}
		}
	]
};
