import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import type { Collection, Filter } from "../mixins/store/types";
import type { TrackDoc } from "./catalog/model";
import { Counters } from "./activity/counters";
import { ActivityMetrics } from "./activity/metrics";
import {
	ACTIVITY_TYPES,
	eventView,
	type ActivityEvent,
	type ActivityInput,
	type ActivityType,
	type EventDoc,
	type ReactionDoc,
	type TrackStats,
	type UserSignals
} from "./activity/model";
import {
	ACTIVITY_MAX_AGE_MS,
	analyticsActivityParams,
	checkAt,
	contextOf,
	feedbackParams,
	idParam,
	limitParam,
	playParams,
	recordParams,
	type ContextFields
} from "./activity/params";
import { Reactions } from "./activity/reactions";
import { CATALOG_BATCH, Reports, type CatalogLookup } from "./activity/reports";
import { DAY_MS, parseWindow, windowParam } from "./activity/window";
import { assertSelfOrAdmin, notFound, requireUser, type GatewayContext } from "./shared/access";
import { bool, int, obj, ok, ref, str } from "./api/doc/schemas";
import { ACTIVITY } from "./activity/responses";

interface ActivityMethods {
	events(): Collection<EventDoc>;
	apply(input: ActivityInput): Promise<ActivityEvent>;
	log(input: ActivityInput, at: number, likeDelta: number): Promise<ActivityEvent>;
	assertTrack(ctx: Context, trackId: string): Promise<void>;
	catalog(ctx: Context): CatalogLookup;
}
interface ActivityVars {
	reactions: Reactions;
	counters: Counters;
	reports: Reports;
	metrics: ActivityMetrics;
}
type ActivityThis = Service & StoreMethods & ActivityMethods & ActivityVars;

/** Event types that change what userSignals answers for their user. */
const SIGNAL_TYPES = new Set(["like", "unlike", "dislike", "skip"]);

/** userSignals reads at most this many likes, dislikes and skips. */
const SIGNALS_CAP = 5000;

/**
 * Listening activity: plays, likes, skips, shares and running feedback. Keeps the event log, each
 * user's like/dislike state, and hourly counters for trending and analytics. Other services read
 * it through events, userSignals, trackStats and activeUsers; emits `activity.recorded`, and
 * broadcasts `activity.signalsChanged` ({userId}) to every node that keeps a user's signals.
 */
