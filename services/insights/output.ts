/**
 * The shape an insight must have: the JSON schema sent to the LLM (structured output) and the
 * check every answer passes before it is stored. The schema keeps to the keywords that strict
 * structured output accepts everywhere; the lengths are enforced here instead.
 */
import type { InsightContent } from "./model";

export const OUTPUT_SCHEMA_NAME = "listening_insight";

export const OUTPUT_SCHEMA = {
	type: "object",
	additionalProperties: false,
	required: ["title", "summary", "highlights", "suggestions"],
	properties: {
		title: { type: "string", description: "A headline of at most 80 characters." },
		summary: { type: "string", description: "Two to four sentences about the period, grounded in the figures." },
		highlights: { type: "array", items: { type: "string" }, description: "One to five short observations, each citing a figure." },
		suggestions: { type: "array", items: { type: "string" }, description: "Up to three concrete suggestions; may be empty." }
	}
} as const;

export const LIMITS = { title: 120, summary: 1500, item: 300, highlights: 5, suggestions: 5 } as const;

export type Parsed = { ok: true; content: InsightContent } | { ok: false; problem: string };

function stringList(value: unknown, field: string, min: number, max: number): string[] | string {
	if (!Array.isArray(value)) return `${field} is not an array`;
	if (value.length < min || value.length > max) return `${field} has ${value.length} items (expected ${min} to ${max})`;
	const out: string[] = [];
	for (const [i, item] of value.entries()) {
		if (typeof item !== "string" || item.trim() === "") return `${field}[${i}] is not a non-empty string`;
		if (item.length > LIMITS.item) return `${field}[${i}] is longer than ${LIMITS.item} characters`;
		out.push(item.trim());
	}
	return out;
}

function text(value: unknown, field: string, max: number): string | { problem: string } {
	if (typeof value !== "string" || value.trim() === "") return { problem: `${field} is not a non-empty string` };
	if (value.length > max) return { problem: `${field} is longer than ${max} characters` };
	return value.trim();
}

/** Parses and checks a model's answer; the problem names the first thing wrong, for the error. */
export function parseInsight(raw: string | null | undefined): Parsed {
	if (raw === null || raw === undefined || raw.trim() === "") return { ok: false, problem: "the answer is empty" };
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch (err) {
		return { ok: false, problem: `the answer is not JSON (${(err as Error).message})` };
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, problem: "the answer is not a JSON object" };
	const obj = value as Record<string, unknown>;
	const extra = Object.keys(obj).filter(k => !(k in OUTPUT_SCHEMA.properties));
	if (extra.length) return { ok: false, problem: `unexpected field(s): ${extra.join(", ")}` };
	const title = text(obj.title, "title", LIMITS.title);
	if (typeof title !== "string") return { ok: false, problem: title.problem };
	const summary = text(obj.summary, "summary", LIMITS.summary);
	if (typeof summary !== "string") return { ok: false, problem: summary.problem };
	const highlights = stringList(obj.highlights, "highlights", 1, LIMITS.highlights);
	if (typeof highlights === "string") return { ok: false, problem: highlights };
	const suggestions = stringList(obj.suggestions, "suggestions", 0, LIMITS.suggestions);
	if (typeof suggestions === "string") return { ok: false, problem: suggestions };
	return { ok: true, content: { title, summary, highlights, suggestions } };
}
