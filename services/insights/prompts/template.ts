import type { InsightType, ToneMode } from "../../../config/insights";

/** One version of the insight prompt: its texts, and guidance per insight type and tone. */
export interface PromptTemplate {
	version: string;
	system: string;
	/** Holds {{insight_type}}, {{type_guidance}}, {{tone_mode}}, {{tone_guidance}}, {{period}}, {{period_key}} and {{facts}}. */
	user: string;
	types: Record<InsightType, string>;
	tones: Record<ToneMode, string>;
	/** Appended after an unusable answer; holds {{problem}}. */
	retry: string;
}

/** Fills `{{name}}` placeholders; a placeholder without a value is a bug in the template, not a blank. */
export function fill(template: string, values: Record<string, string>): string {
	return template.replace(/\{\{([a-z_]+)\}\}/g, (_, name: string) => {
		const value = values[name];
		if (value === undefined) throw new Error(`prompt placeholder {{${name}}} has no value`);
		return value;
	});
}
