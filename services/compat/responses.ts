/** JSON Schemas of the seed systems' answers (services/compat/views.ts): the native data under the seeds' names. */
import { bool, dateTime, int, list, nullable, obj, ok, oneOf, ref, str } from "../api/doc/schemas";
import type { ActionResponses } from "../api/doc/types";
import { ACTIVITY } from "../activity/responses";
import { RECOMMENDATIONS } from "../recommendations/responses";

const seedStatus = oneOf("PENDING", "STARTED", "SUCCESS", "FAILURE");

const SEED_USER = obj(
	{
		id: str,
		user_id: str,
		email: str,
		username: str,
		display_name: str,
		role: oneOf("user", "admin"),
		profile: obj({ favorite_genres: list(str), favorite_artists: list(str), moods: list(str) }),
		spotify_linked: bool,
		created_at: dateTime
	},
	["email"]
);
const SEED_USER_EXAMPLE = {
	id: "u_9f2c",
	user_id: "u_9f2c",
	email: "runner@example.com",
	username: "runner",
	display_name: "runner",
	role: "user",
	profile: { favorite_genres: ["house"], favorite_artists: [], moods: [] },
	spotify_linked: false,
	created_at: "2026-12-06T21:00:00.000Z"
};
const SEED_TASK = obj(
	{ task_id: str, status: seedStatus, kind: str, result: {}, error: obj({ message: str, type: str }, ["type"]), progress: obj({ done: int, total: int }), created_at: dateTime, updated_at: dateTime, started_at: dateTime, finished_at: dateTime },
	["error", "progress", "started_at", "finished_at"]
);
const SEED_TASK_EXAMPLE = { task_id: "7c4f2a4e-2b1d-4d8e-9a36-0b4d3c1f9e21", status: "PENDING", kind: "insight.generate", result: null, created_at: "2026-12-06T21:00:00.000Z", updated_at: "2026-12-06T21:00:00.000Z" };
const SEED_ACCEPTED = obj({ task_id: str, status: seedStatus, status_url: str });
const SEED_ACCEPTED_EXAMPLE = { task_id: "7c4f2a4e-2b1d-4d8e-9a36-0b4d3c1f9e21", status: "PENDING", status_url: "/api/tasks/7c4f2a4e-2b1d-4d8e-9a36-0b4d3c1f9e21" };
const SEED_SNAPSHOT = obj({ snapshot_id: str, user_id: str, period: str, period_key: str, start: dateTime, end: dateTime, computed_at: dateTime, figures: obj({}), change: nullable(obj({})) });
const SEED_INSIGHT = obj({ insight_id: str, user_id: str, snapshot_id: str, insight_type: str, tone_mode: str, version: int, model: str, content: obj({}), created_at: dateTime });

