/**
 * Where the seed systems' apps send their requests: one gateway route holding every seed path
 * that cratedigger does not already answer natively, each to an adapter (api.compat*, ./actions.ts). Seeds 001 and 003 called
 * /api/... without a version, seed 002's recommendation service answered at the root.
 */
import type { ApiRouteSchema } from "moleculer-web";

export const COMPAT_ROUTE = "compat";

/** Seed → alias → action; docs/compat.md has the same table with the native routes and the differences. */
export const compatAliases: Record<string, string> = {
	// Seed 000 (RunDJ); its other routes are native /api/v1 routes.
	"POST api/v1/user/register": "api.compatRegister",
	// Seed 001 (Spotify Insights).
	"POST api/users/register": "api.compatRegister",
	"POST api/tokens/store": "api.compatTokensStore",
	"POST api/listening/ingest": "api.compatIngest",
	"GET api/listening/snapshots": "api.compatSnapshots",
	"POST api/insights/generate": "api.compatGenerate",
	"GET api/insights/user/:id": "api.compatUserInsights",
	"GET api/insights/:id": "api.compatInsight",
	"GET api/tasks": "api.compatTaskList",
	"GET api/tasks/:task_id": "api.compatTask",
	// Seed 002 (CATCH): the core API's user creation, and the ML service at the root.
	"POST api/v1/users": "api.compatRegister",
	"POST recommendations": "api.compatRecommendations",
	"POST similar-tracks": "api.compatSimilar",
	"POST user-interaction": "api.compatInteraction",
	// Seed 003 (Music Discovery); its paths end in a slash, which the router accepts.
	"POST api/users": "api.compatRegister",
	"GET api/users": "api.compatUserList",
	"GET api/users/:id": "api.compatUserGet",
	"PUT api/users/:id": "api.compatUserUpdate",
	"PATCH api/users/:id": "api.compatUserUpdate",
	"GET api/recommendations/user/:id": "api.compatRecommendationsForUser",
	"POST api/recommendations/user/:id/refresh": "api.compatRefresh",
	"POST api/analytics/activity": "api.compatActivity",
	"GET api/analytics/summary": "api.compatSummary",
	"GET api/analytics/trends": "api.compatTrends",
	"GET api/analytics/user/:id": "api.compatUserAnalytics"
};

/** The compatibility route: the native /api/v1 route's parsers, guards, limits and hooks, with the seeds' aliases. */
export function compatRoute(native: ApiRouteSchema): ApiRouteSchema {
	return { ...native, name: COMPAT_ROUTE, path: "/", autoAliases: false, mappingPolicy: "restrict", aliases: compatAliases };
}
