import { randomUUID } from "node:crypto";
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import type { Collection, Update } from "../mixins/store/types";
import { assertSelfOrAdmin, isAdmin, notFound, requireUser, type GatewayContext } from "./shared/access";
import { taskView, type TaskDoc, type TaskStatus, type TaskView } from "./tasks/model";
import { list, obj, ok, ref } from "./api/doc/schemas";

interface TasksMethods {
	tasks(): Collection<TaskDoc>;
	change(id: string, update: Update): Promise<TaskView>;
}
type TasksThis = Service & StoreMethods & TasksMethods;

const idParam = { type: "string", min: 1, max: 100 } as const;

/**
 * Status of asynchronous work (scrapes, insight generation, recommendation refreshes). The service
 * doing the work creates a task, moves it through running to done or failed, and the client polls
 * GET /api/v1/tasks/:id.
 */
const TasksService: ServiceSchema<ServiceSettingSchema, TasksMethods & StoreMethods> = {
	name: "tasks",
	mixins: [StoreMixin],
	settings: { rest: "/" },

	collections: {
		tasks: { indexes: [{ fields: { ownerId: 1, createdAt: -1 } }, { fields: { status: 1 } }, { fields: { updatedAt: 1 } }] }
	},

	actions: {
		/** Creates a pending task and returns its view; the caller keeps the id. */
		create: {
			visibility: "public",
			params: { kind: { type: "string", min: 1, max: 100 }, ownerId: { ...idParam, optional: true }, total: { type: "number", integer: true, min: 0, optional: true } },
			async handler(this: TasksThis, ctx: Context<{ kind: string; ownerId?: string; total?: number }>): Promise<TaskView> {
				const now = Date.now();
				const doc = await this.tasks().insert({
					_id: randomUUID(),
					kind: ctx.params.kind,
					ownerId: ctx.params.ownerId,
					status: "pending",
					progress: ctx.params.total === undefined ? undefined : { done: 0, total: ctx.params.total },
					createdAt: now,
					updatedAt: now
				});
				return taskView(doc);
			}
		},

		start: {
			visibility: "public",
			params: { id: idParam },
			handler(this: TasksThis, ctx: Context<{ id: string }>) {
				const now = Date.now();
				return this.change(ctx.params.id, { $set: { status: "running" satisfies TaskStatus, startedAt: now } });
			}
		},

		/** Records progress; `done` is how many of `total` parts are finished. */
		progress: {
			visibility: "public",
			params: { id: idParam, done: { type: "number", integer: true, min: 0 }, total: { type: "number", integer: true, min: 0 } },
			handler(this: TasksThis, ctx: Context<{ id: string; done: number; total: number }>) {
				const { done, total } = ctx.params;
				return this.change(ctx.params.id, { $set: { status: "running" satisfies TaskStatus, progress: { done, total } } });
			}
		},

		finish: {
			visibility: "public",
			params: { id: idParam, result: { type: "any", optional: true } },
			handler(this: TasksThis, ctx: Context<{ id: string; result?: unknown }>) {
				const now = Date.now();
				return this.change(ctx.params.id, { $set: { status: "done" satisfies TaskStatus, result: ctx.params.result ?? null, finishedAt: now } });
			}
		},

		fail: {
			visibility: "public",
			params: { id: idParam, message: { type: "string", min: 1 }, type: { type: "string", optional: true } },
			handler(this: TasksThis, ctx: Context<{ id: string; message: string; type?: string }>) {
				const now = Date.now();
				const error = { message: ctx.params.message, ...(ctx.params.type ? { type: ctx.params.type } : {}) };
				return this.change(ctx.params.id, { $set: { status: "failed" satisfies TaskStatus, error, finishedAt: now } });
			}
		},

		/** GET /api/v1/tasks/:id: the owner and admins read a task; a system task only admins. */
		get: {
			rest: "GET /tasks/:id",
			summary: "A task's status, progress and result (its owner or an admin)",
			responses: { 200: ok("The task", ref("Task")) },
			auth: "optional",
			params: { id: idParam },
			async handler(this: TasksThis, ctx: GatewayContext<{ id: string }>): Promise<TaskView> {
				const doc = await this.tasks().findOne({ _id: ctx.params.id });
				// An internal call (no gateway user, no meta) may read any task.
				const viaGateway = ctx.meta.user !== undefined || ctx.meta.ip !== undefined;
				if (!doc) throw notFound("Task", ctx.params.id);
				if (viaGateway) {
					if (doc.ownerId) assertSelfOrAdmin(ctx, doc.ownerId);
					else if (!isAdmin(ctx)) throw notFound("Task", ctx.params.id);
				}
				return taskView(doc);
			}
		},

		/**
		 * GET /api/v1/tasks?status=&kind=&limit=: the caller's tasks, newest first (the dashboard of
		 * seed 001 listed them); admins see every task, system tasks included.
		 */
		list: {
			rest: "GET /tasks",
			summary: "The caller's tasks, newest first",
			responses: { 200: ok("The tasks", obj({ items: list(ref("Task")) }), { items: [] }) },
			auth: "required",
			params: {
				$$strict: true,
				status: { type: "enum", values: ["pending", "running", "done", "failed"], optional: true },
				kind: { type: "string", min: 1, max: 100, pattern: /^[a-z]+(\.[a-z]+)*$/, optional: true },
				limit: { type: "number", integer: true, min: 1, max: 200, default: 50, convert: true }
			},
			async handler(this: TasksThis, ctx: GatewayContext<{ status?: TaskStatus; kind?: string; limit: number }>): Promise<{ items: TaskView[] }> {
				const user = requireUser(ctx);
				const { status, kind, limit } = ctx.params;
				const filter = { ...(isAdmin(ctx) ? {} : { ownerId: user.id }), ...(status ? { status } : {}), ...(kind ? { kind } : {}) };
				const docs = await this.tasks().find(filter, { sort: { createdAt: -1 }, limit });
				return { items: docs.map(taskView) };
			}
		},

		/** Removes finished tasks older than `olderThanMs`; returns how many went. */
		cleanup: {
			visibility: "public",
			params: { olderThanMs: { type: "number", integer: true, min: 0 } },
			async handler(this: TasksThis, ctx: Context<{ olderThanMs: number }>) {
				const before = Date.now() - ctx.params.olderThanMs;
				const removed = await this.tasks().delete({ status: { $in: ["done", "failed"] }, updatedAt: { $lt: before } }, { multi: true });
				return { removed };
			}
		},

		/** Removes every task a user owns (the user's data deletion). */
		forgetUser: {
			visibility: "public",
			params: { userId: idParam },
			async handler(this: TasksThis, ctx: Context<{ userId: string }>) {
				return { tasks: await this.tasks().delete({ ownerId: ctx.params.userId }, { multi: true }) };
			}
		}
	},

	methods: {
		tasks(this: TasksThis) {
			return this.collection<TaskDoc>("tasks");
		},
		async change(this: TasksThis, id: string, update: Update): Promise<TaskView> {
			update.$set = { ...update.$set, updatedAt: Date.now() };
			const doc = await this.tasks().findOneAndUpdate({ _id: id }, update);
			if (!doc) throw notFound("Task", id);
			return taskView(doc);
		}
	}
};

export default TasksService;
