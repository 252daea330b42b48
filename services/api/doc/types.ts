/** A JSON Schema (2020-12, as OpenAPI 3.1 takes it). */
export type JsonSchema = Record<string, unknown>;

/** One success answer of a routed action, as the OpenAPI document states it. */
export interface ActionResponse {
	/** What this answer means, in a few words ("The track", "Accepted: poll the task"). */
	description: string;
	/** The body's JSON Schema; omitted for an answer without a body. */
	schema?: JsonSchema;
	/** A body as the action returns it, for the docs page and generated clients' readers. */
	example?: unknown;
	/** Other media types the same answer may come as (a download): media type to body schema. */
	otherMedia?: Record<string, JsonSchema>;
}

/** Success answers by HTTP status: 200, 201 or 202 as the action sets `ctx.meta.$statusCode`. */
export type ActionResponses = Partial<Record<200 | 201 | 202 | 204, ActionResponse>>;
