/**
 * Turns a service into a stateless crawl worker: it leases jobs of its types from the scheduler,
 * runs them with per-node concurrency, heartbeats long ones, and reports success or a typed
 * failure. On stop it leases nothing more, lets in-flight jobs finish within the shutdown timeout
 * and gives back the rest, so a restart loses nothing.
 */
import type { Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { configFor } from "../config";
import type { LeasedJob } from "../services/scheduler/jobs";
import { errorKind, retryAfterOf, type UpstreamErrorKind } from "./upstream/errors";
import { serviceAvailable } from "../services/shared/registry";

export type JobResult = { outcome?: string } | Error;

export interface WorkerSettings extends ServiceSettingSchema {
	worker: {
		/** Job types this service leases. */
		jobTypes: string[];
		/** Jobs per lease; batch workers take as many as their provider allows in one call. */
		batchSize?: number;
		/** How long a partial batch waits to fill up before it is taken anyway (ms, default 1000). */
		fillMs?: number;
		/** Concurrency override; CRAWLER_CONCURRENCY otherwise. */
		concurrency?: number;
	};
}

export interface WorkerMethods {
	/** Runs a leased batch; returns one result per job, in order. */
	processBatch(jobs: LeasedJob[]): Promise<JobResult[]>;
	setConcurrency(n: number): void;
	workerStatus(): WorkerStatus;
}

export interface WorkerStatus {
	service: string;
	concurrency: number;
	inFlight: number;
	processed: number;
	failed: number;
	draining: boolean;
}

interface WorkerState {
	concurrency: number;
	loops: number;
	stopping: boolean;
	inFlight: Map<string, LeasedJob>;
	processed: number;
	failed: number;
	heartbeat?: NodeJS.Timeout;
	idle: Set<() => void>;
	done: Set<Promise<void>>;
}

interface WorkerVars {
	workerState: WorkerState;
}
type WorkerThis = Service<WorkerSettings> & WorkerMethods & WorkerVars;

function sleep(ms: number, state: WorkerState): Promise<void> {
	return new Promise(resolve => {
		const wake = () => {
			clearTimeout(timer);
			state.idle.delete(wake);
			resolve();
		};
		const timer = setTimeout(wake, ms);
		state.idle.add(wake);
	});
}

/** What the scheduler needs of a failure; the kind survives the error crossing nodes. */
function failureOf(err: Error): { message: string; kind: UpstreamErrorKind; retryAfterMs?: number } {
	const retryAfterMs = retryAfterOf(err);
	return { message: `${err.name}: ${err.message}`.slice(0, 2000), kind: errorKind(err) ?? "retryable", ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

async function runBatch(this: WorkerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
	try {
		return await this.processBatch(jobs);
	} catch (err) {
		return jobs.map(() => err as Error);
	}
}

/*
 * A batch call fails whole when one item in it is poison (an entity the upstream always answers
 * with broken JSON). Jobs that failed before are therefore run one by one, so the poison item
 * ends in dead-letter alone and its batch-mates go through.
 */
async function runIsolatingRetries(this: WorkerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
	const fresh = jobs.filter(j => j.attempts <= 1);
	const retried = jobs.filter(j => j.attempts > 1);
	const byId = new Map<string, JobResult>();
	if (fresh.length) (await runBatch.call(this, fresh)).forEach((r, i) => byId.set(fresh[i].id, r));
	for (const job of retried) byId.set(job.id, (await runBatch.call(this, [job]))[0]);
	return jobs.map(j => byId.get(j.id) ?? new Error("no result for job"));
}

async function runLoop(this: WorkerThis): Promise<void> {
	const state = this.workerState;
	const { jobTypes, batchSize = 1, fillMs = 1000 } = this.settings.worker;
	const pollMs = configFor(this.broker).WORKER_POLL_MS;
	let emptyPolls = 0;
	while (!state.stopping && state.loops <= state.concurrency) {
		let jobs: LeasedJob[] = [];
		try {
			if (serviceAvailable(this.broker, "scheduler")) {
				jobs = await this.broker.call<LeasedJob[], object>("scheduler.lease", { types: jobTypes, max: batchSize, ...(batchSize > 1 ? { fillMs } : {}) });
			}
		} catch (err) {
			this.logger.debug(`lease failed: ${(err as Error).message}`);
		}
		if (jobs.length === 0) {
			// Back off while idle, with jitter so many workers do not poll in step.
			emptyPolls = Math.min(emptyPolls + 1, 4);
			await sleep(pollMs * emptyPolls * (0.5 + Math.random()), state);
			continue;
		}
		emptyPolls = 0;
		for (const j of jobs) state.inFlight.set(j.id, j);
		const started = process.hrtime.bigint();
		const results = await runIsolatingRetries.call(this, jobs);
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		await Promise.all(
			jobs.map(async (job, i) => {
				const result = results[i] ?? new Error("no result for job");
				try {
					if (result instanceof Error) {
						state.failed++;
						const failure = failureOf(result);
						this.broker.metrics?.increment("crawler_errors_total", { type: job.type, kind: failure.kind });
						await this.broker.call("scheduler.fail", { id: job.id, token: job.token, error: failure });
					} else {
						state.processed++;
						await this.broker.call("scheduler.complete", { id: job.id, token: job.token, ...(result.outcome ? { outcome: result.outcome } : {}) });
					}
				} catch (err) {
					// The lease runs out and the job comes back: at-least-once, handlers are idempotent.
					this.logger.warn(`could not report job ${job.key}: ${(err as Error).message}`);
				} finally {
					state.inFlight.delete(job.id);
				}
			})
		);
		this.broker.metrics?.observe("crawler_job_duration_seconds", seconds, { type: jobs[0].type });
	}
}

function startLoops(this: WorkerThis): void {
	const state = this.workerState;
	while (state.loops < state.concurrency && !state.stopping) {
		state.loops++;
		const loop: Promise<void> = runLoop
			.call(this)
			.catch(err => this.logger.error("worker loop crashed", err))
			.finally(() => {
				state.loops--;
				state.done.delete(loop);
			});
		state.done.add(loop);
	}
}

const workerSchema: Partial<ServiceSchema<WorkerSettings, WorkerMethods, WorkerVars>> = {
	methods: {
		setConcurrency(this: WorkerThis, n: number) {
			this.workerState.concurrency = Math.max(0, Math.floor(n));
			startLoops.call(this);
		},
		workerStatus(this: WorkerThis): WorkerStatus {
			const s = this.workerState;
			return { service: this.name, concurrency: s.concurrency, inFlight: s.inFlight.size, processed: s.processed, failed: s.failed, draining: s.stopping };
		}
	},

	created(this: WorkerThis) {
		const config = configFor(this.broker);
		this.workerState = {
			concurrency: this.settings.worker.concurrency ?? config.CRAWLER_CONCURRENCY,
			loops: 0,
			stopping: false,
			inFlight: new Map(),
			processed: 0,
			failed: 0,
			idle: new Set(),
			done: new Set()
		};
		const m = this.broker.metrics;
		if (this.broker.isMetricsEnabled()) {
			if (!m.getMetric("crawler_errors_total")) m.register({ type: "counter", name: "crawler_errors_total", labelNames: ["type", "kind"], description: "Failed crawl jobs" });
			if (!m.getMetric("crawler_job_duration_seconds")) {
				m.register({ type: "histogram", name: "crawler_job_duration_seconds", labelNames: ["type"], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], description: "Time to run a leased batch" });
			}
			if (!m.getMetric("crawler_tracks_processed_total")) m.register({ type: "counter", name: "crawler_tracks_processed_total", labelNames: ["stage"], description: "Tracks processed" });
		}
	},

	started(this: WorkerThis) {
		const leaseMs = configFor(this.broker).JOB_LEASE_MS;
		const state = this.workerState;
		state.heartbeat = setInterval(() => {
			const jobs = [...state.inFlight.values()].map(j => ({ id: j.id, token: j.token }));
			if (jobs.length) this.broker.call("scheduler.heartbeatMany", { jobs }).catch(() => undefined);
		}, Math.max(500, Math.floor(leaseMs / 3)));
		state.heartbeat.unref();
		startLoops.call(this);
	},

	async stopped(this: WorkerThis) {
		const state = this.workerState;
		state.stopping = true;
		for (const wake of [...state.idle]) wake();
		const timeoutMs = Math.max(0, configFor(this.broker).SHUTDOWN_TIMEOUT - 2000);
		const finished = Promise.all([...state.done]).then(() => true);
		const timedOut = new Promise<boolean>(resolve => setTimeout(() => resolve(false), timeoutMs).unref());
		if (!(await Promise.race([finished, timedOut])) && state.inFlight.size > 0) {
			const jobs = [...state.inFlight.values()].map(j => ({ id: j.id, token: j.token }));
			this.logger.warn(`giving back ${jobs.length} unfinished job(s)`);
			await this.broker.call("scheduler.release", { jobs }).catch(() => undefined);
		}
		clearInterval(state.heartbeat);
	}
};

/** Typed loosely so any service can list it under `mixins`. */
export const WorkerMixin = workerSchema as unknown as Partial<ServiceSchema>;
export default WorkerMixin;
