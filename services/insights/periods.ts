/**
 * Calendar arithmetic of snapshot periods, in UTC: a day, an ISO week (Monday to Sunday, numbered
 * by ISO week-year) and a calendar month. Pure functions of epoch milliseconds.
 */

export const PERIODS = ["day", "week", "month"] as const;
export type Period = (typeof PERIODS)[number];

export const DAY_MS = 86_400_000;

/** One period: [start, end) in epoch ms, and its key, e.g. 2026-11-22, 2026-W47 or 2026-11. */
export interface PeriodRange {
	period: Period;
	start: number;
	end: number;
	key: string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function dayStart(at: number): number {
	return Math.floor(at / DAY_MS) * DAY_MS;
}

/** 0 for Monday ... 6 for Sunday. */
export function isoWeekday(at: number): number {
	return (new Date(at).getUTCDay() + 6) % 7;
}

export function dayKey(at: number): string {
	const d = new Date(at);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The ISO week key: the year of the week's Thursday, and the week number within that year. */
export function weekKey(at: number): string {
	const monday = dayStart(at) - isoWeekday(at) * DAY_MS;
	const thursday = monday + 3 * DAY_MS;
	const year = new Date(thursday).getUTCFullYear();
	const jan4 = Date.UTC(year, 0, 4);
	const week1Monday = jan4 - isoWeekday(jan4) * DAY_MS;
	return `${year}-W${pad(Math.floor((monday - week1Monday) / (7 * DAY_MS)) + 1)}`;
}

export function periodAt(period: Period, at: number): PeriodRange {
	if (period === "day") {
		const start = dayStart(at);
		return { period, start, end: start + DAY_MS, key: dayKey(start) };
	}
	if (period === "week") {
		const start = dayStart(at) - isoWeekday(at) * DAY_MS;
		return { period, start, end: start + 7 * DAY_MS, key: weekKey(start) };
	}
	const d = new Date(at);
	const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
	const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
	return { period, start, end, key: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}` };
}

export function previousPeriod(range: PeriodRange): PeriodRange {
	return periodAt(range.period, range.start - 1);
}

export function nextPeriod(range: PeriodRange): PeriodRange {
	return periodAt(range.period, range.end);
}

/** A snapshot's id: one per user, period and key, so recomputing a period replaces its snapshot. */
export function snapshotId(userId: string, range: Pick<PeriodRange, "period" | "key">): string {
	return `${userId}:${range.period}:${range.key}`;
}
