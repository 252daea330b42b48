/**
 * The seed systems' routes as thin adapters: each action renames the seed's fields, calls the
 * native action that does the work, and renames the answer back. Mixed into the gateway service
 * (`api.compat*`), so calls carry the gateway as caller and the user in meta, and every native
 * permission check applies as on the native route. Routes: ./routes.ts; the table: docs/compat.md.
 */
import { randomBytes } from "node:crypto";
import { Errors, type ActionParams, type ActionSchema, type ServiceSchema } from "moleculer";
import type { ActivityEvent } from "../activity/model";
import type { InsightView, SnapshotView } from "../insights/model";
import type { RecommendationView } from "../recommendations/model";
import { forUserParams, similarParams } from "../recommendations/params";
import { listParams } from "../users/params";
import { requireUser, type GatewayContext } from "../shared/access";
import type { TaskStatus, TaskView } from "../tasks/model";
import type { SpotifyStatus, UserProfile } from "../users/model";
import type { SessionView } from "../users.service";
import {
	activityParams,
	generateParams,
	ingestParams,
	insightParams,
	interactionParams,
	recommendationsParams,
	refreshParams,
	registerParams,
	snapshotsParams,
	summaryParams,
	taskListParams,
	taskParams,
	tokensStoreParams,
	trendsParams,
	updateParams,
	userAnalyticsParams,
	userInsightsParams,
	type RegisterInput,
	type UpdateInput
} from "./params";
import { COMPAT_RESPONSES, COMPAT_SUMMARIES } from "./responses";
import { nativeTaskStatus, seedAccepted, seedInsight, seedSession, seedSnapshot, seedTask, seedUser } from "./views";

type Accepted = { taskId: string; status: TaskStatus; statusUrl: string };

function invalid(field: string, message: string): Errors.ValidationError {
	return new Errors.ValidationError(message, "VALIDATION_ERROR", [{ type: "compat", field, message }]);
}

/** Seed 003's profile lists as cratedigger's preferences; absent lists stay absent. */
function preferencesOf(profile: RegisterInput["profile"]) {
	if (!profile) return undefined;
	const { favorite_genres: genres, favorite_artists: artists, moods } = profile;
	return { ...(genres ? { genres } : {}), ...(artists ? { artists } : {}), ...(moods ? { moods } : {}) };
}

/**
 * A seed's registration as users.register's: email and password, or (seed 001) a Spotify user id
 * alone, which becomes an address under the reserved .invalid domain and a random password no one
 * learns: such an account signs in through the session its registration answers.
 */
function nativeRegistration(p: RegisterInput) {
	const displayName = p.display_name ?? p.username ?? p.spotify_user_id;
	if (!displayName) throw invalid("username", "The 'username' (or 'display_name') field is required.");
	if (p.email === undefined && p.spotify_user_id === undefined) throw invalid("email", "The 'email' field is required (or 'spotify_user_id').");
	if (p.email !== undefined && p.password === undefined) throw invalid("password", "The 'password' field is required with 'email'.");
	return {
		email: p.email ?? `spotify.${p.spotify_user_id?.toLowerCase()}@users.invalid`,
		password: p.password ?? randomBytes(24).toString("base64url"),
		displayName,
		...(p.profile ? { preferences: preferencesOf(p.profile) } : {})
	};
}

/**
 * 404 for an id that names no user. The native per-user reads answer an admin an empty report for
 * any id; at the seeds' shorter paths that would also answer paths that are not routes at all.
 */
async function knownUser(ctx: GatewayContext, id: string): Promise<UserProfile> {
	return ctx.call<UserProfile, object>("users.get", { id });
}

/** A native action under an adapter's name, with the native parameters and access rule. */
function passThrough(action: string, auth: "public" | "optional" | "required", params: ActionParams): ActionSchema {
	return { auth, params, handler: (ctx: GatewayContext) => ctx.call(action, ctx.params) };
}

