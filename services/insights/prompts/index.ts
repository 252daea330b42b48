/**
 * The prompt loader. Prompts are TypeScript modules rather than .md files so that the compiled
 * service (dist/, which is all the Docker image holds) carries them without a copy step.
 */
import type { InsightType, PromptVersion, ToneMode } from "../../../config/insights";
import type { PromptFacts } from "../facts";
import { fill, type PromptTemplate } from "./template";
import { v1 } from "./v1";

const PROMPTS: Record<PromptVersion, PromptTemplate> = { v1 };

export interface RenderedPrompt {
	version: string;
	system: string;
	user: string;
}

export function promptTemplate(version: PromptVersion): PromptTemplate {
	return PROMPTS[version];
}

export function renderPrompt(version: PromptVersion, facts: PromptFacts, type: InsightType, tone: ToneMode): RenderedPrompt {
	const t = PROMPTS[version];
	const user = fill(t.user, {
		insight_type: type,
		type_guidance: t.types[type],
		tone_mode: tone,
		tone_guidance: t.tones[tone],
		period: facts.period,
		period_key: facts.periodKey,
		facts: JSON.stringify(facts)
	});
	return { version: t.version, system: t.system, user };
}

/** The follow-up message after an answer that failed validation. */
export function renderRetry(version: PromptVersion, problem: string): string {
	return fill(PROMPTS[version].retry, { problem });
}
