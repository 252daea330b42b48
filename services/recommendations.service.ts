import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { configFor } from "../config";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import type { Collection } from "../mixins/store/types";
import { assertSelfOrAdmin, type AuthUser, type GatewayContext } from "./shared/access";
import type { TaskView } from "./tasks/model";
import { computeRecommendations, findSimilar, type RecommendationSeeds, type SimilarResult } from "./recommendations/compute";
import { recommendationView, type RecommendationDoc, type RecommendationView } from "./recommendations/model";
import { forUserParams, refreshParams, similarParams, songsByBpmParams, userIdParam, type SimilarParams, type SongsByBpmParams } from "./recommendations/params";
import { callerOf, fetchSignals, NO_SIGNALS, type Caller, type UserSignals } from "./recommendations/signals";
import { shapesPage, songsByBpm, type SongsPage } from "./recommendations/songs";
import { EncodedPageCache, pageKey } from "./recommendations/page-cache";
import { SignalCache } from "./recommendations/signal-cache";
import { ok, ref } from "./api/doc/schemas";
import { RECOMMENDATIONS } from "./recommendations/responses";

interface RecommendationsMethods {
	lists(): Collection<RecommendationDoc>;
	dropCached(userId: string): Promise<void>;
	/** Computes a user's list and stores it with its expiry. */
	rebuild(call: Caller, userId: string, seeds?: RecommendationSeeds): Promise<RecommendationDoc>;
	/** Runs a refresh task in the background, reporting to the tasks service. */
	runRefresh(taskId: string, userId: string, user: AuthUser | undefined, seeds: RecommendationSeeds): Promise<void>;
	/** The user's signals, kept between requests (signal-cache.ts). */
	signalsOf(call: Caller, userId: string): Promise<UserSignals>;
}
interface RecommendationsVars {
	/** Refreshes still running, awaited when the service stops. */
	pending: Set<Promise<void>>;
	/** Encoded songs pages that are the same for every caller they go to: anonymous ones, and signed-in ones no signal changes. */
	pages: EncodedPageCache;
	signals: SignalCache;
}
type RecommendationsThis = Service & StoreMethods & RecommendationsMethods & RecommendationsVars;

/** Activity that changes what a user should be recommended (plays and shares do not). */
const FEEDBACK_TYPES = new Set(["like", "unlike", "dislike", "skip"]);

/**
 * Songs for a running cadence, each user's recommended tracks (cached) and tracks similar to a
 * given one. Reads the catalog, users' preferences and activity's feedback; owns only the cached
 * recommendation lists.
 */
