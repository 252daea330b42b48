import type { Doc } from "../../mixins/store/types";

export type TaskStatus = "pending" | "running" | "done" | "failed";

/** One asynchronous piece of work a client can poll with GET /api/v1/tasks/:id. */
export interface TaskDoc extends Doc {
	/** What kind of work: "tracklist.scrape", "insight.generate", "recommendations.refresh", ... */
	kind: string;
	/** The user who asked; only they and admins may read it. Absent for system tasks. */
	ownerId?: string;
	status: TaskStatus;
	progress?: { done: number; total: number };
	result?: unknown;
	error?: { message: string; type?: string };
	createdAt: number;
	updatedAt: number;
	startedAt?: number;
	finishedAt?: number;
}

/** The public view of a task. */
export interface TaskView {
	id: string;
	kind: string;
	status: TaskStatus;
	progress?: { done: number; total: number };
	result?: unknown;
	error?: { message: string; type?: string };
	createdAt: string;
	updatedAt: string;
	startedAt?: string;
	finishedAt?: string;
}

export function taskView(doc: TaskDoc): TaskView {
	const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
	return {
		id: doc._id,
		kind: doc.kind,
		status: doc.status,
		progress: doc.progress,
		result: doc.result,
		error: doc.error,
		createdAt: new Date(doc.createdAt).toISOString(),
		updatedAt: new Date(doc.updatedAt).toISOString(),
		startedAt: iso(doc.startedAt),
		finishedAt: iso(doc.finishedAt)
	};
}
