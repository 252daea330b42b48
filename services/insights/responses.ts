/** JSON Schemas of the insights service's answers (services/insights/model.ts SnapshotView, InsightView). */
import { anyValue, dateTime, int, mapOf, nullable, num, obj, oneOf, str } from "../api/doc/schemas";

export const INSIGHTS = {
	accepted: obj({ taskId: str, status: oneOf("pending", "running", "done", "failed"), statusUrl: str }),
	acceptedExample: { taskId: "0d6c1b9e-7f3a-4a52-8e11-2c9d4b7a6f50", status: "pending", statusUrl: "/api/v1/tasks/0d6c1b9e-7f3a-4a52-8e11-2c9d4b7a6f50" },
	snapshot: {
		...obj({ id: str, userId: str, period: str, key: str, start: dateTime, end: dateTime, computedAt: dateTime, figures: obj({}), change: nullable(obj({})), sources: mapOf(int), spotifyTop: anyValue }, ["sources", "spotifyTop"]),
		examples: [{ id: "snap_1", userId: "u_9f2c", period: "week", key: "2026-W49", start: "2026-11-30T00:00:00.000Z", end: "2026-12-07T00:00:00.000Z", computedAt: "2026-12-06T21:00:00.000Z", figures: { plays: 40 }, change: null }]
	},
	insight: {
		...obj(
			{
				id: str,
				taskId: str,
				trigger: oneOf("request", "schedule"),
				userId: str,
				snapshotId: str,
				period: str,
				periodKey: str,
				insightType: str,
				toneMode: str,
				version: int,
				model: str,
				promptVersion: str,
				tokensIn: int,
				tokensOut: int,
				latencyMs: num,
				costUsd: num,
				calls: int,
				content: obj({}),
				createdAt: dateTime
			},
			["taskId", "costUsd"]
		),
		examples: [
			{ id: "ins_1", trigger: "request", userId: "u_9f2c", snapshotId: "snap_1", period: "week", periodKey: "2026-W49", insightType: "summary", toneMode: "neutral", version: 1, model: "builtin", promptVersion: "1", tokensIn: 0, tokensOut: 0, latencyMs: 3, calls: 0, content: { headline: "A faster week" }, createdAt: "2026-12-06T21:00:00.000Z" }
		]
	}
};