const RecommendationsService: ServiceSchema<ServiceSettingSchema, RecommendationsMethods & StoreMethods, RecommendationsVars> = {
	name: "recommendations",
	mixins: [StoreMixin],
	settings: { rest: "/" },

	collections: {
		lists: { indexes: [{ fields: { userId: 1 } }, { fields: { expiresAt: 1 } }] }
	},

	actions: {
		/** GET /api/v1/songs/bpm/:bpm: tracks for a cadence, paged by an opaque cursor, personalised when signed in. */
		songsByBpm: {
			rest: "GET /songs/bpm/:bpm",
			summary: "Songs for running at a cadence: tracks near a BPM, personalised when signed in",
			responses: { 200: ok("A page of tracks near the tempo", RECOMMENDATIONS.songsPage, RECOMMENDATIONS.songsExample) },
			auth: "optional",
			params: songsByBpmParams,
			async handler(this: RecommendationsThis, ctx: GatewayContext<SongsByBpmParams>): Promise<SongsPage | Buffer> {
				const call = callerOf(ctx);
				const userId = ctx.meta.user?.id;
				const signals = userId ? await this.signalsOf(call, userId) : undefined;
				// Requests through the gateway that see the same page as many others are answered with kept bytes.
				const shared = signals === undefined || signals === NO_SIGNALS ? "anonymous" : shapesPage(signals, ctx.params) ? undefined : "signed-in";
				if (shared && ctx.meta.ip !== undefined && this.pages.enabled) {
					ctx.meta.$responseType = "application/json; charset=utf-8";
					return this.pages.get(`${shared}:${pageKey(ctx.params)}`, () => songsByBpm(call, ctx.params, signals));
				}
				return songsByBpm(call, ctx.params, signals);
			}
		},

		/** GET /api/v1/recommendations/user/:id: the user's list, from cache while it is fresh. */
		forUser: {
			rest: "GET /recommendations/user/:id",
			summary: "A user's recommendations, cached until they expire",
			responses: { 200: ok("The recommendations and what they were built from", RECOMMENDATIONS.forUser) },
			auth: "required",
			params: forUserParams,
			async handler(this: RecommendationsThis, ctx: GatewayContext<{ id: string; limit: number }>): Promise<RecommendationView> {
				assertSelfOrAdmin(ctx, ctx.params.id);
				const cached = await this.lists().findOne({ _id: ctx.params.id });
				if (cached && cached.expiresAt > Date.now()) return recommendationView(cached, true, ctx.params.limit);
				return recommendationView(await this.rebuild(callerOf(ctx), ctx.params.id), false, ctx.params.limit);
			}
		},

		/** POST /api/v1/recommendations/user/:id/refresh: recomputes in the background; 202 with a task to poll. */
		refresh: {
			rest: "POST /recommendations/user/:id/refresh",
			summary: "Rebuild a user's recommendations in the background",
			responses: { 202: ok("Accepted: poll the task at GET /api/v1/tasks/{id}", ref("Task")) },
			auth: "required",
			params: refreshParams,
			async handler(this: RecommendationsThis, ctx: GatewayContext<{ id: string; limit?: number; seedGenres?: string[]; seedArtists?: string[] }>): Promise<TaskView> {
				const user = assertSelfOrAdmin(ctx, ctx.params.id);
				const { limit, seedGenres, seedArtists } = ctx.params;
				const seeds: RecommendationSeeds = { ...(limit ? { limit } : {}), ...(seedGenres ? { genres: seedGenres } : {}), ...(seedArtists ? { artists: seedArtists } : {}) };
				const task = await ctx.call<TaskView, object>("tasks.create", { kind: "recommendations.refresh", ownerId: ctx.params.id });
				const run = this.runRefresh(task.id, ctx.params.id, user, seeds).finally(() => this.pending.delete(run));
				this.pending.add(run);
				ctx.meta.$statusCode = 202;
				ctx.meta.$responseHeaders = { Location: `/api/v1/tasks/${task.id}` };
				return task;
			}
		},

		/** POST /api/v1/similar-tracks: nearest tracks to track ids or a feature vector. */
		similar: {
			rest: "POST /similar-tracks",
			summary: "Tracks that sound like the given ones (tempo, energy, mood)",
			responses: { 200: ok("The nearest tracks, nearest first", RECOMMENDATIONS.similar) },
			auth: "optional",
			params: similarParams,
			handler(this: RecommendationsThis, ctx: GatewayContext<SimilarParams>): Promise<SimilarResult> {
				return findSimilar(callerOf(ctx), ctx.params);
			}
		},

		/** Drops a user's cached list, for services whose data changes what the user should get. */
		invalidate: {
			visibility: "public",
			params: { userId: userIdParam },
			async handler(this: RecommendationsThis, ctx: Context<{ userId: string }>) {
				return { invalidated: await this.lists().delete({ _id: ctx.params.userId }) };
			}
		},

		/** Drops every cached list (the admin cache-clear endpoint calls this). */
		clearCache: {
			visibility: "public",
			async handler(this: RecommendationsThis) {
				return { cleared: await this.lists().delete({}, { multi: true }) };
			}
		},

		/** Removes everything kept about a user (the user's data deletion). */
		forgetUser: {
			visibility: "public",
			params: { userId: userIdParam },
			async handler(this: RecommendationsThis, ctx: Context<{ userId: string }>) {
				return { recommendations: await this.lists().delete({ userId: ctx.params.userId }, { multi: true }) };
			}
		}
	},

	/* A user's list goes stale when what it was built from changes: their preferences, or feedback. */
	events: {
		/** The catalog's tracks or features changed: kept anonymous pages may be wrong now. */
		"catalog.changed"(this: RecommendationsThis) {
			this.pages.clear();
			this.signals.dropLiking();
		},
		/** Broadcast by activity: the user's likes, dislikes or skips changed. */
		"activity.signalsChanged"(this: RecommendationsThis, ctx: Context<{ userId?: string }>) {
			if (typeof ctx.params.userId === "string") this.signals.drop(ctx.params.userId);
		},
		"users.updated": {
			async handler(this: RecommendationsThis, ctx: Context<{ id?: string }>) {
				if (ctx.params.id) await this.dropCached(ctx.params.id);
			}
		},
		"activity.recorded": {
			async handler(this: RecommendationsThis, ctx: Context<{ userId?: string; type?: string }>) {
				if (ctx.params.userId && FEEDBACK_TYPES.has(ctx.params.type ?? "")) await this.dropCached(ctx.params.userId);
			}
		}
	},

	methods: {
		async dropCached(this: RecommendationsThis, userId: string): Promise<void> {
			try {
				await this.lists().delete({ _id: userId });
			} catch (err) {
				// Not fatal: the list still expires with its TTL.
				this.logger.warn(`Could not drop cached recommendations of ${userId}: ${(err as Error).message}`);
			}
		},

		signalsOf(this: RecommendationsThis, call: Caller, userId: string): Promise<UserSignals> {
			return this.signals.get(userId, () => fetchSignals(call, userId));
		},

		lists(this: RecommendationsThis) {
			return this.collection<RecommendationDoc>("lists");
		},

		async rebuild(this: RecommendationsThis, call: Caller, userId: string, seeds?: RecommendationSeeds): Promise<RecommendationDoc> {
			const config = configFor(this.broker);
			const { items, basis } = await computeRecommendations(call, userId, config.RECOMMENDATIONS_DEFAULT_BPM, seeds);
			const now = Date.now();
			return this.lists().upsert({ _id: userId }, { $set: { userId, items, basis, generatedAt: now, expiresAt: now + config.RECOMMENDATIONS_CACHE_TTL_SEC * 1000 } });
		},

		async runRefresh(this: RecommendationsThis, taskId: string, userId: string, user: AuthUser | undefined, seeds: RecommendationSeeds): Promise<void> {
			// The request has been answered: calls go through the broker, carrying the caller for permission checks.
			const call: Caller = <T>(action: string, params: object) => this.broker.call<T, object>(action, params, { meta: { user } });
			try {
				await call("tasks.start", { id: taskId });
				const doc = await this.rebuild(call, userId, seeds);
				await call("tasks.finish", { id: taskId, result: { userId, count: doc.items.length, generatedAt: new Date(doc.generatedAt).toISOString() } });
			} catch (err) {
				const e = err as { message?: string; type?: string };
				this.logger.warn(`Refreshing recommendations of ${userId} failed: ${e.message}`);
				await call("tasks.fail", { id: taskId, message: e.message || "Refresh failed", ...(e.type ? { type: e.type } : {}) }).catch((failErr: Error) =>
					this.logger.error(`Could not mark task ${taskId} failed: ${failErr.message}`)
				);
			}
		}
	},

	created(this: RecommendationsThis) {
		this.pending = new Set();
		const ttlMs = configFor(this.broker).CACHE_TTL_SEC * 1000;
		this.pages = new EncodedPageCache(ttlMs);
		this.signals = new SignalCache(ttlMs);
	},

	async stopped(this: RecommendationsThis) {
		await Promise.allSettled([...this.pending]);
	}
};

export default RecommendationsService;
