/**
 * The OpenAPI 3.1 document of the gateway, built from the routes the service schemas declare
 * (./doc/routes.ts): every alias with its method and path, the called action's fastest-validator
 * `params` turned into JSON Schema, and its `summary` and `responses` keys. Nothing is written
 * twice, so the document cannot drift from the code, and it is whole whichever services run.
 */
import type { ActionSchema } from "moleculer";
import type { ActionResponse, JsonSchema } from "./doc/types";
import type { DocumentedRoute } from "./doc/routes";
import { componentSchemas, errorSchema } from "./doc/schemas";

/** fastest-validator rule (string shorthand or object) to JSON Schema, covering the rule types the services use. */
export function ruleToSchema(rule: unknown): { schema: JsonSchema; optional: boolean } {
	if (typeof rule === "string") {
		const [type, ...flags] = rule.split("|");
		return { schema: ruleToSchema({ type }).schema, optional: flags.includes("optional") };
	}
	if (Array.isArray(rule)) return { schema: { anyOf: rule.map(r => ruleToSchema(r).schema) }, optional: rule.some(r => ruleToSchema(r).optional) };
	const r = (rule ?? {}) as Record<string, unknown>;
	const optional = r.optional === true || r.default !== undefined;
	const schema: JsonSchema = {};
	switch (r.type) {
		case "string":
		case "email":
		case "url":
		case "uuid":
			schema.type = "string";
			if (r.type !== "string") schema.format = r.type === "url" ? "uri" : r.type;
			if (typeof r.min === "number") schema.minLength = r.min;
			if (typeof r.max === "number") schema.maxLength = r.max;
			if (r.pattern instanceof RegExp) schema.pattern = r.pattern.source;
			else if (typeof r.pattern === "string") schema.pattern = r.pattern;
			break;
		case "number":
			schema.type = r.integer ? "integer" : "number";
			if (typeof r.min === "number") schema.minimum = r.min;
			if (typeof r.max === "number") schema.maximum = r.max;
			break;
		case "boolean":
			schema.type = "boolean";
			break;
		case "enum":
			schema.enum = r.values;
			break;
		case "equal":
			schema.const = r.value;
			break;
		case "array":
			schema.type = "array";
			if (r.items !== undefined) schema.items = ruleToSchema(r.items).schema;
			if (typeof r.min === "number") schema.minItems = r.min;
			if (typeof r.max === "number") schema.maxItems = r.max;
			break;
		case "object":
			Object.assign(schema, objectSchema((r.props ?? r.properties) as Record<string, unknown> | undefined));
			break;
		case "multi":
			schema.anyOf = ((r.rules as unknown[]) ?? []).map(x => ruleToSchema(x).schema);
			break;
		default:
			// "any" and custom rules: no constraint to state.
			break;
	}
	if (r.default !== undefined && typeof r.default !== "function") schema.default = r.default;
	return { schema, optional };
}

export function objectSchema(props: Record<string, unknown> | undefined): JsonSchema {
	const schema: JsonSchema = { type: "object" };
	if (!props) return schema;
	const properties: Record<string, JsonSchema> = {};
	const required: string[] = [];
	for (const [name, rule] of Object.entries(props)) {
		if (name === "$$strict" || name === "$$async") continue;
		const { schema: s, optional } = ruleToSchema(rule);
		properties[name] = s;
		if (!optional) required.push(name);
	}
	schema.properties = properties;
	if (required.length) schema.required = required;
	return schema;
}

