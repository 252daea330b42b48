/**
 * Brokers for the insights tests: the real scheduler, tasks, activity and insights services, and
 * a stand-in catalog answering getMany from the hand-made tracks (the catalog's own behaviour is
 * tested elsewhere; here it only names tracks and gives their features).
 */
import { ServiceBroker, type Context, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig, type Env } from "../../../config";
import { serviceCatalog } from "../../../services";
import type { AuthUser } from "../../../services/shared/access";
import type { TaskView } from "../../../services/tasks/model";
import type { SnapshotView } from "../../../services/insights/model";
import { eventually } from "../../harness/ports";
import { TRACKS } from "./history";

export const DAY = 86_400_000;
const H = 3_600_000;

/** A catalog that knows the hand-made tracks t1-t3; `isrcs` lets catalog.match find some of them. */
export function standInCatalog(isrcs: Record<string, string> = {}): ServiceSchema {
	return {
		name: "catalog",
		actions: {
			getMany(ctx: Context<{ ids: string[] }>) {
				return ctx.params.ids.flatMap(id => {
					const t = TRACKS.get(id);
					return t ? [{ _id: id, name: t.name, artists: t.artists.map(name => ({ name })), genre: t.genre, tempo: t.tempo, energy: t.energy, valence: t.valence }] : [];
				});
			},
			match(ctx: Context<{ items: Array<{ isrc?: string }> }>) {
				return ctx.params.items.map(item => (item.isrc && isrcs[item.isrc] ? { trackId: isrcs[item.isrc], matchedBy: "isrc" } : null));
			}
		}
	};
}

export const INSIGHTS_SERVICES = ["scheduler", "tasks", "activity", "insights"];

/** What every insights test broker runs with: fast polling, no schedules, no Spotify. */
export const BASE_ENV: Env = {
	WORKER_POLL_MS: "20",
	JOB_BACKOFF_BASE_MS: "10",
	JOB_BACKOFF_MAX_MS: "50",
	INSIGHTS_SCHEDULES: "false",
	INSIGHTS_SPOTIFY_SOURCE: "false"
};

export function schemas(names = INSIGHTS_SERVICES, catalog = standInCatalog()): ServiceSchema[] {
	return [...names.map(n => serviceCatalog[n] as ServiceSchema), catalog];
}

/** A broker without gateway, with metrics on so tests can read the insights figures. */
export async function startBroker(env: Env = {}): Promise<ServiceBroker> {
	const broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [] } });
	attachConfig(broker, testConfig({ ...BASE_ENV, ...env }));
	for (const schema of schemas()) broker.createService(schema);
	await broker.start();
	return broker;
}

/**
 * Records a small listening history for `userId` over the two days before today: plays of t1, t2
 * and t3 (one with a skip), a like and a share. Returns how many plays.
 */
export async function seedHistory(broker: ServiceBroker, userId: string): Promise<number> {
	const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
	const events = [
		{ type: "play", trackId: "t1", at: yesterday + 7 * H, msPlayed: 200_000 },
		{ type: "play", trackId: "t2", at: yesterday + 7 * H + 300_000, msPlayed: 60_000 },
		{ type: "skip", trackId: "t2", at: yesterday + 7 * H + 360_000 },
		{ type: "play", trackId: "t3", at: yesterday + 18 * H, msPlayed: 240_000 },
		{ type: "like", trackId: "t3", at: yesterday + 18 * H + 60_000 },
		{ type: "play", trackId: "t1", at: yesterday + 19 * H, msPlayed: 200_000 },
		{ type: "share", trackId: "t1", at: yesterday + 19 * H + 60_000 }
	];
	for (const e of events) await broker.call("activity.record", { userId, ...e });
	return events.filter(e => e.type === "play").length;
}

export function asUser(user: AuthUser) {
	return { meta: { user } };
}

/** Waits for a task to finish (done or failed) and returns it. */
export function finished(broker: ServiceBroker, taskId: string, timeoutMs = 20000): Promise<TaskView> {
	return eventually(
		`task ${taskId} to finish`,
		async () => {
			const task = await broker.call<TaskView, object>("tasks.get", { id: taskId });
			return task.status === "done" || task.status === "failed" ? task : null;
		},
		timeoutMs,
		25
	);
}

/** Ingests the user's activity through the action and returns their week snapshot. */
export async function ingestWeek(broker: ServiceBroker, user: AuthUser): Promise<SnapshotView> {
	const { taskId } = await broker.call<{ taskId: string }, object>("insights.ingest", {}, asUser(user));
	const task = await finished(broker, taskId);
	if (task.status !== "done") throw new Error(`ingestion failed: ${JSON.stringify(task.error)}`);
	const { snapshots } = await broker.call<{ snapshots: SnapshotView[] }, object>("insights.snapshots", { period: "week" }, asUser(user));
	// Yesterday may fall in last week: take the week with the plays.
	const week = snapshots.find(s => s.figures.plays > 0);
	if (!week) throw new Error("no week snapshot with plays");
	return week;
}

/** Asks for an insight and waits for its task. */
export async function generate(broker: ServiceBroker, user: AuthUser, snapshotId: string, type = "wellness", tone = "supportive"): Promise<TaskView> {
	const { taskId } = await broker.call<{ taskId: string }, object>("insights.generate", { snapshot_id: snapshotId, insight_type: type, tone_mode: tone }, asUser(user));
	return finished(broker, taskId);
}

/** A counter's or histogram's value for one label set, 0 when it was never touched. */
export function metricValue(broker: ServiceBroker, name: string, labels: Record<string, string>): number {
	const metric = broker.metrics.getMetric(name);
	const item = metric?.get(labels) as { value?: number; count?: number } | null | undefined;
	return item?.value ?? item?.count ?? 0;
}
