/**
 * Turns a service into a stateless crawl worker: it leases jobs of its types from the scheduler,
 * runs them with per-node concurrency, heartbeats long ones, and reports success or a typed
 * failure. On stop it leases nothing more, lets in-flight jobs finish within the shutdown timeout
 * and gives back the rest, so a restart loses nothing. Operators change its concurrency at run
 * time (persisted by the scheduler, read back at start) and drain it before stopping a node.
 */
import type { Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { configFor } from "../config";
import type { FailureKind, LeasedJob } from "../services/scheduler/jobs";
import type { ConcurrencySetting } from "../services/scheduler/concurrency";
import { errorKind, retryAfterOf, type UpstreamErrorKind } from "./upstream/errors";
import { serviceAvailable } from "../services/shared/registry";
import { ensureCrawlerMetrics } from "./metrics/crawler";

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
		/** Services the jobs call (besides the scheduler); nothing is leased until they are up. */
		needs?: string[];
	};
}

/** How a batch worker waits for full batches (see the scheduler's lease). */
export interface FillPolicy {
	fillMs: number;
	/** Job types that make more of this worker's jobs: a partial batch waits while they are pending. */
	fillWhile?: string[];
}

export interface WorkerMethods {
	/**
	 * Optional: the fill policy for the next lease, when it depends on the service's state (say,
	 * whether the upstream takes batches at all). Default: `fillMs` from the settings.
	 */
	fillPolicy?(): FillPolicy;
	/** Runs a leased batch; returns one result per job, in order. */
	processBatch(jobs: LeasedJob[]): Promise<JobResult[]>;
	/** Sets how many jobs run at once on this node; `by` says who decided (an operator by default). */
	setConcurrency(n: number, by?: ConcurrencySource): void;
	workerStatus(): WorkerStatus;
	/** Stops leasing; jobs in flight finish and are reported. Returns the status right away. */
	drain(): WorkerStatus;
	/** Leases again after a drain. */
	undrain(): WorkerStatus;
}

/** Where the running concurrency came from: configuration, a persisted operator setting, or an operator just now. */
export type ConcurrencySource = "config" | "cluster" | "node" | "operator";

export interface WorkerStatus {
	service: string;
	jobTypes: string[];
	concurrency: number;
	concurrencySource: ConcurrencySource;
	inFlight: number;
	processed: number;
	failed: number;
	/** Leasing has stopped (drain or shutdown). */
	draining: boolean;
	/** Draining and nothing in flight: stopping the node loses no work. */
	idle: boolean;
}

