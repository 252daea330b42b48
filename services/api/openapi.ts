/**
 * The OpenAPI 3.1 document of /api/v1, built from what the gateway actually routes: every alias
 * with its method and path, and the called action's fastest-validator `params` turned into JSON
 * Schema. Nothing is written twice, so the document cannot drift from the code.
 */

export interface RoutedAlias {
	method: string;
	fullPath: string;
	action: string;
}

export interface ActionInfo {
	params?: Record<string, unknown>;
	auth?: string;
	description?: string;
}

type JsonSchema = Record<string, unknown>;

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

const errorResponse = { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };

function operation(alias: RoutedAlias, info: ActionInfo | undefined): JsonSchema {
	const pathParams = [...alias.fullPath.matchAll(/:(\w+)/g)].map(m => m[1]);
	const props = { ...(info?.params ?? {}) };
	const parameters: JsonSchema[] = pathParams.map(name => {
		const s = props[name] === undefined ? { type: "string" } : ruleToSchema(props[name]).schema;
		delete props[name];
		return { name, in: "path", required: true, schema: s };
	});
	const op: JsonSchema = { operationId: alias.action, summary: info?.description ?? alias.action, tags: [alias.action.split(".")[0]] };
	const method = alias.method.toLowerCase();
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
	const auth = info?.auth ?? "public";
	if (auth !== "public") op.security = auth === "optional" ? [{ bearer: [] }, {}] : [{ bearer: [] }];
	if (auth === "admin") op.description = "Admins only.";
	op.responses = {
		"200": { description: "OK", content: { "application/json": {} } },
		...(method === "post" ? { "202": { description: "Accepted: poll GET /api/v1/tasks/{id}" } } : {}),
		...(auth !== "public" ? { "401": errorResponse } : {}),
		...(auth === "admin" || auth === "required" ? { "403": errorResponse } : {}),
		"404": errorResponse,
		"422": errorResponse,
		"429": errorResponse
	};
	return op;
}

export function openApiDocument(aliases: RoutedAlias[], actions: Map<string, ActionInfo>, version: string): JsonSchema {
	const paths: Record<string, Record<string, JsonSchema>> = {};
	const sorted = [...aliases].sort((a, b) => a.fullPath.localeCompare(b.fullPath) || a.method.localeCompare(b.method));
	for (const alias of sorted) {
		if (alias.method === "*") continue;
		const path = alias.fullPath.replace(/:(\w+)/g, "{$1}");
		paths[path] ??= {};
		paths[path][alias.method.toLowerCase()] = operation(alias, actions.get(alias.action));
	}
	return {
		openapi: "3.1.0",
		info: {
			title: "cratedigger API",
			version,
			description: "Music data for running apps, DJ tools and listening-insight apps. Errors are {error:{status,type,message,data}}."
		},
		servers: [{ url: "/" }],
		paths,
		components: {
			securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
			schemas: {
				Error: {
					type: "object",
					properties: {
						error: {
							type: "object",
							properties: { status: { type: "integer" }, type: { type: "string" }, message: { type: "string" }, data: {} },
							required: ["status", "type", "message"]
						}
					}
				}
			}
		}
	};
}
