import type { Context, Service, ServiceSchema } from "moleculer";
import { Errors } from "moleculer";
import { configFor } from "../config";
import type { InsightType, ToneMode } from "../config/insights";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import type { RateLimitMethods } from "../mixins/rate-limit/types";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import type { Filter } from "../mixins/store/types";
import { WorkerMixin, type JobResult, type WorkerSettings } from "../mixins/worker.mixin";
import type { LeasedJob } from "./scheduler/jobs";
import { assertSelfOrAdmin, notFound, requireUser, type GatewayContext } from "./shared/access";
import { serviceAvailable } from "./shared/registry";
import type { TaskView } from "./tasks/model";
import { tokensUsed } from "./insights/budget";
import { LlmClient } from "./insights/llm";
import { InsightMetrics } from "./insights/metrics";
import { insightView, snapshotView, type CursorDoc, type InsightDoc, type InsightView, type SnapshotDoc, type SnapshotView, type UsageDoc } from "./insights/model";
import { generateParams, ingestParams, insightParams, snapshotsParams, userInsightsParams } from "./insights/params";
import type { Period } from "./insights/periods";
import { runJob, type Runtime } from "./insights/runner";
import { JOB, JOB_TYPES, scheduledJobs } from "./insights/schedules";
import { SpotifySource, type SpotifyPlayDoc } from "./insights/spotify-source";
import { list, obj, ok } from "./api/doc/schemas";
import { INSIGHTS } from "./insights/responses";

interface InsightsMethods {
	runtime(): Runtime;
	enqueueSchedules(): Promise<void>;
	accepted(ctx: GatewayContext, kind: string, ownerId: string, job: AcceptedJob): Promise<Accepted>;
	processBatch(jobs: LeasedJob[]): Promise<JobResult[]>;
}
interface InsightsVars {
	rt?: Runtime;
	scheduleTimer?: NodeJS.Timeout;
}
type InsightsThis = Service<WorkerSettings> & StoreMethods & RateLimitMethods & InsightsMethods & InsightsVars;

/** The answer to a request for asynchronous work: poll the task. */
interface Accepted {
	taskId: string;
	status: TaskView["status"];
	statusUrl: string;
}

interface AcceptedJob {
	type: string;
	tier: "high" | "medium";
	payload: Record<string, unknown>;
}

function buildRuntime(service: InsightsThis): Runtime {
	const config = configFor(service.broker);
	const useLlm = config.INSIGHTS_GENERATOR === "llm" || (config.INSIGHTS_GENERATOR === "auto" && config.OPENAI_API_KEY !== undefined);
	const llm = useLlm
		? new LlmClient({
				// A local server (Ollama, vLLM) takes any key; the SDK insists on one.
				apiKey: config.OPENAI_API_KEY ?? "no-key",
				baseURL: config.OPENAI_BASE_URL,
				model: config.OPENAI_MODEL,
				timeoutMs: config.OPENAI_TIMEOUT_MS,
				maxRetries: config.OPENAI_MAX_RETRIES,
				limiter: service.limiter("llm")
			})
		: undefined;
	const snapshots = service.collection<SnapshotDoc>("snapshots");
	const cursors = service.collection<CursorDoc>("cursors");
	const spotify = config.INSIGHTS_SPOTIFY_SOURCE
		? new SpotifySource({
				broker: service.broker,
				logger: service.logger,
				apiUrl: config.SPOTIFY_API_URL,
				timeoutMs: config.UPSTREAM_TIMEOUT_MS,
				limiter: service.limiter("spotify"),
				plays: service.collection<SpotifyPlayDoc>("spotifyPlays"),
				cursors,
				snapshots
			})
		: undefined;
	return {
		broker: service.broker,
		logger: service.logger,
		config,
		metrics: new InsightMetrics(service.broker),
		llm,
		spotify,
		snapshots,
		insights: service.collection<InsightDoc>("insights"),
		cursors,
		usage: service.collection<UsageDoc>("usage"),
		counters: service.collection<{ _id: string; n: number }>("counters")
	};
}

/** How often a node re-enqueues the period-keyed schedule jobs (idempotent, so cheap). */
const SCHEDULE_CHECK_MS = 60_000;

/**
 * Listening snapshots per user and period, and insights written from them by an LLM or by the
 * built-in templates. Work runs as scheduler jobs on whichever insights node leases them; clients
 * poll a task. See docs/insights.md.
 */