/** Each adapter's answers, by action name (services/compat/actions.ts). */
export const COMPAT_RESPONSES: Record<string, ActionResponses> = {
	compatRegister: {
		201: ok(
			"Registered: the user under every seed's names, and a session",
			{ allOf: [SEED_USER, obj({ access_token: str, token_type: { const: "Bearer" }, expires_in: int, refresh_token: str, spotify_user_id: str }, ["spotify_user_id"])] },
			{ ...SEED_USER_EXAMPLE, access_token: "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", token_type: "Bearer", expires_in: 900, refresh_token: "rt_1f8e3d2c9b7a" }
		)
	},
	compatUserGet: { 200: ok("The user under every seed's names", SEED_USER, SEED_USER_EXAMPLE) },
	compatUserUpdate: { 200: ok("The user as changed", SEED_USER, SEED_USER_EXAMPLE) },
	compatTokensStore: { 201: ok("Stored", obj({ user_id: str, stored: { const: true }, expires_at: nullable(dateTime) }), { user_id: "u_9f2c", stored: true, expires_at: "2026-12-06T22:00:00.000Z" }) },
	compatIngest: { 202: ok("Accepted: poll status_url", SEED_ACCEPTED, SEED_ACCEPTED_EXAMPLE) },
	compatSnapshots: { 200: ok("The caller's snapshots, newest first", list(SEED_SNAPSHOT), []) },
	compatGenerate: { 202: ok("Accepted: poll status_url", SEED_ACCEPTED, SEED_ACCEPTED_EXAMPLE) },
	compatInsight: {
		200: ok("The insight", SEED_INSIGHT, { insight_id: "ins_1", user_id: "u_9f2c", snapshot_id: "snap_1", insight_type: "summary", tone_mode: "neutral", version: 1, model: "builtin", content: { headline: "A faster week" }, created_at: "2026-12-06T21:00:00.000Z" })
	},
	compatUserInsights: { 200: ok("The user's insights", list(SEED_INSIGHT), []) },
	compatTask: { 200: ok("The task, in Celery's state names", SEED_TASK, SEED_TASK_EXAMPLE) },
	compatTaskList: { 200: ok("The caller's tasks", list(SEED_TASK), [SEED_TASK_EXAMPLE]) },
	compatRecommendations: {
		200: ok("The user's recommendations", obj({ user_id: str, recommendations: list(ref("Track")), count: int, generated_at: dateTime, cached: bool, basis: obj({}) }), {
			user_id: "u_9f2c",
			recommendations: [],
			count: 0,
			generated_at: "2026-12-06T21:00:00.000Z",
			cached: false,
			basis: { targetBpm: null, bpmFrom: "taste", genres: [], artists: [], moods: [] }
		})
	},
	compatInteraction: {
		201: ok("Recorded", obj({ status: { const: "recorded" }, event: ref("ActivityEvent") }), { status: "recorded", event: { id: "ev_31c2", userId: "u_9f2c", trackId: "trk_4Zb1", type: "like", at: 1796590800000 } })
	},
	compatActivity: { 201: ok("The event as recorded", ref("ActivityEvent")) },
	compatRefresh: { 202: ok("Accepted: poll status_url", { allOf: [SEED_TASK, obj({ status_url: str })] }, { ...SEED_TASK_EXAMPLE, status_url: `/api/tasks/${SEED_TASK_EXAMPLE.task_id}` }) },
	compatUserAnalytics: { 200: ok("The user's listening figures", ACTIVITY.user) },
	compatUserList: { 200: ok("A page of public profiles", obj({ items: list(obj({ id: str, displayName: str, createdAt: dateTime })), nextCursor: nullable(str) }), { items: [], nextCursor: null }) },
	compatRecommendationsForUser: { 200: ok("The recommendations", RECOMMENDATIONS.forUser) },
	compatSimilar: { 200: ok("The nearest tracks", RECOMMENDATIONS.similar) },
	compatTrends: { 200: ok("The window's top tracks, artists and genres", ACTIVITY.trends) },
	compatSummary: { 200: ok("Platform figures for the window", ACTIVITY.summary) }
};

/** One line per adapter for the OpenAPI document. */
export const COMPAT_SUMMARIES: Record<string, string> = {
	compatRegister: "Register (seeds 000–003's path and fields)",
	compatUserGet: "A user's profile (seed 003)",
	compatUserUpdate: "Change a profile (seed 003)",
	compatTokensStore: "Store Spotify tokens a client got itself (seed 001)",
	compatIngest: "Fetch and summarise the caller's listening in the background (seed 001)",
	compatSnapshots: "The caller's listening snapshots (seed 001)",
	compatGenerate: "Write an insight in the background (seed 001)",
	compatInsight: "One insight (seed 001)",
	compatUserInsights: "A user's insights (seed 001)",
	compatTask: "A task in Celery's state names (seed 001)",
	compatTaskList: "The caller's tasks (seed 001)",
	compatRecommendations: "A user's recommendations (seed 002's ML service)",
	compatInteraction: "Record the caller's play, like, skip or share (seed 002)",
	compatActivity: "Record one listening event (seed 003)",
	compatRefresh: "Rebuild a user's recommendations in the background (seed 003)",
	compatUserAnalytics: "A user's listening figures (seed 003)",
	compatUserList: "Everyone's public profile (seed 003)",
	compatRecommendationsForUser: "A user's recommendations (seed 003)",
	compatSimilar: "Tracks that sound like the given ones (seed 002)",
	compatTrends: "What rises in a window (seed 003)",
	compatSummary: "Platform figures for a window (seed 003)"
};
