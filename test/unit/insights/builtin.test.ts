import { INSIGHT_TYPES, TONE_MODES } from "../../../config/insights";
import { builtinInsight, BUILTIN_MODEL } from "../../../services/insights/builtin";
import { promptFacts } from "../../../services/insights/facts";
import { generateInsight } from "../../../services/insights/generate";
import type { SnapshotDoc, UsageDoc } from "../../../services/insights/model";
import { parseInsight } from "../../../services/insights/output";
import type { Collection } from "../../../mixins/store/types";
import { changeBetween, figuresOf, tallyEvents } from "../../../services/insights/tally";
import { HISTORY, MON, MONDAY_EVENTS, NEXT_MON, TRACKS, TUESDAY_EVENTS } from "./history";

function weekSnapshot(): SnapshotDoc {
	const tally = tallyEvents([...MONDAY_EVENTS, ...TUESDAY_EVENTS], TRACKS);
	const previous = figuresOf(tallyEvents(HISTORY.filter(e => e.at >= NEXT_MON), TRACKS), TRACKS);
	const figures = figuresOf(tally, TRACKS);
	return {
		_id: "u1:week:2026-W47",
		userId: "u1",
		period: "week",
		key: "2026-W47",
		start: MON,
		end: NEXT_MON,
		tally,
		figures,
		change: changeBetween(figures, previous, "2026-W46"),
		computedAt: NEXT_MON
	};
}

describe("the builtin generator", () => {
	it("writes the same insight every time for a given snapshot", async () => {
		const facts = promptFacts(weekSnapshot());
		for (const type of INSIGHT_TYPES) {
			for (const tone of TONE_MODES) {
				const first = builtinInsight(facts, type, tone);
				expect(builtinInsight(promptFacts(weekSnapshot()), type, tone)).toEqual(first);
				// Whatever it writes passes the same check as an LLM's answer.
				expect(parseInsight(JSON.stringify(first))).toEqual({ ok: true, content: first });
			}
		}
		const usage = {} as Collection<UsageDoc>; // never touched: the builtin generator spends no tokens
		const opts = { promptVersion: "v1" as const, maxOutputTokens: 500, budget: 1, usage, priceInPerMTok: 0, priceOutPerMTok: 0, now: Date.now };
		const a = await generateInsight(opts, weekSnapshot(), "running", "playful");
		const b = await generateInsight(opts, weekSnapshot(), "running", "playful");
		expect(b.content).toEqual(a.content);
		expect(a).toMatchObject({ model: BUILTIN_MODEL, tokensIn: 0, tokensOut: 0, calls: 0 });
	});

	it("writes from the snapshot's figures", () => {
		const facts = promptFacts(weekSnapshot());
		const text = JSON.stringify(builtinInsight(facts, "wellness", "neutral"));
		expect(text).toContain("16 min"); // 15.5 listening minutes
		expect(text).toContain("6 plays");
		expect(text).toContain("Artist A");
		expect(text).toContain("118 BPM");
		const roast = builtinInsight(facts, "roast", "playful");
		expect(roast.title).toBe("Artist A, again?"); // 4 of 6 plays
		expect(builtinInsight({ ...facts, plays: 0 }, "running", "supportive").title).toBe("Not much to go on yet");
	});
});