const ActivityService: ServiceSchema<ServiceSettingSchema, ActivityMethods & StoreMethods, ActivityVars> = {
	name: "activity",
	mixins: [StoreMixin],
	settings: { rest: "/" },

	collections: {
		events: {
			indexes: [
				{ fields: { userId: 1, at: 1 } },
				{ fields: { userId: 1, type: 1, at: 1 } },
				{ fields: { trackId: 1, at: 1 } },
				{ fields: { type: 1, at: 1 } },
				{ fields: { at: 1 } }
			]
		},
		reactions: {
			indexes: [{ fields: { userId: 1, trackId: 1 }, unique: true }, { fields: { trackId: 1, reaction: 1 } }, { fields: { userId: 1, reaction: 1, at: -1 } }]
		},
		trackHours: { indexes: [{ fields: { trackId: 1, hour: 1 }, unique: true }, { fields: { hour: 1 } }] },
		hours: { indexes: [{ fields: { hour: 1 } }] },
		trackTotals: {},
		users: { indexes: [{ fields: { lastAt: 1 } }] }
	},

	actions: {
		/** POST /api/v1/tracks/:id/play: the signed-in user played a track (for `msPlayed` ms). */
		play: {
			rest: "POST /tracks/:id/play",
			summary: "Record that the caller played a track",
			responses: { 201: ok("The event as recorded", ref("ActivityEvent")) },
			auth: "required",
			params: playParams,
			async handler(this: ActivityThis, ctx: GatewayContext<{ id: string; msPlayed?: number } & ContextFields>): Promise<ActivityEvent> {
				const user = requireUser(ctx);
				await this.assertTrack(ctx, ctx.params.id);
				ctx.meta.$statusCode = 201;
				return this.apply({ userId: user.id, type: "play", trackId: ctx.params.id, msPlayed: ctx.params.msPlayed, context: contextOf(ctx.params) });
			}
		},

		/** POST /api/v1/tracks/:id/like: likes the track, or takes the like back when it was liked. */
		like: {
			rest: "POST /tracks/:id/like",
			summary: "Like a track (again: no change)",
			responses: { 200: ok("The like and the track's like count", obj({ trackId: str, liked: bool, likes: int }), { trackId: "trk_4Zb1", liked: true, likes: 12 }) },
			auth: "required",
			params: { $$strict: true, id: idParam },
			async handler(this: ActivityThis, ctx: GatewayContext<{ id: string }>) {
				const user = requireUser(ctx);
				const trackId = ctx.params.id;
				await this.assertTrack(ctx, trackId);
				const at = Date.now();
				const { liked, likeDelta } = await this.reactions.toggle(user.id, trackId, at);
				await this.log({ userId: user.id, trackId, type: liked ? "like" : "unlike" }, at, likeDelta);
				return { trackId, liked, likes: await this.reactions.likes(trackId) };
			}
		},

		/** POST /api/v1/song/:songId/feedback: like, dislike, skip or complete, with the BPM asked for and the position. */
		feedback: {
			rest: "POST /song/:songId/feedback",
			summary: "Feedback on a song: a play, skip, like, dislike, share or completion",
			responses: { 201: ok("The event as recorded", ref("ActivityEvent")) },
			auth: "required",
			params: feedbackParams,
			async handler(this: ActivityThis, ctx: GatewayContext<{ songId: string; type: ActivityType; msPlayed?: number } & ContextFields>): Promise<ActivityEvent> {
				const user = requireUser(ctx);
				await this.assertTrack(ctx, ctx.params.songId);
				ctx.meta.$statusCode = 201;
				const { songId, type, msPlayed } = ctx.params;
				return this.apply({ userId: user.id, type, trackId: songId, msPlayed, context: contextOf(ctx.params) });
			}
		},

		/** POST /api/v1/analytics/activity: play, like (not a toggle), skip or share; `at` may be up to 7 days old. */
		analyticsActivity: {
			rest: "POST /analytics/activity",
			summary: "Record one listening event of the caller",
			responses: { 201: ok("The event as recorded", ref("ActivityEvent")) },
			auth: "required",
			params: analyticsActivityParams,
			async handler(this: ActivityThis, ctx: GatewayContext<{ type: ActivityType; trackId: string; at?: number; msPlayed?: number } & ContextFields>) {
				const user = requireUser(ctx);
				checkAt(ctx.params.at, Date.now(), ACTIVITY_MAX_AGE_MS);
				await this.assertTrack(ctx, ctx.params.trackId);
				ctx.meta.$statusCode = 201;
				const { type, trackId, at, msPlayed } = ctx.params;
				return this.apply({ userId: user.id, type, trackId, at, msPlayed, context: contextOf(ctx.params) });
			}
		},

		/** GET /api/v1/tracks/trending?window=24h: the tracks with the most weighted plays, likes and shares. */
		trending: {
			rest: "GET /tracks/trending",
			summary: "The most played and liked tracks of a time window",
			responses: { 200: ok("The window and its top tracks", ACTIVITY.trending, ACTIVITY.trendingExample) },
			auth: "public",
			params: { window: windowParam("24h"), limit: limitParam(20, 100) },
			handler(this: ActivityThis, ctx: Context<{ window: string; limit: number }>) {
				return this.reports.trending(parseWindow(ctx.params.window, Date.now(), 90 * DAY_MS), ctx.params.limit, this.catalog(ctx));
			}
		},

		/** GET /api/v1/analytics/summary?window=24h: platform-wide figures, for admins. */
		summary: {
			rest: "GET /analytics/summary",
			summary: "Platform figures for a time window: plays, likes, skips, active users",
			responses: { 200: ok("The window's figures", ACTIVITY.summary) },
			auth: "admin",
			params: { window: windowParam("24h") },
			handler(this: ActivityThis, ctx: Context<{ window: string }>) {
				return this.reports.summary(parseWindow(ctx.params.window, Date.now()));
			}
		},

		/** GET /api/v1/analytics/trends?window=7d: top tracks, artists and genres of the window. */
		trends: {
			rest: "GET /analytics/trends",
			summary: "What rises in a window: top tracks, artists and genres",
			responses: { 200: ok("The window's top tracks, artists and genres", ACTIVITY.trends) },
			auth: "public",
			params: { window: windowParam("7d"), limit: limitParam(10, 50) },
			handler(this: ActivityThis, ctx: Context<{ window: string; limit: number }>) {
				return this.reports.trends(parseWindow(ctx.params.window, Date.now()), ctx.params.limit, this.catalog(ctx));
			}
		},

		/** GET /api/v1/analytics/user/:id?window=30d: one user's engagement; the user themself or an admin. */
		userAnalytics: {
			rest: "GET /analytics/user/:id",
			summary: "One user's listening figures for a window (the user or an admin)",
			responses: { 200: ok("The user's figures and top tracks and artists", ACTIVITY.user) },
			auth: "required",
			params: { id: idParam, window: windowParam("30d") },
			handler(this: ActivityThis, ctx: GatewayContext<{ id: string; window: string }>) {
				assertSelfOrAdmin(ctx, ctx.params.id);
				return this.reports.user(ctx.params.id, parseWindow(ctx.params.window, Date.now()), this.catalog(ctx));
			}
		},

		/** Figures for GET /admin/stats: the stored events and the last 24 hours' summary. */
		stats: {
			visibility: "public",
			async handler(this: ActivityThis) {
				return { events: await this.events().count({}), last24h: await this.reports.summary(parseWindow("24h", Date.now())) };
			}
		},

		/** Records one event for another service (imports, the users' own apps through other routes). Does not check the catalog. */
		record: {
			visibility: "public",
			params: recordParams,
			handler(this: ActivityThis, ctx: Context<ActivityInput>): Promise<ActivityEvent> {
				checkAt(ctx.params.at, Date.now(), Infinity);
				return this.apply(ctx.params);
			}
		},

		/** A user's events in time order: the first `limit` from `since` (inclusive) to `until` (exclusive). */
		events: {
			visibility: "public",
			params: {
				userId: idParam,
				since: { type: "number", integer: true, min: 0, optional: true },
				until: { type: "number", integer: true, min: 0, optional: true },
				types: { type: "array", items: { type: "enum", values: [...ACTIVITY_TYPES] }, max: ACTIVITY_TYPES.length, optional: true },
				limit: { type: "number", integer: true, min: 1, max: 10_000, default: 1000 }
			},
			async handler(this: ActivityThis, ctx: Context<{ userId: string; since?: number; until?: number; types?: ActivityType[]; limit: number }>): Promise<ActivityEvent[]> {
				const { userId, since, until, types, limit } = ctx.params;
				const filter: Filter = { userId };
				if (since !== undefined || until !== undefined) filter.at = { ...(since !== undefined ? { $gte: since } : {}), ...(until !== undefined ? { $lt: until } : {}) };
				if (types?.length) filter.type = { $in: types };
				const docs = await this.events().find(filter, { sort: { at: 1, _id: 1 }, limit });
				return docs.map(eventView);
			}
		},

		/** What ranking needs about a user: liked and disliked tracks, skip counts, liked artists. */
		userSignals: {
			visibility: "public",
			params: { userId: idParam },
			async handler(this: ActivityThis, ctx: Context<{ userId: string }>): Promise<UserSignals> {
				const { userId } = ctx.params;
				const liked = await this.reactions.tracksOf(userId, "like", SIGNALS_CAP);
				const disliked = await this.reactions.tracksOf(userId, "dislike", SIGNALS_CAP);
				const skips = await this.events().find({ userId, type: "skip" }, { sort: { at: -1 }, limit: SIGNALS_CAP, projection: { trackId: 1 } });
				const skipped: Record<string, number> = {};
				for (const s of skips) skipped[s.trackId] = (skipped[s.trackId] ?? 0) + 1;
				let likedArtists: string[] = [];
				try {
					likedArtists = await this.reports.artistsOf(liked, this.catalog(ctx));
				} catch (err) {
					// Ranking still works without the artist boost; dropping dislikes matters more.
					this.logger.warn(`userSignals: no liked artists, catalog unavailable: ${err instanceof Error ? err.message : String(err)}`);
				}
				return { liked, disliked, skipped, likedArtists };
			}
		},

		/** Users with an event at or after `since`, most recently active first. */
		activeUsers: {
			visibility: "public",
			params: { since: { type: "number", integer: true, min: 0 } },
			handler(this: ActivityThis, ctx: Context<{ since: number }>): Promise<string[]> {
				return this.counters.activeSince(ctx.params.since);
			}
		},

		/** Lifetime plays, current likes and skips of each track asked for (zeros for tracks never played). */
		trackStats: {
			visibility: "public",
			params: { ids: { type: "array", items: { type: "string", min: 1, max: 100 }, max: CATALOG_BATCH } },
			async handler(this: ActivityThis, ctx: Context<{ ids: string[] }>): Promise<Record<string, TrackStats>> {
				const totals = await this.counters.totals([...new Set(ctx.params.ids)]);
				const out: Record<string, TrackStats> = {};
				for (const [id, t] of totals) out[id] = { plays: t.plays, likes: Math.max(0, t.likes), skips: t.skips };
				return out;
			}
		},

		/** Deletes everything the service holds about a user (the users service's data deletion). */
		forgetUser: {
			visibility: "public",
			params: { userId: idParam },
			async handler(this: ActivityThis, ctx: Context<{ userId: string }>) {
				const { userId } = ctx.params;
				const events = await this.events().delete({ userId }, { multi: true });
				const { unliked, dislikes } = await this.reactions.forget(userId);
				// Hourly counters hold no user ids and stay; lifetime like counts drop the user's likes.
				await this.counters.removeLikes(unliked);
				await this.counters.forgetUser(userId);
				await this.broker.broadcast("activity.signalsChanged", { userId });
				return { events, likes: unliked.length, dislikes };
			}
		}
	},

	methods: {
		events(this: ActivityThis) {
			return this.collection<EventDoc>("events");
		},

		/** Applies an event's effect on like state, then logs it. */
		async apply(this: ActivityThis, input: ActivityInput): Promise<ActivityEvent> {
			const at = input.at ?? Date.now();
			let likeDelta = 0;
			if (input.type === "like" || input.type === "dislike") likeDelta = await this.reactions.set(input.userId, input.trackId, input.type, at);
			else if (input.type === "unlike") likeDelta = await this.reactions.unlike(input.userId, input.trackId);
			return this.log(input, at, likeDelta);
		},

		/** Stores the event, counts it, and tells the cluster. */
		async log(this: ActivityThis, input: ActivityInput, at: number, likeDelta: number): Promise<ActivityEvent> {
			const doc = await this.events().insert({
				userId: input.userId,
				trackId: input.trackId,
				type: input.type,
				at,
				...(input.msPlayed !== undefined ? { msPlayed: input.msPlayed } : {}),
				...(input.context && Object.keys(input.context).length ? { context: input.context } : {}),
				...(likeDelta ? { likeDelta: likeDelta > 0 ? 1 : -1 } : {})
			});
			await this.counters.add(doc);
			this.metrics.recorded(doc.type);
			const event = eventView(doc);
			await this.broker.emit("activity.recorded", event);
			if (SIGNAL_TYPES.has(doc.type)) await this.broker.broadcast("activity.signalsChanged", { userId: doc.userId });
			return event;
		},

		/** A 404 for a track the catalog does not know, so typos never reach the counters. */
		async assertTrack(this: ActivityThis, ctx: Context, trackId: string): Promise<void> {
			if ((await this.catalog(ctx)([trackId])).length === 0) throw notFound("Track", trackId);
		},

		/** catalog.getMany through this request's context; a 503, not the registry's 404, when no catalog runs. */
		catalog(this: ActivityThis, ctx: Context): CatalogLookup {
			return async ids => {
				try {
					return await ctx.call<TrackDoc[], { ids: string[] }>("catalog.getMany", { ids });
				} catch (err) {
					if (!(err instanceof Errors.ServiceNotFoundError || err instanceof Errors.ServiceNotAvailableError)) throw err;
					throw new Errors.MoleculerError("The catalog is not available; try again shortly", 503, "CATALOG_UNAVAILABLE");
				}
			};
		}
	},

	started(this: ActivityThis) {
		this.reactions = new Reactions(this.collection<ReactionDoc>("reactions"));
		this.counters = new Counters({
			events: this.events(),
			trackHours: this.collection("trackHours"),
			hours: this.collection("hours"),
			trackTotals: this.collection("trackTotals"),
			users: this.collection("users")
		});
		this.reports = new Reports({ counters: this.counters, reactions: this.reactions, events: this.events() });
		this.metrics = new ActivityMetrics(this.broker);
	}
};

export default ActivityService;
