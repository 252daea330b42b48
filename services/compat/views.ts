/**
 * cratedigger's answers in the field names the seed systems' apps read. Each function renames,
 * never computes: the data is the native action's.
 */
import type { InsightView, SnapshotView } from "../insights/model";
import type { TaskStatus, TaskView } from "../tasks/model";
import type { UserProfile } from "../users/model";
import type { SessionView } from "../users.service";

/** Celery's state names, which seed 001's clients poll for. */
export const SEED_TASK_STATUS: Record<TaskStatus, "PENDING" | "STARTED" | "SUCCESS" | "FAILURE"> = {
	pending: "PENDING",
	running: "STARTED",
	done: "SUCCESS",
	failed: "FAILURE"
};

export function nativeTaskStatus(seed: string): TaskStatus | undefined {
	return (Object.keys(SEED_TASK_STATUS) as TaskStatus[]).find(s => SEED_TASK_STATUS[s] === seed);
}

const snake = (key: string) => key.replace(/[A-Z]/g, c => `_${c.toLowerCase()}`);

/** An object's own keys in snake_case, one level deep (a task's result: insightId → insight_id). */
export function snakeKeys(value: unknown): unknown {
	if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
	return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), v]));
}

export interface SeedTask {
	task_id: string;
	status: (typeof SEED_TASK_STATUS)[TaskStatus];
	kind: string;
	result: unknown;
	error?: { message: string; type?: string };
	progress?: { done: number; total: number };
	created_at: string;
	updated_at: string;
	started_at?: string;
	finished_at?: string;
}

export function seedTask(task: TaskView): SeedTask {
	return {
		task_id: task.id,
		status: SEED_TASK_STATUS[task.status],
		kind: task.kind,
		result: snakeKeys(task.result ?? null),
		...(task.error ? { error: task.error } : {}),
		...(task.progress ? { progress: task.progress } : {}),
		created_at: task.createdAt,
		updated_at: task.updatedAt,
		...(task.startedAt ? { started_at: task.startedAt } : {}),
		...(task.finishedAt ? { finished_at: task.finishedAt } : {})
	};
}

/** What an accepted piece of work answers: the task to poll, in seed 001's names. */
export function seedAccepted(accepted: { taskId: string; status: TaskStatus; statusUrl?: string }) {
	return { task_id: accepted.taskId, status: SEED_TASK_STATUS[accepted.status], status_url: `/api/tasks/${accepted.taskId}` };
}

/** A profile under every seed's names at once: seed 001 user_id, seed 002 display_name, seed 003 username and profile. */
export function seedUser(user: UserProfile) {
	return {
		id: user.id,
		user_id: user.id,
		...(user.email !== undefined ? { email: user.email } : {}),
		username: user.displayName,
		display_name: user.displayName,
		role: user.role,
		profile: { favorite_genres: user.preferences.genres, favorite_artists: user.preferences.artists, moods: user.preferences.moods },
		spotify_linked: user.spotify.linked,
		created_at: user.createdAt
	};
}

/** A registration's answer: the user, and the session the seed systems did not have (they had no login). */
export function seedSession(session: SessionView) {
	return {
		...seedUser(session.user),
		access_token: session.accessToken,
		token_type: session.tokenType,
		expires_in: session.expiresIn,
		refresh_token: session.refreshToken
	};
}

export function seedSnapshot(s: SnapshotView) {
	return { snapshot_id: s.id, user_id: s.userId, period: s.period, period_key: s.key, start: s.start, end: s.end, computed_at: s.computedAt, figures: s.figures, change: s.change };
}

export function seedInsight(i: InsightView) {
	return {
		insight_id: i.id,
		user_id: i.userId,
		snapshot_id: i.snapshotId,
		insight_type: i.insightType,
		tone_mode: i.toneMode,
		version: i.version,
		model: i.model,
		content: i.content,
		created_at: i.createdAt
	};
}
