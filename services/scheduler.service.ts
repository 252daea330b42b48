import { randomUUID } from "node:crypto";
import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { configFor, type Config } from "../config";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import type { Collection, Filter } from "../mixins/store/types";
import { backoffMs, depthOf, jobKey, laneOf, tierOrder, TIERS, toLeased, type FailureKind, type JobDoc, type LeasedJob, type Tier } from "./scheduler/jobs";
import { completion, failure, jobRef, jobType, newJob } from "./scheduler/params";
import { runTier, type TierName } from "./scheduler/tiers";
import { CrawlStats, type CrawlStatus } from "./scheduler/stats";
import { concurrencyDocId, MAX_WORKER_CONCURRENCY, resolveConcurrency, withConcurrency, type ConcurrencyDoc } from "./scheduler/concurrency";
import { int, list, obj, ok } from "./api/doc/schemas";
import { CRAWL_STATUS, CRAWL_STATUS_EXAMPLE, DEAD_JOB, DEAD_JOB_EXAMPLE, ENQUEUED, PAUSED } from "./scheduler/responses";

/** The tier a job lands in when the caller names none. */
function defaultTier(type: string): Tier {
	if (type === "track.features") return "high";
	return "low";
}

export interface NewJob {
	type: string;
	entity: string;
	payload?: Record<string, unknown>;
	tier?: Tier;
	runAt?: number;
	/** Re-queue the job even when it is done (refreshes of stale data). */
	refresh?: boolean;
}

/** What enqueueing did with a job: made it, lowered an existing job's depth (a shorter path), or nothing. */
type EnqueueOutcome = "created" | "lowered" | "existing";

/** A finished job, as a worker reports it. */
interface Completion {
	id: string;
	token: string;
	outcome?: string;
	type?: string;
}

/** What completing did: `ok: false` when the lease was lost; `rerun` when a shorter path queued the job again. */
interface CompleteResult {
	ok: boolean;
	rerun?: true;
}

interface LeaseParams {
	types: string[];
	max: number;
	leaseMs?: number;
	fillMs?: number;
	fillWhile?: string[];
}

interface SchedulerMethods {
	jobs(): Collection<JobDoc>;
	leaseJobs(params: LeaseParams, nodeID: string): Promise<LeasedJob[]>;
	completeAll(jobs: Completion[]): Promise<CompleteResult[]>;
	completeOne(job: Completion, now: number): Promise<{ result: CompleteResult; removed: number }>;
	enqueueOne(job: NewJob, now: number): Promise<EnqueueOutcome>;
	lowerDepth(key: string, depth: number, now: number): Promise<boolean>;
	partialAllowed(oldestRunAt: number, now: number, fill: { fillMs: number; fillWhile: string[] }): Promise<boolean>;
	reapExpiredLeases(): Promise<number>;
	requeue(filter: Filter, set: Record<string, unknown>, unset?: Record<string, true>, inc?: Record<string, number>): Promise<number>;
	pausedTypes(): Promise<string[]>;
	setPaused(types: string[] | "all", paused: boolean): Promise<string[]>;
	collectStatus(): Promise<CrawlStatus>;
}

interface SchedulerVars {
	config: Config;
	/** The last lease queued per set of job types (they run one at a time); settled ones are removed. */
	leasing: Map<string, Promise<void>>;
	turn: number;
	timers: NodeJS.Timeout[];
	stats: CrawlStats;
}

type SchedulerThis = Service & StoreMethods & SchedulerMethods & SchedulerVars;

const ALL = "*";
const EPHEMERAL_TYPES = ["track.features"];
/** The crawl's own job types, whose waiting jobs the ETA counts even before one of them finished. */
const CRAWL_TYPES = ["artist.discover", "album.tracks", "track.features"];
const ERROR_HISTORY = 5;
/**
 * The longest a partial batch waits for the jobs that could fill it (lease's `fillWhile`): a crawl
 * held to the rate limit keeps producers busy for minutes, and a stuck one comes back with its lease.
 */
const FILL_MAX_MS = 5 * 60_000;

/**
 * The durable job frontier. Workers lease jobs through actions; leases expire, so a dead worker
 * loses nothing. Jobs are keyed by type plus entity, retried with backoff and jitter, and moved
 * to dead-letter after JOB_MAX_ATTEMPTS.
 */