const adapters: Record<string, ActionSchema> = {
	/** Seeds 000–003's registrations (see routes.ts for the paths). */
	compatRegister: {
		auth: "public",
		params: registerParams,
		async handler(ctx: GatewayContext<RegisterInput>) {
			const session = await ctx.call<SessionView, object>("users.register", nativeRegistration(ctx.params));
			ctx.meta.$statusCode = 201;
			return { ...seedSession(session), ...(ctx.params.spotify_user_id ? { spotify_user_id: ctx.params.spotify_user_id } : {}) };
		}
	},

	/** Seed 003's GET /api/users/{id}/. */
	compatUserGet: {
		auth: "required",
		params: { id: updateParams.id },
		async handler(ctx: GatewayContext<{ id: string }>) {
			return seedUser(await knownUser(ctx, ctx.params.id));
		}
	},

	/** Seed 003's PUT and PATCH /api/users/{id}/: the name and profile lists; the email cannot change. */
	compatUserUpdate: {
		auth: "required",
		params: updateParams,
		async handler(ctx: GatewayContext<UpdateInput>) {
			const { id, email, username, display_name, profile } = ctx.params;
			if (email !== undefined) {
				const current = await ctx.call<UserProfile, object>("users.get", { id });
				if (current.email !== email) throw invalid("email", "The 'email' field cannot change: it is the account's sign-in name.");
			}
			const displayName = display_name ?? username;
			const patch = { id, ...(displayName ? { displayName } : {}), ...(profile ? { preferences: preferencesOf(profile) } : {}) };
			return seedUser(await ctx.call<UserProfile, object>("users.update", patch));
		}
	},

	/** Seed 001's POST /api/tokens/store: the caller's own Spotify tokens, sealed like linked ones. */
	compatTokensStore: {
		auth: "required",
		params: tokensStoreParams,
		async handler(ctx: GatewayContext<{ user_id: string; access_token: string; refresh_token: string; expires_in: number; scope?: string }>) {
			const p = ctx.params;
			const status = await ctx.call<SpotifyStatus, object>("users.spotifyStoreTokens", {
				userId: p.user_id,
				accessToken: p.access_token,
				refreshToken: p.refresh_token,
				expiresIn: p.expires_in,
				...(p.scope !== undefined ? { scope: p.scope } : {})
			});
			ctx.meta.$statusCode = 201;
			return { user_id: p.user_id, stored: true, expires_at: status.linked ? status.expiresAt : null };
		}
	},

	/** Seed 001's POST /api/listening/ingest?user_id=&time_range=: a task; every period is brought up to date. */
	compatIngest: {
		auth: "required",
		params: ingestParams,
		async handler(ctx: GatewayContext<{ user_id?: string }>) {
			const accepted = await ctx.call<Accepted, object>("insights.ingest", ctx.params.user_id ? { user_id: ctx.params.user_id } : {});
			ctx.meta.$statusCode = 202;
			return seedAccepted(accepted);
		}
	},

	/** Seed 001's GET /api/listening/snapshots?user_id=: a bare list, newest period first. */
	compatSnapshots: {
		auth: "required",
		params: snapshotsParams,
		async handler(ctx: GatewayContext<{ user_id?: string; period?: string; limit: number }>) {
			const { snapshots } = await ctx.call<{ snapshots: SnapshotView[] }, object>("insights.snapshots", ctx.params);
			return snapshots.map(seedSnapshot);
		}
	},

	/** Seed 001's POST /api/insights/generate?snapshot_id=&insight_type=&tone_mode=. */
	compatGenerate: {
		auth: "required",
		params: generateParams,
		async handler(ctx: GatewayContext<{ snapshot_id: string; insight_type: string; tone_mode: string }>) {
			const { snapshot_id, insight_type, tone_mode } = ctx.params;
			const accepted = await ctx.call<Accepted, object>("insights.generate", { snapshot_id, insight_type, tone_mode });
			ctx.meta.$statusCode = 202;
			return seedAccepted(accepted);
		}
	},

	/** Seed 001's GET /api/insights/{id}. */
	compatInsight: {
		auth: "required",
		params: insightParams,
		async handler(ctx: GatewayContext<{ id: string }>) {
			return seedInsight(await ctx.call<InsightView, object>("insights.get", { id: ctx.params.id }));
		}
	},

	/** Seed 001's GET /api/insights/user/{id}: a bare list, newest first. */
	compatUserInsights: {
		auth: "required",
		params: userInsightsParams,
		async handler(ctx: GatewayContext<{ id: string }>) {
			await knownUser(ctx, ctx.params.id);
			const { insights } = await ctx.call<{ insights: InsightView[] }, object>("insights.listForUser", { id: ctx.params.id });
			return insights.map(seedInsight);
		}
	},

	/** Seed 001's GET /api/tasks/{task_id}: Celery's states (PENDING, STARTED, SUCCESS, FAILURE). */
	compatTask: {
		auth: "optional",
		params: taskParams,
		async handler(ctx: GatewayContext<{ task_id: string }>) {
			return seedTask(await ctx.call<TaskView, object>("tasks.get", { id: ctx.params.task_id }));
		}
	},

	/** GET /api/tasks: the caller's tasks in seed 001's names (its dashboard listed them). */
	compatTaskList: {
		auth: "required",
		params: taskListParams,
		async handler(ctx: GatewayContext<{ status?: string; limit: number }>) {
			const status = ctx.params.status ? nativeTaskStatus(ctx.params.status) : undefined;
			const { items } = await ctx.call<{ items: TaskView[] }, object>("tasks.list", { limit: ctx.params.limit, ...(status ? { status } : {}) });
			return items.map(seedTask);
		}
	},

	/** Seed 002's POST /recommendations (its ML service, at the root). */
	compatRecommendations: {
		auth: "required",
		params: recommendationsParams,
		async handler(ctx: GatewayContext<{ user_id: string; num_recommendations: number }>) {
			const view = await ctx.call<RecommendationView, object>("recommendations.forUser", { id: ctx.params.user_id, limit: ctx.params.num_recommendations });
			return {
				user_id: view.userId,
				recommendations: view.items,
				count: view.count,
				generated_at: view.generatedAt,
				cached: view.cached,
				basis: view.basis
			};
		}
	},

	/** Seed 002's POST /user-interaction: the caller's own play, like, skip or share. */
	compatInteraction: {
		auth: "required",
		params: interactionParams,
		async handler(ctx: GatewayContext<{ user_id: string; track_id: string; interaction_type: string; duration_ms?: number }>) {
			const me = requireUser(ctx);
			if (me.id !== ctx.params.user_id) throw new Errors.MoleculerClientError("user_id must be the signed-in user", 403, "FORBIDDEN");
			const { track_id, interaction_type, duration_ms } = ctx.params;
			const event = await ctx.call<ActivityEvent, object>("activity.analyticsActivity", {
				type: interaction_type,
				trackId: track_id,
				...(duration_ms !== undefined ? { msPlayed: duration_ms } : {})
			});
			ctx.meta.$statusCode = 201;
			return { status: "recorded", event };
		}
	},

	/** Seed 003's POST /api/analytics/activity/: {track_id, activity_type}. */
	compatActivity: {
		auth: "required",
		params: activityParams,
		async handler(ctx: GatewayContext<{ track_id: string; activity_type: string; duration_ms?: number; bpm?: number; positionMs?: number; source?: string }>) {
			const { track_id, activity_type, duration_ms, ...context } = ctx.params;
			const event = await ctx.call<ActivityEvent, object>("activity.analyticsActivity", {
				type: activity_type,
				trackId: track_id,
				...(duration_ms !== undefined ? { msPlayed: duration_ms } : {}),
				...context
			});
			ctx.meta.$statusCode = 201;
			return event;
		}
	},

	/** Seed 003's POST /api/recommendations/user/{id}/refresh/ with seed_genres and seed_artists. */
	compatRefresh: {
		auth: "required",
		params: refreshParams,
		async handler(ctx: GatewayContext<{ id: string; limit?: number; seed_genres?: string[]; seed_artists?: string[] }>) {
			const { id, limit, seed_genres, seed_artists } = ctx.params;
			const task = await ctx.call<TaskView, object>("recommendations.refresh", {
				id,
				...(limit !== undefined ? { limit } : {}),
				...(seed_genres ? { seedGenres: seed_genres } : {}),
				...(seed_artists ? { seedArtists: seed_artists } : {})
			});
			ctx.meta.$statusCode = 202;
			ctx.meta.$responseHeaders = { Location: `/api/tasks/${task.id}` };
			return { ...seedTask(task), status_url: `/api/tasks/${task.id}` };
		}
	},

	/** Seed 003's GET /api/analytics/user/{user_id}/: the user's engagement, 404 for an unknown user. */
	compatUserAnalytics: {
		auth: "required",
		params: userAnalyticsParams,
		async handler(ctx: GatewayContext<{ id: string; window: string }>) {
			await knownUser(ctx, ctx.params.id);
			return ctx.call("activity.userAnalytics", ctx.params);
		}
	},

	/*
	 * Seed paths that differ from the native ones only in the path: the native action under its own
	 * name here, so the OpenAPI document gives each operation one id.
	 */
	compatUserList: passThrough("users.list", "optional", listParams),
	compatRecommendationsForUser: passThrough("recommendations.forUser", "required", forUserParams),
	compatSimilar: passThrough("recommendations.similar", "optional", similarParams),
	compatTrends: passThrough("activity.trends", "public", trendsParams),

	/** Seed 003's GET /api/analytics/summary/: platform-wide counts, public as that seed had them. */
	compatSummary: {
		auth: "public",
		params: summaryParams,
		handler(ctx: GatewayContext<{ window: string }>) {
			return ctx.call("activity.summary", { window: ctx.params.window });
		}
	}
};

/** The adapters, each with its summary and answers for the OpenAPI document (./responses.ts). */
export const CompatActions: ServiceSchema["actions"] = Object.fromEntries(
	Object.entries(adapters).map(([name, action]) => [name, { ...action, summary: COMPAT_SUMMARIES[name], responses: COMPAT_RESPONSES[name] }])
);
