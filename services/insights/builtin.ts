/**
 * The built-in generator: writes an insight from a snapshot's figures with templates, so insights
 * work offline and without an API key. It reads only PromptFacts (like the LLM) and nothing else:
 * no clock, no randomness, so one snapshot always gives the same insight.
 */
import type { InsightType, ToneMode } from "../../config/insights";
import type { PromptFacts } from "./facts";
import type { InsightContent } from "./model";

export const BUILTIN_MODEL = "builtin";
export const BUILTIN_PROMPT_VERSION = "builtin-v1";

const PERIOD_WORD = { day: "day", week: "week", month: "month" } as const;

export function formatMinutes(minutes: number): string {
	const total = Math.round(minutes);
	if (total < 60) return `${total} min`;
	const h = Math.floor(total / 60);
	const m = total % 60;
	return m ? `${h} h ${m} min` : `${h} h`;
}

const hour = (h: number) => `${String(h).padStart(2, "0")}:00 UTC`;
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Share of plays whose tempo falls in [from, to), of the plays with a known tempo. */
function tempoShare(f: PromptFacts, from: number, to: number): number | null {
	const known = f.bpmHistogram.reduce((n, b) => n + b.count, 0);
	if (known === 0) return null;
	return f.bpmHistogram.filter(b => b.from >= from && b.to <= to).reduce((n, b) => n + b.count, 0) / known;
}

function changeLine(f: PromptFacts): string | undefined {
	const c = f.change;
	if (!c || c.plays.pct === null) return undefined;
	const dir = c.plays.delta >= 0 ? "up" : "down";
	return `Plays are ${dir} ${Math.abs(c.plays.pct)}% on ${c.previousKey} (${c.plays.previous} → ${c.plays.current}).`;
}

function artistLine(f: PromptFacts): string | undefined {
	const top = f.topArtists[0];
	if (!top) return undefined;
	return `${top.name} led with ${top.plays} of ${f.plays} plays.`;
}

function featureLine(f: PromptFacts): string | undefined {
	if (f.meanEnergy === null && f.meanBpm === null) return undefined;
	const parts: string[] = [];
	if (f.meanBpm !== null) parts.push(`a mean tempo of ${f.meanBpm} BPM`);
	if (f.meanEnergy !== null) parts.push(`energy ${f.meanEnergy}`);
	if (f.meanValence !== null) parts.push(`valence ${f.meanValence}`);
	return `The music averaged ${parts.join(", ")}.`;
}

const TONE_OPENERS: Record<ToneMode, string> = { supportive: "Nice listening: ", neutral: "", playful: "Here's the tape: " };
const TONE_CLOSERS: Record<ToneMode, string> = { supportive: " Keep what works for you.", neutral: "", playful: " The speakers have spoken." };

type Writer = (f: PromptFacts) => { title: string; lead: string; highlights: string[]; suggestions: string[] };

