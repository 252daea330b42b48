/**
 * The insights schedules as scheduler jobs keyed by their period. Every insights node enqueues the
 * same keys; the scheduler keeps one job per key, so each runs once per cluster, on whichever node
 * leases it, at its runAt or as soon as a node is up after it.
 */
import { dayKey, periodAt, previousPeriod } from "./periods";

export const JOB = {
	/** Per day: fans out one `insights.ingest` job per user active lately. */
	daily: "insights.daily",
	/** Per ISO week, for the week just ended: fans out one `insights.summary` job per active user. */
	weekly: "insights.weekly",
	/** Per day: deletes old snapshots, usage records and finished tasks. */
	cleanup: "insights.cleanup",
	/** One user brought up to date (scheduled, or asked for through POST /listening/ingest). */
	ingest: "insights.ingest",
	/** One user's weekly summary insight. */
	summary: "insights.summary",
	/** One insight asked for through POST /insights/generate. */
	generate: "insights.generate"
} as const;

export const JOB_TYPES = Object.values(JOB);

export interface ScheduledJob {
	type: string;
	entity: string;
	tier: "high" | "medium" | "low";
	runAt: number;
	payload?: Record<string, unknown>;
}

const HOUR_MS = 3_600_000;
/** The summary and cleanup follow the daily ingestion, so they see today's snapshots. */
const SUMMARY_DELAY_MS = 30 * 60_000;
const CLEANUP_DELAY_MS = 60 * 60_000;

/** The period-keyed jobs of the current day and week, with the times they are due. */
export function scheduledJobs(now: number, dailyHour: number): ScheduledJob[] {
	const today = periodAt("day", now);
	const thisWeek = periodAt("week", now);
	const lastWeek = previousPeriod(thisWeek);
	const dailyAt = today.start + dailyHour * HOUR_MS;
	return [
		{ type: JOB.daily, entity: dayKey(now), tier: "medium", runAt: dailyAt },
		{ type: JOB.weekly, entity: lastWeek.key, tier: "medium", runAt: thisWeek.start + dailyHour * HOUR_MS + SUMMARY_DELAY_MS, payload: { week: lastWeek.key, start: lastWeek.start } },
		{ type: JOB.cleanup, entity: dayKey(now), tier: "low", runAt: dailyAt + CLEANUP_DELAY_MS }
	];
}
