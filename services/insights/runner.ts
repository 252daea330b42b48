/**
 * What the insights service does with each scheduler job it leases. Scheduled fan-outs and
 * ingestions throw on failure so the scheduler retries them; generations report their failure to
 * their task instead (the LLM client has retried already) and complete the job.
 */
import { randomUUID } from "node:crypto";
import type { Logger, ServiceBroker } from "moleculer";
import type { Config } from "../../config";
import type { InsightType, ToneMode } from "../../config/insights";
import type { Collection } from "../../mixins/store/types";
import type { JobResult } from "../../mixins/worker.mixin";
import type { LeasedJob } from "../scheduler/jobs";
import { serviceAvailable } from "../shared/registry";
import { BudgetError } from "./budget";
import { generateInsight, InvalidOutputError } from "./generate";
import { ingestUser, type IngestResult } from "./ingest";
import { LlmError, type LlmClient } from "./llm";
import type { FailureReason, InsightMetrics } from "./metrics";
import type { CursorDoc, InsightDoc, SnapshotDoc, UsageDoc } from "./model";
import { DAY_MS, snapshotId } from "./periods";
import { JOB } from "./schedules";
import { activityEvents, catalogFacts } from "./sources";
import type { SpotifySource } from "./spotify-source";

export interface Runtime {
	broker: ServiceBroker;
	logger: Logger;
	config: Config;
	metrics: InsightMetrics;
	/** Absent: the built-in generator writes insights. */
	llm?: LlmClient;
	spotify?: SpotifySource;
	snapshots: Collection<SnapshotDoc>;
	insights: Collection<InsightDoc>;
	cursors: Collection<CursorDoc>;
	usage: Collection<UsageDoc>;
	counters: Collection<{ _id: string; n: number }>;
}

/** Users active this long before the daily run get their snapshots brought up to date. */
const ACTIVE_WINDOW_MS = 2 * DAY_MS;
const USAGE_RETENTION_MS = 7 * DAY_MS;

