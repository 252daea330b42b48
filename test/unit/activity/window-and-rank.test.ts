import { emptyTally, rankTracks, skipRate, trendingScore } from "../../../services/activity/tally";
import { DAY_MS, HOUR_MS, hourAtOrAfter, hourOf, parseWindow } from "../../../services/activity/window";

describe("activity windows", () => {
	const now = Date.UTC(2025, 5, 1, 12, 30);

	it("reads hours and days into a span that ends now", () => {
		expect(parseWindow("1h", now)).toEqual({ window: "1h", from: now - HOUR_MS, to: now });
		expect(parseWindow("24h", now).from).toBe(now - DAY_MS);
		expect(parseWindow("7d", now).from).toBe(now - 7 * DAY_MS);
		expect(parseWindow("365d", now).from).toBe(now - 365 * DAY_MS);
	});

	it("refuses a window above the limit with a 422 naming the field", () => {
		expect(() => parseWindow("366d", now)).toThrow(expect.objectContaining({ code: 422, data: [expect.objectContaining({ field: "window" })] }));
		expect(() => parseWindow("91d", now, 90 * DAY_MS)).toThrow("between 1h and 90d");
		expect(() => parseWindow("7x", now)).toThrow(expect.objectContaining({ code: 422 }));
	});

	it("finds hour boundaries", () => {
		expect(hourOf(now)).toBe(Date.UTC(2025, 5, 1, 12));
		expect(hourAtOrAfter(now)).toBe(Date.UTC(2025, 5, 1, 13));
		expect(hourAtOrAfter(Date.UTC(2025, 5, 1, 12))).toBe(Date.UTC(2025, 5, 1, 12));
	});
});

describe("trending score and order", () => {
	const tally = (t: Partial<ReturnType<typeof emptyTally>>) => ({ ...emptyTally(), ...t });

	it("weighs likes and shares above plays, and skips and dislikes against", () => {
		expect(trendingScore(tally({ plays: 2, likes: 1, shares: 1 }))).toBe(7);
		expect(trendingScore(tally({ plays: 2, skips: 2, dislikes: 1 }))).toBe(0);
		// A like given before the window and taken back inside it does not count against the track.
		expect(trendingScore(tally({ plays: 1, likes: -1 }))).toBe(1);
	});

	it("leaves out tracks without a positive score and breaks ties by plays, likes, then id", () => {
		const ranked = rankTracks(
			new Map([
				["d", tally({ plays: 3 })],
				["c", tally({ likes: 1 })],
				["b", tally({ plays: 3 })],
				["a", tally({ plays: 1, skips: 2 })],
				["e", tally({ plays: 1, likes: 1 })],
				["f", tally({ completes: 3 })]
			])
		);
		expect(ranked.map(r => r.trackId)).toEqual(["e", "b", "d", "c", "f"]);
	});

	it("gives no skip rate without plays", () => {
		expect(skipRate(emptyTally())).toBeNull();
		expect(skipRate(tally({ plays: 3, skips: 1 }))).toBe(0.333);
	});
});