const SchedulerService: ServiceSchema<ServiceSettingSchema, SchedulerMethods & StoreMethods, SchedulerVars> = {
	name: "scheduler",
	mixins: [StoreMixin],
	settings: { rest: "/" },

	collections: {
		jobs: {
			indexes: [
				{ fields: { key: 1 }, unique: true },
				// The status counts by tier and state, and by type and state (so do discovery's cap
				// and a batch's fill check): from the index alone, not by reading each job.
				{ fields: { state: 1, tier: 1 } },
				{ fields: { type: 1, state: 1 } },
				{ fields: { lane: 1 } },
				{ fields: { runAt: 1 } }
			]
		},
		controls: {}
	},

	actions: {
		/**
		 * Adds jobs; a key that exists already is left as it is (unless `refresh` and it is done),
		 * except that a job arriving with a smaller `payload.depth` lowers the existing one's: depth is
		 * the shortest path found so far, and a finished job runs again at the new depth so that it
		 * enqueues what the deeper one had cut off (lowered jobs count as `existing`).
		 */
		enqueue: {
			params: {
				jobs: { type: "array", items: newJob, max: 10000 },
				// Discovery bound (CRAWL_MAX_ARTISTS): no new job of `type` once `max` of them exist.
				cap: { type: "object", optional: true, props: { type: "string", max: { type: "number", integer: true, min: 0 } } }
			},
			async handler(this: SchedulerThis, ctx: Context<{ jobs: NewJob[]; cap?: { type: string; max: number } }>) {
				const now = Date.now();
				const { jobs, cap } = ctx.params;
				let room = cap ? cap.max - (await this.jobs().count({ type: cap.type })) : Infinity;
				let created = 0;
				let capped = 0;
				for (const job of jobs) {
					const limited = cap !== undefined && job.type === cap.type;
					if (limited && room <= 0) {
						// The cap bounds how many jobs exist; a shorter path to one of them still counts.
						const depth = depthOf(job.payload);
						if (depth === undefined || !(await this.lowerDepth(jobKey(job.type, job.entity), depth, now))) capped++;
						continue;
					}
					if ((await this.enqueueOne(job, now)) === "created") {
						created++;
						if (limited) room--;
					}
				}
				return { created, existing: jobs.length - created - capped, capped };
			}
		},

		/** Seeds: artist names or provider ids become discovery jobs at depth 0. */
		seed: {
			rest: "POST /crawl/seeds",
			summary: "Seed the crawl with artist names or provider ids",
			responses: { 200: ok("How many discovery jobs were created", ENQUEUED, { created: 2, existing: 0, capped: 0 }) },
			auth: "admin",
			params: { artists: { type: "array", items: { type: "string", min: 1, max: 200 }, min: 1, max: 1000 } },
			async handler(this: SchedulerThis, ctx: Context<{ artists: string[] }>) {
				const jobs = ctx.params.artists.map(a => ({ type: "artist.discover", entity: a.trim(), payload: { depth: 0 }, tier: "low" as Tier }));
				return this.actions.enqueue({ jobs }, { parentCtx: ctx });
			}
		},

		/** Leases up to `max` runnable jobs of the given types, rotating tiers so none starves. */
		lease: {
			params: {
				types: { type: "array", items: "string", min: 1 },
				max: { type: "number", integer: true, min: 1, max: 500, default: 1 },
				leaseMs: { type: "number", integer: true, min: 1000, optional: true },
				// Batch workers: take a partial batch only once its oldest job has waited this long,
				// so batch endpoints are called full (calls per track near the minimum).
				fillMs: { type: "number", integer: true, min: 0, max: 60000, optional: true },
				// Or instead: only once no job of these types (which make more of the leased ones) waits
				// or runs, or FILL_MAX_MS has passed; then only the last batch of a crawl is partial.
				fillWhile: { type: "array", items: jobType, max: 10, optional: true }
			},
			handler(this: SchedulerThis, ctx: Context<LeaseParams>): Promise<LeasedJob[]> {
				// One lease at a time per set of job types: two that interleave their claims split the jobs
				// between them, and once nothing more is coming both halves may go as partial batches
				// (more calls). Leases of other types do not wait.
				const key = [...ctx.params.types].sort().join(",");
				const run = (this.leasing.get(key) ?? Promise.resolve()).then(() => this.leaseJobs(ctx.params, ctx.nodeID ?? "?"));
				const settled = run.then(
					() => undefined,
					() => undefined
				);
				this.leasing.set(key, settled);
				void settled.then(() => {
					if (this.leasing.get(key) === settled) this.leasing.delete(key);
				});
				return run;
			}
		},

		/** Extends many leases at once: a worker's in-flight jobs, in one call per interval. */
		heartbeatMany: {
			params: { jobs: { type: "array", items: { type: "object", props: jobRef }, max: 5000 }, leaseMs: { type: "number", integer: true, min: 1000, optional: true } },
			async handler(this: SchedulerThis, ctx: Context<{ jobs: Array<{ id: string; token: string }>; leaseMs?: number }>) {
				const leaseUntil = Date.now() + (ctx.params.leaseMs ?? this.config.JOB_LEASE_MS);
				const lost: string[] = [];
				for (const { id, token } of ctx.params.jobs) {
					const n = await this.jobs().update({ _id: id, leaseToken: token, state: "leased" }, { $set: { leaseUntil } });
					if (n === 0) lost.push(id);
				}
				return { leaseUntil, lost };
			}
		},

		/** Extends a lease; long jobs call this so they are not taken from them. */
		heartbeat: {
			params: { ...jobRef, leaseMs: { type: "number", integer: true, min: 1000, optional: true } },
			async handler(this: SchedulerThis, ctx: Context<{ id: string; token: string; leaseMs?: number }>) {
				const leaseUntil = Date.now() + (ctx.params.leaseMs ?? this.config.JOB_LEASE_MS);
				const n = await this.jobs().update({ _id: ctx.params.id, leaseToken: ctx.params.token, state: "leased" }, { $set: { leaseUntil } });
				if (n === 0) throw new Errors.MoleculerClientError("Lease lost: the job was taken back or finished", 409, "LEASE_LOST");
				return { leaseUntil };
			}
		},

		complete: {
			// `type` (the job's) lets the status tell rates apart per job type; it is optional.
			params: completion,
			async handler(this: SchedulerThis, ctx: Context<Completion>) {
				const [result] = await this.completeAll([ctx.params]);
				return result;
			}
		},

		/**
		 * Completes a worker's batch in one call: a feature batch is 100 jobs, and 100 calls over
		 * the transporter cost the node that owns the frontier more than the jobs' own writes.
		 * One result per job, in order, as `complete` answers.
		 */
		completeMany: {
			params: { jobs: { type: "array", items: { type: "object", props: completion }, min: 1, max: 1000 } },
			handler(this: SchedulerThis, ctx: Context<{ jobs: Completion[] }>) {
				return this.completeAll(ctx.params.jobs);
			}
		},

		/** Records a failure: retried with backoff, paused for a rate limit, or sent to dead-letter. */
		fail: {
			params: { ...jobRef, error: failure },
			async handler(this: SchedulerThis, ctx: Context<{ id: string; token: string; error: { message: string; kind: FailureKind; retryAfterMs?: number } }>) {
				const { id, token, error } = ctx.params;
				const job = await this.jobs().findOne({ _id: id, leaseToken: token, state: "leased" });
				if (!job) return { ok: false, state: "lease lost" };
				const now = Date.now();
				const message = error.message.slice(0, 2000);
				// A permanent fault can hide behind a transient one on the last attempt; the recent
				// history shows both.
				const errors = [...(job.errors ?? []), { at: now, kind: error.kind, message }].slice(-ERROR_HISTORY);
				const base = { lastError: message, lastErrorKind: error.kind, errors, updatedAt: now };
				const clearLease = { leaseToken: true, leaseOwner: true, leaseUntil: true } as const;
				let state: JobDoc["state"];
				let set: Record<string, unknown>;
				const lane = (s: JobDoc["state"]) => laneOf(s, job.tier, job.type);
				if (error.kind === "rate-limited") {
					// Not the job's fault: it waits out the limit without spending an attempt.
					state = "queued";
					set = { ...base, state, lane: lane(state), runAt: now + (error.retryAfterMs ?? 1000), attempts: Math.max(0, job.attempts - 1) };
				} else if (error.kind === "fatal" || job.attempts >= this.config.JOB_MAX_ATTEMPTS) {
					state = "dead";
					set = { ...base, state, lane: lane(state), deadAt: now };
				} else if (error.kind === "not-found") {
					state = "done";
					set = { ...base, state, lane: lane(state), doneAt: now, outcome: "not-found" };
				} else {
					state = "queued";
					set = { ...base, state, lane: lane(state), runAt: now + backoffMs(job.attempts, this.config.JOB_BACKOFF_BASE_MS, this.config.JOB_BACKOFF_MAX_MS) };
				}
				await this.jobs().update({ _id: id, leaseToken: token }, { $set: { ...set, expiries: 0 }, $unset: clearLease });
				const what = `job ${job.type} ${job.entity} (attempt ${job.attempts} of ${this.config.JOB_MAX_ATTEMPTS})`;
				if (error.kind === "rate-limited") this.logger.debug(`${what} rate limited, waits ${error.retryAfterMs ?? 1000} ms: ${message}`);
				else if (state === "dead") this.logger.error(`${what} moved to dead-letter after a ${error.kind} failure: ${message}`);
				else this.logger.warn(`${what} failed (${error.kind}), ${state === "done" ? "recorded as not found" : `retried in ${Math.round(((set.runAt as number) - now) / 100) / 10} s`}: ${message}`);
				if (error.kind !== "rate-limited") this.stats.recordFailure(now);
				if (state === "done") this.stats.recordDone(now, job.type);
				return { ok: true, state };
			}
		},

		/**
		 * Gives jobs back unfinished (a worker shutting down, or one whose dependency is not up yet):
		 * no attempt is spent. `delayMs` holds them back that long.
		 */
		release: {
			params: { jobs: { type: "array", items: { type: "object", props: jobRef } }, delayMs: { type: "number", integer: true, min: 0, max: 600000, optional: true } },
			async handler(this: SchedulerThis, ctx: Context<{ jobs: Array<{ id: string; token: string }>; delayMs?: number }>) {
				let released = 0;
				for (const { id, token } of ctx.params.jobs) {
					const job = await this.jobs().findOne({ _id: id, leaseToken: token, state: "leased" });
					if (!job) continue;
					released += await this.jobs().update(
						{ _id: id, leaseToken: token, state: "leased" },
						{
							$set: { state: "queued", lane: laneOf("queued", job.tier, job.type), runAt: Date.now() + (ctx.params.delayMs ?? 0), updatedAt: Date.now() },
							$inc: { attempts: -1 },
							$unset: { leaseToken: true, leaseOwner: true, leaseUntil: true, rerun: true }
						}
					);
				}
				return { released };
			}
		},

		pause: {
			rest: "POST /crawl/pause",
			summary: "Pause the crawl, or one job type",
			responses: { 200: ok("The job types paused now (* for all)", PAUSED, { paused: ["*"] }) },
			auth: "admin",
			params: { type: { ...jobType, optional: true } },
			async handler(this: SchedulerThis, ctx: Context<{ type?: string }>) {
				return { paused: await this.setPaused(ctx.params.type ? [ctx.params.type] : "all", true) };
			}
		},

		resume: {
			rest: "POST /crawl/resume",
			summary: "Resume the crawl, or one job type",
			responses: { 200: ok("The job types still paused", PAUSED, { paused: [] }) },
			auth: "admin",
			params: { type: { ...jobType, optional: true } },
			async handler(this: SchedulerThis, ctx: Context<{ type?: string }>) {
				return { paused: await this.setPaused(ctx.params.type ? [ctx.params.type] : "all", false) };
			}
		},

		/** Moves dead-letter jobs (of one type, or all) back to the queue with fresh attempts. */
		retryDead: {
			rest: "POST /crawl/dead/retry",
			summary: "Move dead-letter jobs back to the queue with fresh attempts",
			responses: { 200: ok("How many jobs were requeued", obj({ retried: int }), { retried: 3 }) },
			auth: "admin",
			params: { type: { ...jobType, optional: true } },
			async handler(this: SchedulerThis, ctx: Context<{ type?: string }>) {
				const filter: Filter = { state: "dead" };
				if (ctx.params.type) filter.type = ctx.params.type;
				const now = Date.now();
				const retried = await this.requeue(filter, { attempts: 0, expiries: 0, runAt: now, updatedAt: now });
				return { retried };
			}
		},

		/** One job, by key or id. */
		job: {
			params: { key: { type: "string", optional: true, max: 600 }, id: { type: "string", optional: true, max: 100 } },
			async handler(this: SchedulerThis, ctx: Context<{ key?: string; id?: string }>) {
				if (!ctx.params.key && !ctx.params.id) throw new Errors.ValidationError("Give a job's key or id", "VALIDATION_ERROR", []);
				const job = await this.jobs().findOne(ctx.params.key ? { key: ctx.params.key } : { _id: ctx.params.id });
				if (!job) throw new Errors.MoleculerClientError("No such job", 404, "NOT_FOUND");
				return job;
			}
		},

		/** Dead-letter jobs, newest first. */
		dead: {
			rest: "GET /crawl/dead",
			summary: "Dead-letter jobs, newest first, with their last errors",
			responses: { 200: ok("The dead jobs", list(DEAD_JOB), [DEAD_JOB_EXAMPLE]) },
			auth: "admin",
			params: { type: { ...jobType, optional: true }, limit: { type: "number", integer: true, min: 1, max: 1000, default: 50, convert: true } },
			async handler(this: SchedulerThis, ctx: Context<{ type?: string; limit: number }>) {
				const filter: Filter = { state: "dead" };
				if (ctx.params.type) filter.type = ctx.params.type;
				return this.jobs().find(filter, { sort: { updatedAt: -1 }, limit: ctx.params.limit });
			}
		},

		/** The next runnable jobs of a tier and the oldest leases. */
		queue: {
			params: { tier: { type: "enum", values: [...TIERS], optional: true }, limit: { type: "number", integer: true, min: 1, max: 200, default: 10, convert: true } },
			async handler(this: SchedulerThis, ctx: Context<{ tier?: Tier; limit: number }>) {
				const next: Filter = { state: "queued" };
				const leased: Filter = { state: "leased" };
				if (ctx.params.tier) next.tier = leased.tier = ctx.params.tier;
				return {
					next: await this.jobs().find(next, { sort: { runAt: 1 }, limit: ctx.params.limit }),
					oldestLeases: await this.jobs().find(leased, { sort: { leaseUntil: 1 }, limit: ctx.params.limit })
				};
			}
		},

		/** Crawl status: depth per tier, done and failed counts, dead-letter size, rate and ETA. */
		status: {
			rest: "GET /crawl/status",
			summary: "Crawl progress: queue depth per tier, done, dead, rate and ETA",
			responses: { 200: ok("The crawl status", CRAWL_STATUS, CRAWL_STATUS_EXAMPLE) },
			auth: "public",
			handler(this: SchedulerThis) {
				return this.collectStatus();
			}
		},

		/** The Spotify app mode the workers detected: read it, or record it (`mode`). */
		spotifyMode: {
			visibility: "public",
			params: { mode: { type: "enum", values: ["extended", "development"], optional: true } },
			async handler(this: SchedulerThis, ctx: Context<{ mode?: string }>) {
				const controls = this.collection("controls");
				if (ctx.params.mode) await controls.upsert({ _id: "spotify" }, { $set: { mode: ctx.params.mode, detectedAt: Date.now() } });
				const doc = await controls.findOne({ _id: "spotify" });
				return { mode: (doc?.mode as string | undefined) ?? undefined };
			}
		},

		/** The worker concurrency an operator set for a service on a node (or cluster-wide); null when none. */
		workerConcurrency: {
			visibility: "public",
			params: { service: { type: "string", min: 1, max: 100 }, nodeID: { type: "string", min: 1, max: 200 } },
			async handler(this: SchedulerThis, ctx: Context<{ service: string; nodeID: string }>) {
				const doc = await this.collection<ConcurrencyDoc>("controls").findOne({ _id: concurrencyDocId(ctx.params.service) });
				return resolveConcurrency(doc, ctx.params.nodeID);
			}
		},

		/** Records an operator's worker concurrency for one node, or for every node when `nodeID` is absent. */
		setWorkerConcurrency: {
			visibility: "public",
			params: {
				service: { type: "string", min: 1, max: 100 },
				concurrency: { type: "number", integer: true, min: 0, max: MAX_WORKER_CONCURRENCY },
				nodeID: { type: "string", min: 1, max: 200, optional: true }
			},
			async handler(this: SchedulerThis, ctx: Context<{ service: string; concurrency: number; nodeID?: string }>) {
				const controls = this.collection<ConcurrencyDoc>("controls");
				const { service, concurrency, nodeID } = ctx.params;
				const before = await controls.findOne({ _id: concurrencyDocId(service) });
				const { _id, ...doc } = withConcurrency(before, service, concurrency, nodeID, Date.now());
				// An unset cluster value stays absent rather than stored as null.
				const set = Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined));
				return controls.upsert({ _id }, { $set: set });
			}
		},

		/** Every persisted worker concurrency, per service. */
		workerSettings: {
			visibility: "public",
			async handler(this: SchedulerThis) {
				return this.collection<ConcurrencyDoc>("controls").find({ kind: "workers" }, { sort: { service: 1 } });
			}
		},

		/** Runs one tier's scheduling pass now (operators, tests). */
		runTier: {
			params: { tier: { type: "enum", values: ["high", "medium", "low"] } },
			handler(this: SchedulerThis, ctx: Context<{ tier: TierName }>) {
				return runTier(this.broker, ctx.params.tier, this.config);
			}
		}
	},

	methods: {
		jobs(this: SchedulerThis) {
			return this.collection<JobDoc>("jobs");
		},

		async enqueueOne(this: SchedulerThis, job: NewJob, now: number): Promise<EnqueueOutcome> {
			const key = jobKey(job.type, job.entity);
			const marker = randomUUID();
			const depth = depthOf(job.payload);
			const doc = await this.jobs().upsert(
				{ key },
				{
					$setOnInsert: {
						type: job.type,
						entity: job.entity,
						payload: job.payload ?? {},
						tier: job.tier ?? defaultTier(job.type),
						state: "queued",
						lane: laneOf("queued", job.tier ?? defaultTier(job.type), job.type),
						runAt: job.runAt ?? now,
						attempts: 0,
						...(depth === undefined ? {} : { depth }),
						createdAt: now,
						updatedAt: now,
						marker
					}
				}
			);
			if (doc.marker === marker) return "created";
			if (job.refresh && doc.state === "done") {
				// A refresh never forgets a shorter path than the one it names.
				const known = doc.depth ?? depthOf(doc.payload);
				const kept = depth === undefined ? known : known === undefined ? depth : Math.min(depth, known);
				const payload = { ...(job.payload ?? doc.payload), ...(kept === undefined ? {} : { depth: kept }) };
				await this.jobs().update(
					{ key, state: "done" },
					{
						$set: {
							state: "queued",
							lane: laneOf("queued", job.tier ?? doc.tier, doc.type),
							runAt: job.runAt ?? now,
							attempts: 0,
							expiries: 0,
							tier: job.tier ?? doc.tier,
							payload,
							...(kept === undefined ? {} : { depth: kept }),
							updatedAt: now
						}
					}
				);
				return "created";
			}
			if (depth !== undefined && (await this.lowerDepth(key, depth, now))) return "lowered";
			return "existing";
		},

		/** The lease action's work; the action runs one at a time per set of job types. */
		async leaseJobs(this: SchedulerThis, params: LeaseParams, nodeID: string): Promise<LeasedJob[]> {
			const paused = await this.pausedTypes();
			if (paused.includes(ALL)) return [];
			const types = params.types.filter(t => !paused.includes(t));
			if (types.length === 0) return [];
			const leaseMs = params.leaseMs ?? this.config.JOB_LEASE_MS;
			const out: LeasedJob[] = [];
			for (const tier of tierOrder(this.turn++)) {
				if (out.length >= params.max) break;
				const now = Date.now();
				const runnable: Filter = { lane: { $in: types.map(t => laneOf("queued", tier, t)) }, runAt: { $lte: now } };
				const want = params.max - out.length;
				// find with a limit stops early, where a count would scan a 100k-job lane.
				const fill = params.fillMs || params.fillWhile?.length ? { fillMs: params.fillMs ?? 0, fillWhile: params.fillWhile ?? [] } : undefined;
				if (fill && (await this.jobs().find(runnable, { limit: want, projection: { _id: 1 } })).length < want) {
					const oldest = await this.jobs().findOne(runnable, { sort: { runAt: 1 } });
					if (!oldest || !(await this.partialAllowed(oldest.runAt, now, fill))) continue;
				}
				const claimed = await this.jobs().claimMany(
					runnable,
					{ runAt: 1 },
					{
						$set: { state: "leased", lane: "leased", leaseOwner: nodeID, leaseToken: randomUUID(), leaseUntil: now + leaseMs, updatedAt: now },
						$inc: { attempts: 1 },
						// This lease carries the newest depth; a rerun asked for before it is served by it.
						$unset: { rerun: true }
					},
					want
				);
				// Two schedulers (on MongoDB) may both have seen a full batch and split it: a part that may not go yet goes back.
				if (fill && claimed.length > 0 && claimed.length < want && !(await this.partialAllowed(Math.min(...claimed.map(j => j.runAt)), now, fill))) {
					for (const type of new Set(claimed.map(j => j.type))) {
						await this.jobs().update(
							{ _id: { $in: claimed.filter(j => j.type === type).map(j => j._id) }, state: "leased" },
							{ $set: { state: "queued", lane: laneOf("queued", tier, type) }, $inc: { attempts: -1 }, $unset: { leaseToken: true, leaseOwner: true, leaseUntil: true } },
							{ multi: true }
						);
					}
					continue;
				}
				out.push(...claimed.map(toLeased));
			}
			return out;
		},

		async completeAll(this: SchedulerThis, jobs: Completion[]): Promise<CompleteResult[]> {
			const now = Date.now();
			const results: CompleteResult[] = [];
			let removedTotal = 0;
			for (const job of jobs) {
				const { result, removed } = await this.completeOne(job, now);
				removedTotal += removed;
				results.push(result);
			}
			if (removedTotal) await this.collection("controls").upsert({ _id: "counters" }, { $inc: { ephemeralDone: removedTotal } });
			return results;
		},

		async completeOne(this: SchedulerThis, { id, token, outcome, type }: Completion, now: number): Promise<{ result: CompleteResult; removed: number }> {
			const mine = { _id: id, leaseToken: token, state: "leased" };
			// Feature jobs leave no trace: the track's featuresStatus already says it is done,
			// and 100k finished jobs would only weigh on an embedded store.
			const removed = await this.jobs().delete({ ...mine, type: { $in: EPHEMERAL_TYPES } });
			const clearLease = { leaseToken: true, leaseOwner: true, leaseUntil: true } as const;
			const n =
				removed ||
				(await this.jobs().update(
					{ ...mine, rerun: { $ne: true } },
					{ $set: { state: "done", lane: "done", doneAt: now, updatedAt: now, outcome: outcome ?? "ok", expiries: 0 }, $unset: clearLease }
				));
			if (n > 0) {
				this.stats.recordDone(now, type);
				return { result: { ok: true }, removed };
			}
			// A shorter path arrived while it ran: it runs again, at the depth the payload now holds.
			const rerun = await this.jobs().findOne({ ...mine, rerun: true });
			if (!rerun) return { result: { ok: false }, removed };
			const again = await this.jobs().update(
				{ ...mine, rerun: true },
				{ $set: { state: "queued", lane: laneOf("queued", rerun.tier, rerun.type), runAt: now, attempts: 0, expiries: 0, updatedAt: now }, $unset: { ...clearLease, rerun: true } }
			);
			return { result: { ok: again > 0, rerun: true }, removed };
		},

		/** Whether a batch short of full may be leased, its oldest job runnable since `oldestRunAt`. */
		async partialAllowed(this: SchedulerThis, oldestRunAt: number, now: number, fill: { fillMs: number; fillWhile: string[] }): Promise<boolean> {
			const waited = now - oldestRunAt;
			if (fill.fillWhile.length === 0) return waited >= fill.fillMs;
			// Nothing that could fill the batch is left: waiting longer would only delay it.
			if (waited >= FILL_MAX_MS) return true;
			return !(await this.jobs().findOne({ type: { $in: fill.fillWhile }, state: { $in: ["queued", "leased"] } }, { projection: { _id: 1 } }));
		},

		/**
		 * Lowers a job's depth to `depth` when it is deeper. Queued (or dead) jobs only change their
		 * payload; a leased one runs again once it finishes; a finished one is queued again, because
		 * at its old depth it may have left featured artists beyond CRAWL_MAX_DEPTH. False when the
		 * job is not deeper (or does not exist).
		 */
		async lowerDepth(this: SchedulerThis, key: string, depth: number, now: number): Promise<boolean> {
			// A state change between the read and the write makes the write miss; read again then.
			for (let tries = 0; tries < 5; tries++) {
				const doc = await this.jobs().findOne({ key });
				if (!doc || doc.depth === undefined || doc.depth <= depth) return false;
				const mine: Filter = { key, state: doc.state, depth: { $gt: depth } };
				const set = { depth, payload: { ...doc.payload, depth }, updatedAt: now };
				let n: number;
				if (doc.state === "done") {
					n = await this.jobs().update(mine, {
						$set: { ...set, state: "queued", lane: laneOf("queued", doc.tier, doc.type), runAt: now, attempts: 0, expiries: 0 },
						$unset: { doneAt: true, outcome: true }
					});
				} else if (doc.state === "leased") {
					n = await this.jobs().update(mine, { $set: { ...set, rerun: true } });
				} else {
					n = await this.jobs().update(mine, { $set: set });
				}
				if (n > 0) {
					this.logger.debug(`job ${key}: a shorter path lowers its depth from ${doc.depth} to ${depth}${doc.state === "done" ? "; it runs again" : ""}`);
					return true;
				}
			}
			return false;
		},

		/**
		 * Leases that ran out go back to the queue. A worker that died or hung is not the job's fault:
		 * the attempt is given back, so the job is leased again in a batch like a fresh one, not
		 * isolated as suspected poison. Only a job whose lease ran out JOB_MAX_ATTEMPTS times in a row
		 * (it kills or hangs every worker that takes it) goes to dead-letter.
		 */
		async reapExpiredLeases(this: SchedulerThis): Promise<number> {
			const now = Date.now();
			const expired: Filter = { state: "leased", leaseUntil: { $lte: now } };
			const unset = { leaseToken: true as const, leaseOwner: true as const, leaseUntil: true as const, rerun: true as const };
			const max = this.config.JOB_MAX_ATTEMPTS;
			const killers = await this.jobs().find({ ...expired, expiries: { $gte: max - 1 } });
			for (const job of killers) {
				const lastError = `lease expired ${max} times in a row (every worker that took it died or hung)`;
				const n = await this.jobs().update(
					{ _id: job._id, state: "leased", leaseToken: job.leaseToken ?? "" },
					{ $set: { state: "dead", lane: "dead", lastError, lastErrorKind: "retryable", deadAt: now, updatedAt: now }, $inc: { expiries: 1 }, $unset: unset }
				);
				if (n > 0) this.logger.error(`job ${job.type} ${job.entity} moved to dead-letter: ${lastError}`);
			}
			const n = await this.requeue(expired, { runAt: now, updatedAt: now }, unset, { attempts: -1, expiries: 1 });
			if (n > 0) this.logger.info(`${n} job(s) whose lease ran out are queued again, without spending an attempt`);
			return n;
		},

		/** Puts matching jobs back in their lanes; a lane depends on each job's tier and type. */
		async requeue(this: SchedulerThis, filter: Filter, set: Record<string, unknown>, unset: Record<string, true> = {}, inc?: Record<string, number>): Promise<number> {
			const jobs = await this.jobs().find(filter, { projection: { _id: 1, tier: 1, type: 1 } });
			const byLane = new Map<string, string[]>();
			for (const j of jobs) {
				const lane = laneOf("queued", j.tier, j.type);
				byLane.set(lane, [...(byLane.get(lane) ?? []), j._id]);
			}
			let n = 0;
			for (const [lane, ids] of byLane) {
				const update = { $set: { ...set, state: "queued", lane }, ...(Object.keys(unset).length ? { $unset: unset } : {}), ...(inc ? { $inc: inc } : {}) };
				n += await this.jobs().update({ ...filter, _id: { $in: ids } }, update, { multi: true });
			}
			return n;
		},

		async pausedTypes(this: SchedulerThis): Promise<string[]> {
			const doc = await this.collection("controls").findOne({ _id: "paused" });
			return (doc?.types as string[] | undefined) ?? [];
		},

		async setPaused(this: SchedulerThis, types: string[] | "all", paused: boolean): Promise<string[]> {
			const controls = this.collection("controls");
			let current = await this.pausedTypes();
			if (types === "all") current = paused ? [ALL] : [];
			else current = paused ? [...new Set([...current, ...types])] : current.filter(t => !types.includes(t));
			await controls.upsert({ _id: "paused" }, { $set: { types: current } });
			return current;
		},

		async collectStatus(this: SchedulerThis): Promise<CrawlStatus> {
			const jobs = this.jobs();
			const tiers = {} as CrawlStatus["tiers"];
			for (const tier of TIERS) {
				tiers[tier] = {
					queued: await jobs.count({ tier, state: "queued" }),
					leased: await jobs.count({ tier, state: "leased" })
				};
			}
			const pendingByType: Record<string, number> = {};
			for (const type of new Set([...CRAWL_TYPES, ...this.stats.typesSeen()])) {
				const waiting = await jobs.count({ type, state: { $in: ["queued", "leased"] } });
				if (waiting > 0) pendingByType[type] = waiting;
			}
			const stored = (await this.collection("controls").findOne({ _id: "spotify" }))?.mode as CrawlStatus["spotifyMode"] | undefined;
			const status = this.stats.status({
				tiers,
				pendingByType,
				done: (await jobs.count({ state: "done" })) + (((await this.collection("controls").findOne({ _id: "counters" }))?.ephemeralDone as number | undefined) ?? 0),
				dead: await jobs.count({ state: "dead" }),
				paused: await this.pausedTypes(),
				// A mode forced by SPOTIFY_MODE is never detected, so never stored: the setting is the answer.
				spotifyMode: this.config.SPOTIFY_MODE !== "auto" ? this.config.SPOTIFY_MODE : (stored ?? "unknown")
			});
			this.stats.publishQueueDepth(this.broker, tiers);
			return status;
		}
	},

	created(this: SchedulerThis) {
		this.config = configFor(this.broker);
		this.turn = 0;
		this.leasing = new Map();
		this.timers = [];
		this.stats = new CrawlStats(this.broker);
	},

	async started(this: SchedulerThis) {
		const c = this.config;
		const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
			const timer = setInterval(() => fn().catch(err => this.logger.warn(`${what} failed: ${(err as Error).message}`)), ms);
			timer.unref();
			this.timers.push(timer);
		};
		every(Math.max(200, Math.min(5000, c.JOB_LEASE_MS / 4)), "lease reaper", () => this.reapExpiredLeases());
		every(5000, "queue depth", () => this.collectStatus());
		every(c.TIER_HIGH_INTERVAL_MS, "high tier", () => runTier(this.broker, "high", c));
		every(c.TIER_MEDIUM_INTERVAL_MS, "medium tier", () => runTier(this.broker, "medium", c));
		// The low tier runs every 6–12 h by default: the interval, jittered up to double.
		every(Math.round(c.TIER_LOW_INTERVAL_MS * (1 + Math.random())), "low tier", () => runTier(this.broker, "low", c));
		if (c.CRAWL_STATUS_LOG_MS > 0) {
			every(c.CRAWL_STATUS_LOG_MS, "status line", async () => this.logger.info(CrawlStats.line(await this.collectStatus())));
		}
		if (c.CRAWL_SEED_ARTISTS.length) {
			await this.actions.seed({ artists: c.CRAWL_SEED_ARTISTS });
			this.logger.info(`Seeded ${c.CRAWL_SEED_ARTISTS.length} artist(s) from CRAWL_SEED_ARTISTS`);
		}
	},

	stopped(this: SchedulerThis) {
		for (const t of this.timers) clearInterval(t);
		this.timers = [];
	}
};

export default SchedulerService;