interface WorkerState {
	concurrency: number;
	concurrencySource: ConcurrencySource;
	loops: number;
	stopping: boolean;
	draining: boolean;
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

/** How long a job waits when a service it needs is not reachable (a node starting or restarting). */
const MISSING_SERVICE_DELAY_MS = 2000;

/**
 * A service the job calls is not up (start-up, a node restarting): not the job's failure, so it is
 * given back without spending an attempt.
 */
function missingService(err: Error): boolean {
	const type = (err as Error & { type?: unknown }).type;
	return err.name === "ServiceNotFoundError" || err.name === "ServiceNotAvailableError" || type === "SERVICE_NOT_FOUND" || type === "SERVICE_NOT_AVAILABLE";
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

/**
 * Attempts after which a job runs alone. A batch call fails whole when one item in it is poison
 * (an entity the upstream always answers with broken JSON), so jobs that failed twice run one by
 * one: the poison item ends in dead-letter alone and its batch-mates go through. Once is not
 * enough to suspect them: a batch that timed out once on a loaded upstream would otherwise come
 * back as 100 single calls instead of one batch.
 */
const ISOLATE_AFTER_FAILURES = 2;

async function runIsolatingRetries(this: WorkerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
	const fresh = jobs.filter(j => j.attempts <= ISOLATE_AFTER_FAILURES);
	const retried = jobs.filter(j => j.attempts > ISOLATE_AFTER_FAILURES);
	const byId = new Map<string, JobResult>();
	if (fresh.length) (await runBatch.call(this, fresh)).forEach((r, i) => byId.set(fresh[i].id, r));
	for (const job of retried) byId.set(job.id, (await runBatch.call(this, [job]))[0]);
	return jobs.map(j => byId.get(j.id) ?? new Error("no result for job"));
}

async function runLoop(this: WorkerThis): Promise<void> {
	const state = this.workerState;
	const { jobTypes, batchSize = 1, fillMs = 1000 } = this.settings.worker;
	const pollMs = configFor(this.broker).WORKER_POLL_MS;
	const needs = ["scheduler", ...(this.settings.worker.needs ?? [])];
	let emptyPolls = 0;
	while (!state.stopping && !state.draining && state.loops <= state.concurrency) {
		let jobs: LeasedJob[] = [];
		try {
			if (needs.every(name => serviceAvailable(this.broker, name))) {
				const fill = batchSize > 1 ? (this.fillPolicy?.() ?? { fillMs }) : undefined;
				jobs = await this.broker.call<LeasedJob[], object>("scheduler.lease", { types: jobTypes, max: batchSize, ...fill });
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
		publishGauges.call(this);
		const started = process.hrtime.bigint();
		const results = (await runIsolatingRetries.call(this, jobs)).map(r => r ?? new Error("no result for job"));
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		const giveBack = new Set(jobs.filter((_, i) => { const r = results[i]; return r instanceof Error && missingService(r); }));
		if (giveBack.size) {
			this.logger.info(`giving back ${giveBack.size} job(s) for later: ${(results[jobs.indexOf([...giveBack][0])] as Error).message}`);
			await this.broker.call("scheduler.release", { jobs: [...giveBack].map(j => ({ id: j.id, token: j.token })), delayMs: MISSING_SERVICE_DELAY_MS }).catch(() => undefined);
			for (const job of giveBack) state.inFlight.delete(job.id);
		}
		await reportResults.call(this, jobs.filter(j => !giveBack.has(j)), results.filter((_, i) => !giveBack.has(jobs[i])));
		this.broker.metrics?.observe("crawler_job_duration_seconds", seconds, { type: jobs[0].type });
	}
}

/**
 * Tells the scheduler how a batch went: the jobs that succeeded in one call (a feature batch is
 * 100 jobs; one call each would load the frontier's node more than the jobs do), each failure in
 * its own. A report that does not arrive is harmless: the lease runs out and the job comes back
 * (at-least-once, handlers are idempotent).
 */
async function reportResults(this: WorkerThis, jobs: LeasedJob[], results: JobResult[]): Promise<void> {
	const state = this.workerState;
	const done = (batch: LeasedJob[]) => {
		for (const job of batch) state.inFlight.delete(job.id);
		publishGauges.call(this);
	};
	const succeeded = jobs.filter((_, i) => !(results[i] instanceof Error));
	const completions = succeeded.map(job => {
		const outcome = (results[jobs.indexOf(job)] as { outcome?: string }).outcome;
		return { id: job.id, token: job.token, type: job.type, ...(outcome ? { outcome } : {}) };
	});
	state.processed += completions.length;
	for (const job of succeeded) this.broker.metrics?.increment("crawler_jobs_finished_total", { type: job.type });
	const completing = completions.length
		? this.broker
				.call("scheduler.completeMany", { jobs: completions })
				.catch((err: Error) => this.logger.warn(`could not report ${completions.length} finished job(s), starting with ${succeeded[0].key}: ${err.message}`))
				.finally(() => done(succeeded))
		: Promise.resolve();
	const failing = jobs.map(async (job, i) => {
		const result = results[i];
		if (!(result instanceof Error)) return;
		try {
			state.failed++;
			const failure = failureOf(result);
			this.broker.metrics?.increment("crawler_errors_total", { type: job.type, kind: failure.kind });
			await this.broker.call("scheduler.fail", { id: job.id, token: job.token, error: failure });
		} catch (err) {
			this.logger.warn(`could not report job ${job.key}: ${(err as Error).message}`);
		} finally {
			done([job]);
		}
	});
	await Promise.all([completing, ...failing]);
}

function startLoops(this: WorkerThis): void {
	const state = this.workerState;
	publishGauges.call(this);
	while (state.loops < state.concurrency && !state.stopping && !state.draining) {
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

function publishGauges(this: WorkerThis): void {
	if (!this.broker.isMetricsEnabled()) return;
	const state = this.workerState;
	this.broker.metrics.set(WORKER_GAUGES.concurrency, state.draining || state.stopping ? 0 : state.concurrency, { service: this.name });
	this.broker.metrics.set(WORKER_GAUGES.inFlight, state.inFlight.size, { service: this.name });
}

/**
 * The concurrency an operator stored for this service (on this node, or cluster-wide), read once
 * the scheduler is reachable; it applies before the first lease, so a restarted node never runs
 * above the setting. Without a stored value the configured one stays.
 */
async function loadStoredConcurrency(this: WorkerThis): Promise<void> {
	const state = this.workerState;
	const pollMs = configFor(this.broker).WORKER_POLL_MS;
	while (!state.stopping && !serviceAvailable(this.broker, "scheduler")) await sleep(pollMs, state);
	if (state.stopping) return;
	try {
		const stored = await this.broker.call<ConcurrencySetting | null, object>("scheduler.workerConcurrency", { service: this.name, nodeID: this.broker.nodeID });
		// An operator's command that arrived meanwhile is newer than what was stored.
		if (stored && state.concurrencySource === "config") {
			state.concurrency = stored.concurrency;
			state.concurrencySource = stored.scope;
		}
	} catch (err) {
		this.logger.warn(`could not read the stored concurrency, keeping ${state.concurrency}: ${(err as Error).message}`);
	}
}

const WORKER_GAUGES = { concurrency: "worker_concurrency", inFlight: "worker_in_flight" } as const;
const FAILURE_KINDS: FailureKind[] = ["retryable", "rate-limited", "not-found", "fatal"];

const workerSchema: Partial<ServiceSchema<WorkerSettings, WorkerMethods, WorkerVars>> = {
	methods: {
		setConcurrency(this: WorkerThis, n: number, by: ConcurrencySource = "operator") {
			this.workerState.concurrency = Math.max(0, Math.floor(n));
			this.workerState.concurrencySource = by;
			// Fewer loops: the extra ones end after their current batch. More: they start now.
			for (const wake of [...this.workerState.idle]) wake();
			startLoops.call(this);
		},
		workerStatus(this: WorkerThis): WorkerStatus {
			const s = this.workerState;
			const draining = s.stopping || s.draining;
			return {
				service: this.name,
				jobTypes: [...this.settings.worker.jobTypes],
				concurrency: s.concurrency,
				concurrencySource: s.concurrencySource,
				inFlight: s.inFlight.size,
				processed: s.processed,
				failed: s.failed,
				draining,
				idle: draining && s.inFlight.size === 0
			};
		},
		drain(this: WorkerThis): WorkerStatus {
			this.workerState.draining = true;
			for (const wake of [...this.workerState.idle]) wake();
			publishGauges.call(this);
			return this.workerStatus();
		},
		undrain(this: WorkerThis): WorkerStatus {
			this.workerState.draining = false;
			startLoops.call(this);
			return this.workerStatus();
		}
	},

	created(this: WorkerThis) {
		const config = configFor(this.broker);
		this.workerState = {
			concurrency: this.settings.worker.concurrency ?? config.CRAWLER_CONCURRENCY,
			concurrencySource: "config",
			loops: 0,
			stopping: false,
			draining: false,
			inFlight: new Map(),
			processed: 0,
			failed: 0,
			idle: new Set(),
			done: new Set()
		};
		const m = this.broker.metrics;
		if (this.broker.isMetricsEnabled()) {
			ensureCrawlerMetrics(this.broker);
			if (!m.getMetric(WORKER_GAUGES.concurrency)) m.register({ type: "gauge", name: WORKER_GAUGES.concurrency, labelNames: ["service"], description: "Jobs a worker service may run at once on this node (0 while draining)" });
			if (!m.getMetric(WORKER_GAUGES.inFlight)) m.register({ type: "gauge", name: WORKER_GAUGES.inFlight, labelNames: ["service"], description: "Jobs a worker service is running on this node" });
			// Counters start at zero for every series they will have, so the first failure shows in rate().
			for (const type of this.settings.worker.jobTypes) {
				for (const kind of FAILURE_KINDS) m.increment("crawler_errors_total", { type, kind }, 0);
				m.increment("crawler_jobs_finished_total", { type }, 0);
			}
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
		const boot: Promise<void> = loadStoredConcurrency
			.call(this)
			.then(() => startLoops.call(this))
			.finally(() => state.done.delete(boot));
		state.done.add(boot);
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
