/**
 * The JSON Schema subset the gateway's OpenAPI document uses (services/api/openapi.ts ruleToSchema),
 * read two ways: does a value conform, and what is one value that does. The suite judges its own
 * requests with these, so what counts as malformed comes from the published contract, not from the
 * code under test.
 */

export interface JsonSchema {
	type?: string | string[];
	format?: string;
	minLength?: number;
	maxLength?: number;
	pattern?: string;
	minimum?: number;
	maximum?: number;
	enum?: unknown[];
	const?: unknown;
	items?: JsonSchema;
	minItems?: number;
	maxItems?: number;
	properties?: Record<string, JsonSchema>;
	required?: string[];
	anyOf?: JsonSchema[];
	allOf?: JsonSchema[];
	additionalProperties?: JsonSchema | boolean;
	$ref?: string;
	default?: unknown;
}

/** The named schemas a `$ref` ("#/components/schemas/Name") points into. */
export type Components = Record<string, JsonSchema>;

function resolve(schema: JsonSchema, components: Components): JsonSchema {
	if (!schema.$ref) return schema;
	const target = components[schema.$ref.replace("#/components/schemas/", "")];
	if (!target) throw new Error(`${schema.$ref} points at nothing`);
	return target;
}

/**
 * Where a value travels: query and path values are text that the gateway converts, as
 * fastest-validator's `convert` does; an answer is the gateway's own JSON, which may hold any key.
 */
export type Carrier = "body" | "query" | "path" | "answer";

/** Words that fastest-validator's boolean `convert` reads as true or false. */
const BOOLEAN_WORDS = new Set(["true", "false", "1", "0", "on", "off"]);

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function regex(pattern: string): RegExp {
	try {
		return new RegExp(pattern, "u");
	} catch {
		return new RegExp(pattern);
	}
}

/** True when the key looks like a query operator: nothing of that shape may reach a store. */
export const isOperatorKey = (key: string): boolean => key.startsWith("$");

function hasOperatorKey(value: unknown, depth = 0): boolean {
	if (depth > 50 || value === null || typeof value !== "object") return false;
	if (Array.isArray(value)) return value.some(v => hasOperatorKey(v, depth + 1));
	return Object.entries(value).some(([k, v]) => isOperatorKey(k) || hasOperatorKey(v, depth + 1));
}

/**
 * Does `value` conform to `schema`? `carrier` decides whether text may stand for a number or a
 * boolean; `components` resolves `$ref`s, for the answers' schemas.
 */
export function conforms(schema: JsonSchema, value: unknown, carrier: Carrier, components: Components = {}): boolean {
	if (hasOperatorKey(value) && carrier !== "answer") return false;
	schema = resolve(schema, components);
	const sub = (s: JsonSchema, v: unknown) => conforms(s, v, carrier, components);
	if (schema.allOf && !schema.allOf.every(s => sub(s, value))) return false;
	if (schema.anyOf) return schema.anyOf.some(s => sub(s, value));
	if (schema.enum) return schema.enum.includes(value);
	if ("const" in schema) return schema.const === value;
	if (Array.isArray(schema.type)) return schema.type.some(type => sub({ ...schema, type }, value));
	const text = carrier !== "body" && carrier !== "answer" && typeof value === "string";
	switch (schema.type) {
		case "null":
			return value === null;
		case "string": {
			if (typeof value !== "string") return false;
			if (schema.minLength !== undefined && value.length < schema.minLength) return false;
			if (schema.maxLength !== undefined && value.length > schema.maxLength) return false;
			if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) return false;
			if (schema.format === "email" && !EMAIL.test(value)) return false;
			if (schema.format === "uri" && !URL.canParse(value)) return false;
			if (schema.format === "date-time" && Number.isNaN(Date.parse(value))) return false;
			return true;
		}
		case "number":
		case "integer": {
			const n = text ? Number(value) : value;
			if (typeof n !== "number" || !Number.isFinite(n)) return false;
			if (schema.type === "integer" && !Number.isInteger(n)) return false;
			if (schema.minimum !== undefined && n < schema.minimum) return false;
			if (schema.maximum !== undefined && n > schema.maximum) return false;
			return true;
		}
		case "boolean":
			return typeof value === "boolean" || (text && BOOLEAN_WORDS.has(value));
		case "array": {
			if (!Array.isArray(value)) return false;
			if (schema.minItems !== undefined && value.length < schema.minItems) return false;
			if (schema.maxItems !== undefined && value.length > schema.maxItems) return false;
			return schema.items === undefined || value.every(v => sub(schema.items as JsonSchema, v));
		}
		case "object": {
			if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
			const obj = value as Record<string, unknown>;
			if ((schema.required ?? []).some(k => obj[k] === undefined)) return false;
			const extra = schema.additionalProperties;
			return Object.entries(obj).every(([k, v]) => {
				if (v === undefined) return true;
				const declared = schema.properties?.[k];
				if (declared) return sub(declared, v);
				return typeof extra === "object" ? sub(extra, v) : extra !== false;
			});
		}
		default:
			// No type stated ("any", dates): anything but an operator goes.
			return true;
	}
}

/** Strings tried, in order, for a string schema; the first that conforms is the sample. */
const STRING_CANDIDATES = ["abc123", "2024-01-01", "24h", "seed@example.com", "https://example.org/set/1", "Ab1-"];

/** One value that conforms to `schema`; `hint` supplies known-good values (seeded ids) by field name. */
export function sample(schema: JsonSchema, hint?: unknown): unknown {
	if (hint !== undefined && conforms(schema, hint, "body")) return hint;
	if (schema.anyOf?.length) return sample(schema.anyOf[0]);
	if (schema.enum?.length) return schema.enum[0];
	if ("const" in schema) return schema.const;
	if (schema.default !== undefined && conforms(schema, schema.default, "body")) return schema.default;
	switch (schema.type) {
		case "string": {
			if (schema.format === "email") return "seed@example.com";
			const min = schema.minLength ?? 1;
			for (const c of STRING_CANDIDATES) {
				const padded = c.length >= min ? c : c + "a".repeat(min - c.length);
				if (conforms(schema, padded, "body")) return padded;
			}
			return "a".repeat(Math.max(1, min));
		}
		case "number":
		case "integer": {
			const lo = schema.minimum ?? 1;
			const n = schema.maximum !== undefined ? Math.min(Math.max(lo, 1), schema.maximum) : Math.max(lo, 1);
			return schema.type === "integer" ? Math.ceil(n) : n;
		}
		case "boolean":
			return true;
		case "array":
			return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => sample(schema.items ?? { type: "string" }));
		case "object":
			return requiredSample(schema);
		default:
			return "abc123";
	}
}

/** An object holding a conforming sample of each required property (with hints by name). */
export function requiredSample(schema: JsonSchema, hints: Record<string, unknown> = {}): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const name of schema.required ?? []) out[name] = sample(schema.properties?.[name] ?? {}, hints[name]);
	return out;
}