const InsightsService: ServiceSchema<WorkerSettings, InsightsMethods & StoreMethods & RateLimitMethods, InsightsVars> = {
	name: "insights",
	mixins: [StoreMixin, RateLimitMixin, WorkerMixin],
	settings: { rest: "/", worker: { jobTypes: [...JOB_TYPES], batchSize: 1, concurrency: 4 } },

	collections: {
		snapshots: { indexes: [{ fields: { userId: 1, period: 1, start: -1 } }, { fields: { end: 1 } }] },
		insights: { indexes: [{ fields: { userId: 1, createdAt: -1 } }, { fields: { snapshotId: 1, insightType: 1 } }, { fields: { taskId: 1 }, unique: true, sparse: true }] },
		cursors: {},
		usage: { indexes: [{ fields: { userId: 1 } }, { fields: { updatedAt: 1 } }] },
		counters: {},
		spotifyPlays: { indexes: [{ fields: { userId: 1, at: 1 } }] }
	},

	actions: {
		/** POST /api/v1/listening/ingest: brings a user's snapshots up to date, as a task. */
		ingest: {
			rest: "POST /listening/ingest",
			summary: "Fetch the caller's Spotify listening and compute their snapshots, in the background",
			responses: { 202: ok("Accepted: poll statusUrl", INSIGHTS.accepted, INSIGHTS.acceptedExample) },
			auth: "required",
			params: ingestParams,
			async handler(this: InsightsThis, ctx: GatewayContext<{ user_id?: string; from?: Date }>): Promise<Accepted> {
				const userId = ctx.params.user_id ?? requireUser(ctx).id;
				assertSelfOrAdmin(ctx, userId);
				const from = ctx.params.from?.getTime();
				return this.accepted(ctx, "listening.ingest", userId, { type: JOB.ingest, tier: "medium", payload: { userId, ...(from !== undefined ? { from } : {}) } });
			}
		},

		/** GET /api/v1/listening/snapshots?user_id=&period=: a user's snapshots, newest period first. */
		snapshots: {
			rest: "GET /listening/snapshots",
			summary: "The caller's listening snapshots, newest first",
			responses: { 200: ok("The snapshots", obj({ snapshots: list(INSIGHTS.snapshot) }), { snapshots: [] }) },
			auth: "required",
			params: snapshotsParams,
			async handler(this: InsightsThis, ctx: GatewayContext<{ user_id?: string; period?: Period; limit: number }>): Promise<{ snapshots: SnapshotView[] }> {
				const userId = ctx.params.user_id ?? requireUser(ctx).id;
				assertSelfOrAdmin(ctx, userId);
				const filter: Filter = { userId, ...(ctx.params.period ? { period: ctx.params.period } : {}) };
				const docs = await this.runtime().snapshots.find(filter, { sort: { start: -1 }, limit: ctx.params.limit });
				return { snapshots: docs.map(snapshotView) };
			}
		},

		/** POST /api/v1/insights/generate: writes an insight for a snapshot, as a task (202). */
		generate: {
			rest: "POST /insights/generate",
			summary: "Write an insight about a snapshot, in the background",
			responses: { 202: ok("Accepted: poll statusUrl", INSIGHTS.accepted, INSIGHTS.acceptedExample) },
			auth: "required",
			params: generateParams,
			async handler(this: InsightsThis, ctx: GatewayContext<{ snapshot_id: string; insight_type: InsightType; tone_mode: ToneMode }>): Promise<Accepted> {
				requireUser(ctx);
				const rt = this.runtime();
				const snapshot = await rt.snapshots.findOne({ _id: ctx.params.snapshot_id });
				if (!snapshot) throw notFound("Snapshot", ctx.params.snapshot_id);
				assertSelfOrAdmin(ctx, snapshot.userId);
				// Refused at once when today's budget is gone; the worker checks again before each call.
				const used = rt.llm ? await tokensUsed(rt.usage, snapshot.userId, Date.now()) : 0;
				if (used >= rt.config.INSIGHTS_DAILY_TOKEN_BUDGET) {
					throw new Errors.MoleculerClientError(`Daily LLM token budget of ${rt.config.INSIGHTS_DAILY_TOKEN_BUDGET} tokens used up; try again tomorrow (UTC)`, 429, "BUDGET_EXCEEDED");
				}
				const payload = { snapshotId: snapshot._id, insightType: ctx.params.insight_type, toneMode: ctx.params.tone_mode };
				return this.accepted(ctx, "insight.generate", snapshot.userId, { type: JOB.generate, tier: "high", payload });
			}
		},

		/** GET /api/v1/insights/:id: one insight version. */
		get: {
			rest: "GET /insights/:id",
			summary: "One insight (its user or an admin)",
			responses: { 200: ok("The insight", INSIGHTS.insight) },
			auth: "required",
			params: insightParams,
			async handler(this: InsightsThis, ctx: GatewayContext<{ id: string }>): Promise<InsightView> {
				const doc = await this.runtime().insights.findOne({ _id: ctx.params.id });
				if (!doc) throw notFound("Insight", ctx.params.id);
				assertSelfOrAdmin(ctx, doc.userId);
				return insightView(doc);
			}
		},

		/** GET /api/v1/insights/user/:id: a user's insights, newest first. */
		listForUser: {
			rest: "GET /insights/user/:id",
			summary: "A user's insights, newest first",
			responses: { 200: ok("The insights", obj({ insights: list(INSIGHTS.insight) }), { insights: [] }) },
			auth: "required",
			params: userInsightsParams,
			async handler(this: InsightsThis, ctx: GatewayContext<{ id: string; insight_type?: InsightType; snapshot_id?: string; limit: number }>): Promise<{ insights: InsightView[] }> {
				assertSelfOrAdmin(ctx, ctx.params.id);
				const filter: Filter = {
					userId: ctx.params.id,
					...(ctx.params.insight_type ? { insightType: ctx.params.insight_type } : {}),
					...(ctx.params.snapshot_id ? { snapshotId: ctx.params.snapshot_id } : {})
				};
				const docs = await this.runtime().insights.find(filter, { sort: { createdAt: -1 }, limit: ctx.params.limit });
				return { insights: docs.map(insightView) };
			}
		},

		/** Figures for GET /admin/stats: what is stored, and which generator writes insights. */
		stats: {
			visibility: "public",
			async handler(this: InsightsThis) {
				const rt = this.runtime();
				return {
					snapshots: await rt.snapshots.count({}),
					insights: await rt.insights.count({}),
					generator: rt.llm ? "llm" : "builtin",
					...(rt.llm ? { model: rt.llm.model } : {})
				};
			}
		},

		/** Which generator writes insights on this node, for operators and docs. */
		mode: {
			visibility: "public",
			handler(this: InsightsThis) {
				const rt = this.runtime();
				return rt.llm
					? { generator: "llm", model: rt.llm.model, baseUrl: rt.config.OPENAI_BASE_URL, promptVersion: rt.config.INSIGHTS_PROMPT_VERSION }
					: { generator: "builtin", model: "builtin" };
			}
		},

		/** Removes everything held about a user (DELETE /api/v1/users/:id/data, through the users service). */
		forgetUser: {
			visibility: "public",
			params: { userId: { type: "string", min: 1, max: 200 } },
			async handler(this: InsightsThis, ctx: Context<{ userId: string }>) {
				const rt = this.runtime();
				const userId = ctx.params.userId;
				const multi = { multi: true };
				const snapshots = await rt.snapshots.delete({ userId }, multi);
				const insights = await rt.insights.delete({ userId }, multi);
				const usage = await rt.usage.delete({ userId }, multi);
				const spotifyPlays = rt.spotify ? await rt.spotify.forget(userId) : await this.collection<SpotifyPlayDoc>("spotifyPlays").delete({ userId }, multi);
				await rt.cursors.delete({ _id: userId });
				const ids = (await rt.counters.find({})).filter(c => c._id.startsWith(`${userId}:`)).map(c => c._id);
				if (ids.length) await rt.counters.delete({ _id: { $in: ids } }, multi);
				return { snapshots, insights, usage, spotifyPlays };
			}
		}
	},

	methods: {
		/** Built on first use, once the store is open (the worker mixin may lease before `started` ends). */
		runtime(this: InsightsThis): Runtime {
			this.rt ??= buildRuntime(this);
			return this.rt;
		},

		/** Creates the client's task and the job that does the work; 202 with the task to poll. */
		async accepted(this: InsightsThis, ctx: GatewayContext, kind: string, ownerId: string, job: AcceptedJob): Promise<Accepted> {
			for (const name of ["scheduler", "tasks"]) {
				if (!serviceAvailable(this.broker, name)) throw new Errors.MoleculerError(`The ${name} service is not running; try again later`, 503, "SERVICE_UNAVAILABLE");
			}
			const task = await ctx.call<TaskView, object>("tasks.create", { kind, ownerId });
			await ctx.call("scheduler.enqueue", { jobs: [{ type: job.type, entity: task.id, tier: job.tier, payload: { ...job.payload, taskId: task.id } }] });
			ctx.meta.$statusCode = 202;
			return { taskId: task.id, status: task.status, statusUrl: `/api/v1/tasks/${task.id}` };
		},

		async processBatch(this: InsightsThis, jobs: LeasedJob[]): Promise<JobResult[]> {
			const rt = this.runtime();
			return Promise.all(jobs.map(job => runJob(rt, job).catch((err: Error) => err)));
		},

		async enqueueSchedules(this: InsightsThis): Promise<void> {
			if (!serviceAvailable(this.broker, "scheduler")) return;
			const jobs = scheduledJobs(Date.now(), this.runtime().config.INSIGHTS_DAILY_HOUR);
			await this.broker.call("scheduler.enqueue", { jobs }).catch((err: Error) => this.logger.debug(`insights schedules not enqueued: ${err.message}`));
		}
	},

	started(this: InsightsThis) {
		const rt = this.runtime();
		const c = rt.config;
		this.logger.info(
			rt.llm
				? `Insights are written by the LLM ${c.OPENAI_MODEL} at ${c.OPENAI_BASE_URL} (prompt ${c.INSIGHTS_PROMPT_VERSION})`
				: 'Insights are written by the built-in generator (model "builtin"): no OPENAI_API_KEY, or INSIGHTS_GENERATOR=builtin'
		);
		if (c.INSIGHTS_SCHEDULES) {
			void this.enqueueSchedules();
			this.scheduleTimer = setInterval(() => void this.enqueueSchedules(), SCHEDULE_CHECK_MS);
			this.scheduleTimer.unref();
		}
	},

	stopped(this: InsightsThis) {
		clearInterval(this.scheduleTimer);
	}
};

export default InsightsService;