function errorResponse(description: string): JsonSchema {
	return { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
}

/** The example of a response: its own, or the first of the component it refers to. */
function exampleOf(doc: ActionResponse): unknown {
	if (doc.example !== undefined) return doc.example;
	if (Array.isArray(doc.schema?.examples)) return doc.schema.examples[0];
	const name = typeof doc.schema?.$ref === "string" ? doc.schema.$ref.split("/").pop() : undefined;
	const component = name ? (componentSchemas as Record<string, JsonSchema>)[name] : undefined;
	return Array.isArray(component?.examples) ? component.examples[0] : undefined;
}

function successResponse(doc: ActionResponse): JsonSchema {
	const content: Record<string, JsonSchema> = {};
	if (doc.schema) {
		const media: JsonSchema = { schema: doc.schema };
		const example = exampleOf(doc);
		if (example !== undefined) media.example = example;
		content["application/json"] = media;
	}
	for (const [type, schema] of Object.entries(doc.otherMedia ?? {})) content[type] = { schema };
	return Object.keys(content).length ? { description: doc.description, content } : { description: doc.description };
}

/** Who may call: public operations say so with an empty list, so a client never sends a token it has not got. */
function security(auth: ActionSchema["auth"]): JsonSchema[] {
	if (auth === "required" || auth === "admin") return [{ bearerAuth: [] }];
	if (auth === "optional") return [{ bearerAuth: [] }, {}];
	return [];
}

const AUTH_NOTES: Record<string, string> = {
	optional: "A token is optional: a signed-in caller gets answers for them.",
	required: "Signed-in users only.",
	admin: "Admins only."
};

/** OpenAPI wants operation ids unique; an action routed on several paths (the seeds' registrations) numbers the later ones. */
function operationId(route: DocumentedRoute, seen: Map<string, number>): string {
	const n = (seen.get(route.action) ?? 0) + 1;
	seen.set(route.action, n);
	return n === 1 ? route.action : `${route.action}.${n}`;
}

function operation(route: DocumentedRoute, id: string): JsonSchema {
	const info = route.schema;
	const pathParams = [...route.fullPath.matchAll(/:(\w+)/g)].map(m => m[1]);
	const props = { ...((info.params as Record<string, unknown> | undefined) ?? {}) };
	const parameters: JsonSchema[] = pathParams.map(name => {
		const s = props[name] === undefined ? { type: "string" } : ruleToSchema(props[name]).schema;
		delete props[name];
		return { name, in: "path", required: true, schema: s };
	});
	const auth = info.auth ?? "public";
	const op: JsonSchema = { operationId: id, "x-action": route.action, summary: info.summary ?? route.action, tags: [route.action.split(".")[0]] };
	if (AUTH_NOTES[auth]) op.description = AUTH_NOTES[auth];
	const method = route.method.toLowerCase();
	if (method === "get" || method === "delete") {
		for (const [name, rule] of Object.entries(props)) {
			if (name.startsWith("$$")) continue;
			const { schema, optional } = ruleToSchema(rule);
			parameters.push({ name, in: "query", required: !optional, schema });
		}
	} else if (Object.keys(props).length) {
		op.requestBody = { required: true, content: { "application/json": { schema: objectSchema(props) } } };
	}
	if (parameters.length) op.parameters = parameters;
	op.security = security(auth);
	const responses: Record<string, JsonSchema> = {};
	for (const [status, doc] of Object.entries(info.responses ?? {})) responses[status] = successResponse(doc);
	if (Object.keys(responses).length === 0) responses["200"] = { description: "OK" };
	if (auth !== "public") responses["401"] = errorResponse("No valid access token");
	if (auth === "admin" || auth === "required") responses["403"] = errorResponse("Not allowed for this caller");
	responses["404"] = errorResponse("Not found");
	responses["422"] = errorResponse("Invalid parameters: `fields` lists each one at fault");
	responses["429"] = errorResponse("Too many requests: retry after `Retry-After` seconds");
	op.responses = responses;
	return op;
}

export function openApiDocument(routes: readonly DocumentedRoute[], version: string): JsonSchema {
	const paths: Record<string, Record<string, JsonSchema>> = {};
	const sorted = [...routes].sort((a, b) => a.fullPath.localeCompare(b.fullPath) || a.method.localeCompare(b.method));
	const seen = new Map<string, number>();
	for (const route of sorted) {
		const path = route.fullPath.replace(/:(\w+)/g, "{$1}");
		paths[path] ??= {};
		paths[path][route.method.toLowerCase()] = operation(route, operationId(route, seen));
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "cratedigger API",
			version,
			description:
				"Music data for running apps, DJ tools and listening-insight apps. Errors are `{error: {status, type, message, requestId, fields?, data?}}`; " +
				"sign in with POST /api/v1/auth/login and send the access token as `Authorization: Bearer <token>`."
		},
		servers: [{ url: "/" }],
		paths,
		components: {
			securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
			schemas: { Error: errorSchema, ...componentSchemas }
		}
	};
}