export function failureReason(err: unknown): FailureReason {
	if (err instanceof BudgetError) return "budget";
	if (err instanceof InvalidOutputError) return "invalid_output";
	if (err instanceof LlmError) return err.reason;
	return "other";
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** Brings one user up to date: Spotify's recent plays first (when linked), then the snapshots. */
export async function ingest(rt: Runtime, userId: string, from?: number): Promise<IngestResult> {
	const now = Date.now();
	const lateFrom = rt.spotify ? await rt.spotify.pull(userId, now) : undefined;
	const result = await ingestUser(
		{
			snapshots: rt.snapshots,
			cursors: rt.cursors,
			events: async (user, since, until) => {
				const own = await activityEvents(rt.broker, user, since, until);
				const spotify = rt.spotify ? await rt.spotify.events(user, since, until) : [];
				return spotify.length ? [...own, ...spotify].sort((a, b) => a.at - b.at) : own;
			},
			tracks: ids => catalogFacts(rt.broker, ids),
			now,
			backfillDays: rt.config.INSIGHTS_BACKFILL_DAYS
		},
		userId,
		{ ...(from !== undefined ? { from } : {}), ...(lateFrom !== undefined ? { lateFrom } : {}) }
	);
	if (rt.spotify) await rt.spotify.attachTop(userId, now);
	rt.metrics.snapshots(result.snapshots);
	return result;
}

/** Writes one insight version and stores it; `taskId` makes a retried job write it once. */
export async function generateAndStore(
	rt: Runtime,
	snapshot: SnapshotDoc,
	type: InsightType,
	tone: ToneMode,
	trigger: InsightDoc["trigger"],
	taskId?: string
): Promise<InsightDoc> {
	const c = rt.config;
	const generated = await generateInsight(
		{
			llm: rt.llm,
			promptVersion: c.INSIGHTS_PROMPT_VERSION,
			maxOutputTokens: c.OPENAI_MAX_OUTPUT_TOKENS,
			budget: c.INSIGHTS_DAILY_TOKEN_BUDGET,
			usage: rt.usage,
			priceInPerMTok: c.OPENAI_PRICE_IN_PER_MTOK,
			priceOutPerMTok: c.OPENAI_PRICE_OUT_PER_MTOK,
			now: Date.now,
			onCall: res => rt.metrics.llmCall(rt.llm?.model ?? res.model, res.tokensIn, res.tokensOut, res.latencyMs)
		},
		snapshot,
		type,
		tone
	);
	const counter = await rt.counters.upsert({ _id: `${snapshot._id}|${type}` }, { $inc: { n: 1 } });
	const doc = await rt.insights.insert({
		_id: randomUUID(),
		...(taskId ? { taskId } : {}),
		trigger,
		userId: snapshot.userId,
		snapshotId: snapshot._id,
		period: snapshot.period,
		periodKey: snapshot.key,
		insightType: type,
		toneMode: tone,
		version: counter.n,
		...generated,
		createdAt: Date.now()
	});
	rt.metrics.generated(type, rt.llm ? rt.llm.model : generated.model);
	return doc;
}

async function runGenerate(rt: Runtime, job: LeasedJob): Promise<JobResult> {
	const taskId = str(job.payload.taskId) ?? job.entity;
	const done = await rt.insights.findOne({ taskId });
	if (done) {
		await rt.broker.call("tasks.finish", { id: taskId, result: { insightId: done._id, version: done.version, model: done.model } });
		return { outcome: "already written" };
	}
	await rt.broker.call("tasks.start", { id: taskId });
	const snapshot = await rt.snapshots.findOne({ _id: str(job.payload.snapshotId) ?? "" });
	if (!snapshot) {
		rt.metrics.failed("snapshot_missing");
		await rt.broker.call("tasks.fail", { id: taskId, message: `Snapshot ${String(job.payload.snapshotId)} no longer exists`, type: "SNAPSHOT_NOT_FOUND" });
		return { outcome: "failed: snapshot_missing" };
	}
	try {
		const doc = await generateAndStore(rt, snapshot, job.payload.insightType as InsightType, job.payload.toneMode as ToneMode, "request", taskId);
		await rt.broker.call("tasks.finish", { id: taskId, result: { insightId: doc._id, version: doc.version, model: doc.model } });
		return { outcome: `insight ${doc._id} v${doc.version}` };
	} catch (err) {
		const reason = failureReason(err);
		if (reason === "other") {
			// Store or cluster trouble: the scheduler retries the job; the last attempt fails the task.
			if (job.attempts >= rt.config.JOB_MAX_ATTEMPTS) {
				rt.metrics.failed("other");
				await rt.broker.call("tasks.fail", { id: taskId, message: `Generation failed: ${(err as Error).message}`, type: "INTERNAL" }).catch(() => undefined);
			}
			throw err;
		}
		rt.metrics.failed(reason);
		const e = err as Error & { type?: string };
		await rt.broker.call("tasks.fail", { id: taskId, message: e.message, type: e.type ?? reason.toUpperCase() });
		return { outcome: `failed: ${reason}` };
	}
}

async function runIngest(rt: Runtime, job: LeasedJob): Promise<JobResult> {
	const userId = str(job.payload.userId) ?? "";
	const taskId = str(job.payload.taskId);
	const from = typeof job.payload.from === "number" ? job.payload.from : undefined;
	if (taskId) await rt.broker.call("tasks.start", { id: taskId });
	try {
		const result = await ingest(rt, userId, from);
		if (taskId) await rt.broker.call("tasks.finish", { id: taskId, result });
		return { outcome: `${result.events} events` };
	} catch (err) {
		rt.metrics.failed("ingest");
		if (taskId && job.attempts >= rt.config.JOB_MAX_ATTEMPTS) {
			await rt.broker.call("tasks.fail", { id: taskId, message: `Ingestion failed: ${(err as Error).message}`, type: "INGEST_FAILED" }).catch(() => undefined);
		}
		throw err;
	}
}

async function activeUsers(rt: Runtime, since: number): Promise<string[]> {
	if (!serviceAvailable(rt.broker, "activity")) throw new Error("the activity service is not running anywhere in the cluster");
	return rt.broker.call<string[], object>("activity.activeUsers", { since });
}

async function fanOut(rt: Runtime, type: string, users: string[], suffix: string, payload: Record<string, unknown>): Promise<JobResult> {
	const jobs = users.map(userId => ({ type, entity: `${userId}@${suffix}`, tier: "low", payload: { ...payload, userId } }));
	for (let i = 0; i < jobs.length; i += 1000) await rt.broker.call("scheduler.enqueue", { jobs: jobs.slice(i, i + 1000) });
	return { outcome: `${users.length} users` };
}

async function runSummary(rt: Runtime, job: LeasedJob): Promise<JobResult> {
	const userId = str(job.payload.userId) ?? "";
	const week = str(job.payload.week) ?? "";
	const type = rt.config.INSIGHTS_WEEKLY_TYPE;
	await ingest(rt, userId);
	const snapshot = await rt.snapshots.findOne({ _id: snapshotId(userId, { period: "week", key: week }) });
	if (!snapshot) return { outcome: "no snapshot" };
	if (await rt.insights.findOne({ snapshotId: snapshot._id, insightType: type, trigger: "schedule" })) return { outcome: "already written" };
	try {
		const doc = await generateAndStore(rt, snapshot, type, rt.config.INSIGHTS_WEEKLY_TONE, "schedule");
		return { outcome: `insight ${doc._id}` };
	} catch (err) {
		const reason = failureReason(err);
		if (reason === "other") throw err;
		rt.metrics.failed(reason);
		return { outcome: `failed: ${reason}` };
	}
}

async function runCleanup(rt: Runtime): Promise<JobResult> {
	const now = Date.now();
	const c = rt.config;
	const snapshots = await rt.snapshots.delete({ end: { $lt: now - c.INSIGHTS_SNAPSHOT_RETENTION_DAYS * DAY_MS } }, { multi: true });
	const usage = await rt.usage.delete({ updatedAt: { $lt: now - USAGE_RETENTION_MS } }, { multi: true });
	let tasks = 0;
	if (serviceAvailable(rt.broker, "tasks")) {
		tasks = (await rt.broker.call<{ removed: number }, object>("tasks.cleanup", { olderThanMs: c.INSIGHTS_TASK_RETENTION_DAYS * DAY_MS })).removed;
	}
	return { outcome: `removed ${snapshots} snapshots, ${usage} usage records, ${tasks} tasks` };
}

export async function runJob(rt: Runtime, job: LeasedJob): Promise<JobResult> {
	switch (job.type) {
		case JOB.generate:
			return runGenerate(rt, job);
		case JOB.ingest:
			return runIngest(rt, job);
		case JOB.summary:
			return runSummary(rt, job);
		case JOB.daily:
			return fanOut(rt, JOB.ingest, await activeUsers(rt, Date.now() - ACTIVE_WINDOW_MS), job.entity, {});
		case JOB.weekly: {
			const start = typeof job.payload.start === "number" ? job.payload.start : Date.now() - 7 * DAY_MS;
			return fanOut(rt, JOB.summary, await activeUsers(rt, start), job.entity, { week: job.entity });
		}
		case JOB.cleanup:
			return runCleanup(rt);
		default:
			return new Error(`insights cannot run jobs of type ${job.type}`);
	}
}
