import type { ServiceBroker } from "moleculer";
import type { Collection } from "../../../mixins/store/types";
import type { JobDoc } from "../../../services/scheduler/jobs";
import type { InsightView, SnapshotDoc, SnapshotView } from "../../../services/insights/model";
import { dayKey, periodAt } from "../../../services/insights/periods";
import { JOB, scheduledJobs } from "../../../services/insights/schedules";
import { eventually } from "../../harness/ports";
import { asUser, DAY, seedHistory, startBroker } from "./helpers";

const ADMIN = { id: "admin", role: "admin" as const };
const H = 3_600_000;

function snapshotsOf(broker: ServiceBroker, userId: string, period?: string) {
	return broker.call<{ snapshots: SnapshotView[] }, object>("insights.snapshots", { user_id: userId, ...(period ? { period } : {}) }, asUser(ADMIN));
}

describe("insights schedules", () => {
	let broker: ServiceBroker | undefined;
	afterEach(async () => {
		await broker?.stop();
		broker = undefined;
	});

	it("keys each schedule by its period, due at the configured hour", () => {
		const now = Date.UTC(2026, 10, 18, 15, 20); // a Wednesday
		const jobs = scheduledJobs(now, 3);
		expect(jobs).toEqual([
			{ type: JOB.daily, entity: "2026-11-18", tier: "medium", runAt: Date.UTC(2026, 10, 18, 3) },
			{ type: JOB.weekly, entity: "2026-W46", tier: "medium", runAt: Date.UTC(2026, 10, 16, 3, 30), payload: { week: "2026-W46", start: Date.UTC(2026, 10, 9) } },
			{ type: JOB.cleanup, entity: "2026-11-18", tier: "low", runAt: Date.UTC(2026, 10, 18, 4) }
		]);
		// Any node, any time of the day: the same keys.
		expect(scheduledJobs(now + 6 * H, 3).map(j => `${j.type}:${j.entity}`)).toEqual(jobs.map(j => `${j.type}:${j.entity}`));
	});

	it("every insights node enqueues the same period-keyed jobs, so each runs once per cluster", async () => {
		broker = await startBroker({ INSIGHTS_SCHEDULES: "true", INSIGHTS_DAILY_HOUR: "23" });
		const key = `${JOB.daily}:${dayKey(Date.now())}`;
		await eventually("the daily job", () => broker?.call<JobDoc, object>("scheduler.job", { key }));
		// A second node (here: the same call again) adds nothing.
		const again = await broker.call<{ created: number; existing: number }, object>("scheduler.enqueue", { jobs: scheduledJobs(Date.now(), 23) });
		expect(again).toEqual({ created: 0, existing: 3, capped: 0 });
	});

	it("the daily job brings every active user's snapshots up to date", async () => {
		broker = await startBroker();
		const b = broker;
		const plays = await seedHistory(b, "runner-1");
		await seedHistory(b, "runner-2");
		const [daily] = scheduledJobs(Date.now(), 0);
		await b.call("scheduler.enqueue", { jobs: [daily] });
		for (const user of ["runner-1", "runner-2"]) {
			const days = await eventually(`${user}'s snapshots`, async () => (await snapshotsOf(b, user, "day")).snapshots[0]);
			expect(days.figures.plays).toBe(plays);
		}
		const fanOut = await b.call<JobDoc, object>("scheduler.job", { key: `${daily.type}:${daily.entity}` });
		expect(fanOut.outcome).toBe("2 users");
	});

	it("the weekly job writes one summary insight per active user for the week just ended", async () => {
		broker = await startBroker({ INSIGHTS_WEEKLY_TYPE: "running" });
		const b = broker;
		await seedHistory(b, "runner-3");
		const week = periodAt("week", Date.now() - DAY);
		const job = { type: JOB.weekly, entity: week.key, payload: { week: week.key, start: week.start } };
		await b.call("scheduler.enqueue", { jobs: [job] });
		const insights = await eventually("the weekly summary", async () => {
			const { insights } = await b.call<{ insights: InsightView[] }, object>("insights.listForUser", { id: "runner-3" }, asUser(ADMIN));
			return insights.length ? insights : null;
		});
		expect(insights).toHaveLength(1);
		expect(insights[0]).toMatchObject({ trigger: "schedule", insightType: "running", toneMode: "neutral", period: "week", periodKey: week.key, model: "builtin" });
	});

	it("the cleanup job deletes snapshots past retention and keeps the rest", async () => {
		broker = await startBroker({ INSIGHTS_SNAPSHOT_RETENTION_DAYS: "30" });
		const b = broker;
		await seedHistory(b, "runner-4");
		await b.call("insights.ingest", {}, asUser({ id: "runner-4", role: "user" }));
		const recent = await eventually("snapshots", async () => (await snapshotsOf(b, "runner-4")).snapshots.length);
		const service = b.getLocalService("insights") as unknown as { collection(name: string): Collection<SnapshotDoc> };
		const old = Date.now() - 90 * DAY;
		await service.collection("snapshots").upsert({ _id: "runner-4:day:old" }, { $set: { userId: "runner-4", period: "day", key: dayKey(old), start: old, end: old + DAY, computedAt: old } });
		const cleanup = scheduledJobs(Date.now(), 0)[2];
		await b.call("scheduler.enqueue", { jobs: [{ ...cleanup, runAt: Date.now() }] });
		const done = await eventually("the cleanup", async () => {
			const job = await b.call<JobDoc, object>("scheduler.job", { key: `${cleanup.type}:${cleanup.entity}` });
			return job.state === "done" ? job : null;
		});
		expect(done.outcome).toMatch(/^removed 1 snapshots/);
		expect((await snapshotsOf(b, "runner-4")).snapshots).toHaveLength(recent);
	});
});