const WRITERS: Record<InsightType, Writer> = {
	wellness(f) {
		const e = f.meanEnergy;
		const mood = e === null ? "A" : e >= 0.7 ? "A high-energy" : e <= 0.4 ? "A mellow" : "A balanced";
		const late = f.peakHours.some(h => h >= 23 || h < 5);
		const suggestions: string[] = [];
		if (late) suggestions.push("Much of your listening is late at night; calmer, lower-energy tracks may help you wind down.");
		if (f.meanValence !== null && f.meanValence < 0.4) suggestions.push("Your music leans dark; a few brighter tracks could lift the mix.");
		if (suggestions.length === 0) suggestions.push("Keep an eye on when you reach for music: it says a lot about your day.");
		return {
			title: `${mood} ${PERIOD_WORD[f.period]} of music`,
			lead: `You listened for ${formatMinutes(f.listeningMinutes)} across ${f.plays} plays${f.peakHours.length ? `, most often around ${hour(f.peakHours[0])}` : ""}.`,
			highlights: [featureLine(f), artistLine(f), changeLine(f)].filter((s): s is string => Boolean(s)),
			suggestions
		};
	},
	roast(f) {
		const top = f.topArtists[0];
		const share = top && f.plays ? top.plays / f.plays : 0;
		const title = share >= 0.3 && top ? `${top.name}, again?` : f.skipRate !== null && f.skipRate >= 0.4 ? "The skip button is tired" : "A taste under review";
		const highlights = [
			share >= 0.3 && top ? `${pct(share)} of your plays were ${top.name}. Other artists exist.` : artistLine(f),
			f.skipRate !== null ? `You skipped ${pct(f.skipRate)} of what you started.` : undefined,
			changeLine(f)
		].filter((s): s is string => Boolean(s));
		return {
			title,
			lead: `${f.plays} plays and ${formatMinutes(f.listeningMinutes)} of listening, judged on the figures alone.`,
			highlights,
			suggestions: [f.topGenres[0] ? `Try one track outside ${f.topGenres[0].genre}; it won't bite.` : "Try an artist you have never played; it won't bite."]
		};
	},
	productivity(f) {
		const work = f.hourHistogram.slice(9, 18).reduce((n, c) => n + c, 0);
		const workShare = f.plays ? work / f.plays : 0;
		const skips = f.skipRate;
		const suggestions: string[] = [];
		if (skips !== null && skips >= 0.3) suggestions.push("Frequent skips break focus; a longer playlist you trust may help.");
		if (f.meanEnergy !== null && f.meanEnergy > 0.75) suggestions.push("For deep work, try some lower-energy tracks.");
		if (suggestions.length === 0) suggestions.push("Your listening looks steady; keep your focus playlist as it is.");
		return {
			title: workShare >= 0.5 ? "Music as a work companion" : "Listening outside working hours",
			lead: `${pct(workShare)} of your ${f.plays} plays fell between 09:00 and 18:00 UTC, ${formatMinutes(f.listeningMinutes)} in all.`,
			highlights: [skips !== null ? `Skip rate: ${pct(skips)}.` : undefined, featureLine(f), changeLine(f)].filter((s): s is string => Boolean(s)),
			suggestions
		};
	},
	running(f) {
		const cadence = tempoShare(f, 150, 190);
		const half = tempoShare(f, 70, 100);
		const highlights = [
			cadence !== null ? `${pct(cadence)} of plays with a known tempo sit at 150-190 BPM, running cadence.` : undefined,
			half !== null && half > 0 ? `${pct(half)} sit at 70-100 BPM, which works at half time.` : undefined,
			featureLine(f)
		].filter((s): s is string => Boolean(s));
		return {
			title: cadence !== null && cadence >= 0.4 ? "Built for running" : "Tempo check for your runs",
			lead: `${f.plays} plays this ${PERIOD_WORD[f.period]}${f.meanBpm !== null ? `, averaging ${f.meanBpm} BPM` : ""}.`,
			highlights,
			suggestions: [cadence === null || cadence < 0.4 ? "Add tracks between 160 and 180 BPM to match a steady running cadence." : "Your tempos already fit a running cadence; sort them by BPM for intervals."]
		};
	}
};

export function builtinInsight(facts: PromptFacts, type: InsightType, tone: ToneMode): InsightContent {
	if (facts.plays === 0) {
		return {
			title: "Not much to go on yet",
			summary: `${TONE_OPENERS[tone]}No plays were recorded for ${facts.period} ${facts.periodKey}, so there is nothing to read into yet.${TONE_CLOSERS[tone]}`.trim(),
			highlights: [`${facts.likes} likes and ${facts.shares} shares in ${facts.periodKey}.`],
			suggestions: ["Listen a little and check back."]
		};
	}
	const w = WRITERS[type](facts);
	const highlights = w.highlights.length ? w.highlights.slice(0, 5) : [`${facts.plays} plays in ${facts.periodKey}.`];
	return {
		title: w.title,
		summary: `${TONE_OPENERS[tone]}${w.lead}${TONE_CLOSERS[tone]}`,
		highlights,
		suggestions: w.suggestions.slice(0, 3)
	};
}
