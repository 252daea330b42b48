import { EmbeddedAdapter } from "../../../mixins/store/sqlite-adapter";
import type { Collection } from "../../../mixins/store/types";
import { ingestUser, type IngestDeps } from "../../../services/insights/ingest";
import type { CursorDoc, ListeningEvent, SnapshotDoc } from "../../../services/insights/model";
import { periodAt, snapshotId, weekKey } from "../../../services/insights/periods";
import { changeBetween, figuresOf, mergeTallies, tallyEvents } from "../../../services/insights/tally";
import { bins, HISTORY, MON, MONDAY_EVENTS, NEXT_MON, TRACKS, TUE, TUESDAY_EVENTS } from "./history";

describe("snapshot periods", () => {
	it("keys days, ISO weeks and months in UTC", () => {
		expect(periodAt("day", MON + 5).key).toBe("2026-11-16");
		expect(periodAt("week", MON + 6 * 86_400_000 + 5).key).toBe("2026-W47");
		expect(periodAt("week", NEXT_MON).key).toBe("2026-W48");
		expect(periodAt("month", MON).key).toBe("2026-11");
		// ISO week-years: 1 January 2027 (a Friday) is in 2026's week 53; 3 January 2021 in 2020's.
		expect(weekKey(Date.UTC(2027, 0, 1))).toBe("2026-W53");
		expect(weekKey(Date.UTC(2021, 0, 3))).toBe("2020-W53");
		expect(weekKey(Date.UTC(2021, 0, 4))).toBe("2021-W01");
		const week = periodAt("week", MON + 3 * 86_400_000);
		expect([week.start, week.end]).toEqual([MON, NEXT_MON]);
		const month = periodAt("month", Date.UTC(2026, 11, 31, 23));
		expect([month.start, month.end]).toEqual([Date.UTC(2026, 11, 1), Date.UTC(2027, 0, 1)]);
	});
});

describe("snapshot arithmetic on a hand-made history", () => {
	it("tallies one day: counts, minutes, top lists, BPM histogram, means, time histograms, skip rate", () => {
		const f = figuresOf(tallyEvents(MONDAY_EVENTS, TRACKS), TRACKS);
		expect(f).toMatchObject({ plays: 4, completes: 1, skips: 1, likes: 1, unlikes: 0, shares: 0, dislikes: 0 });
		expect(f.listeningMinutes).toBe(10); // 200 000 + 60 000 + 240 000 + 100 000 ms
		expect(f.skipRate).toBe(0.25);
		expect(f.topTracks).toEqual([
			{ trackId: "t1", plays: 2, name: "Alpha", artists: ["Artist A"] },
			{ trackId: "t2", plays: 1, name: "Beta", artists: ["Artist A", "Artist B"] },
			{ trackId: "t3", plays: 1, name: "Gamma", artists: ["Artist C"] }
		]);
		expect(f.topArtists).toEqual([
			{ name: "Artist A", plays: 3 },
			{ name: "Artist B", plays: 1 },
			{ name: "Artist C", plays: 1 }
		]);
		expect(f.topGenres).toEqual([
			{ genre: "house", plays: 2 },
			{ genre: "ambient", plays: 1 },
			{ genre: "techno", plays: 1 }
		]);
		expect(f.bpmHistogram).toEqual([
			{ from: 80, to: 90, count: 1 },
			{ from: 120, to: 130, count: 3 }
		]);
		expect(f.tempoKnown).toBe(4);
		expect(f.meanBpm).toBe(115.4); // (124 * 2 + 128.5 + 85) / 4 = 115.375
		expect(f.meanEnergy).toBe(0.675);
		expect(f.meanValence).toBe(0.475);
		expect(f.hourHistogram).toEqual(bins(24, { 7: 2, 18: 2 }));
		expect(f.weekdayHistogram).toEqual(bins(7, { 0: 4 }));
	});

	it("counts a track the catalog does not know, without features", () => {
		const f = figuresOf(tallyEvents(TUESDAY_EVENTS, TRACKS), TRACKS);
		expect(f).toMatchObject({ plays: 2, skips: 1, shares: 1, unlikes: 1, listeningMinutes: 5.5, skipRate: 0.5, tempoKnown: 1, meanBpm: 128.5 });
		expect(f.topTracks).toEqual([
			{ trackId: "t2", plays: 1, name: "Beta", artists: ["Artist A", "Artist B"] },
			{ trackId: "t4", plays: 1 }
		]);
		expect(f.topGenres).toEqual([{ genre: "techno", plays: 1 }]);
	});

	it("merges days into a week exactly as if the week's events were tallied at once", () => {
		const merged = mergeTallies([tallyEvents(MONDAY_EVENTS, TRACKS), tallyEvents(TUESDAY_EVENTS, TRACKS)]);
		const direct = tallyEvents([...MONDAY_EVENTS, ...TUESDAY_EVENTS], TRACKS);
		expect(figuresOf(merged, TRACKS)).toEqual(figuresOf(direct, TRACKS));
		const f = figuresOf(merged, TRACKS);
		expect(f).toMatchObject({ plays: 6, skips: 2, listeningMinutes: 15.5, skipRate: 0.333, meanBpm: 118, meanEnergy: 0.72, meanValence: 0.46 });
		expect(f.topArtists).toEqual([
			{ name: "Artist A", plays: 4 },
			{ name: "Artist B", plays: 2 },
			{ name: "Artist C", plays: 1 }
		]);
		expect(f.topTracks.map(t => [t.trackId, t.plays])).toEqual([
			["t1", 2],
			["t2", 2],
			["t3", 1],
			["t4", 1]
		]);
		expect(f.weekdayHistogram).toEqual(bins(7, { 0: 4, 1: 2 }));
	});

	it("reports the change from the previous period", () => {
		const w47 = figuresOf(tallyEvents([...MONDAY_EVENTS, ...TUESDAY_EVENTS], TRACKS), TRACKS);
		const w48 = figuresOf(tallyEvents(HISTORY.filter(e => e.at >= NEXT_MON), TRACKS), TRACKS);
		const change = changeBetween(w48, w47, "2026-W47");
		expect(change.plays).toEqual({ previous: 6, current: 1, delta: -5, pct: -83.3 });
		expect(change.listeningMinutes).toEqual({ previous: 15.5, current: 4, delta: -11.5, pct: -74.2 });
		expect(change.skipRate).toEqual({ previous: 0.333, current: 0, delta: -0.333, pct: -100 });
		expect(change.newTopArtists).toEqual([]);
		expect(change.droppedTopArtists).toEqual(["Artist A", "Artist B"]);
	});
});

describe("ingestion", () => {
	let adapter: EmbeddedAdapter;
	let snapshots: Collection<SnapshotDoc>;
	let cursors: Collection<CursorDoc>;
	let events: ListeningEvent[];

	const deps = (now: number): IngestDeps => ({
		snapshots,
		cursors,
		events: async (_user, since, until) => events.filter(e => e.at >= since && e.at < until),
		tracks: async ids => new Map(ids.flatMap(id => (TRACKS.has(id) ? [[id, TRACKS.get(id)!] as const] : []))),
		now,
		backfillDays: 35
	});
	const snapshot = (period: "day" | "week" | "month", at: number) => snapshots.findOne({ _id: snapshotId("u1", periodAt(period, at)) });

	beforeEach(async () => {
		adapter = new EmbeddedAdapter({ dataDir: "unused", inMemory: true });
		await adapter.connect();
		snapshots = await adapter.collection<SnapshotDoc>("insights.snapshots");
		cursors = await adapter.collection<CursorDoc>("insights.cursors");
		events = [...HISTORY];
	});
	afterEach(() => adapter.close());

	it("builds day, week and month snapshots with their period-on-period change", async () => {
		const result = await ingestUser(deps(NEXT_MON + 12 * 3_600_000), "u1");
		expect(result).toMatchObject({ events: 13, snapshots: { day: 3, week: 2, month: 1 } });
		expect((await snapshot("day", MON))?.figures.plays).toBe(4);
		const w47 = await snapshot("week", MON);
		expect(w47?.figures).toMatchObject({ plays: 6, listeningMinutes: 15.5 });
		expect(w47?.change).toBeNull(); // no snapshot of week 46
		const w48 = await snapshot("week", NEXT_MON);
		expect(w48?.change?.plays).toEqual({ previous: 6, current: 1, delta: -5, pct: -83.3 });
		expect((await snapshot("day", TUE))?.change?.plays).toEqual({ previous: 4, current: 2, delta: -2, pct: -50 });
		expect((await snapshot("day", NEXT_MON))?.change).toBeNull(); // nothing on Sunday, so no Sunday snapshot
		expect((await snapshot("month", MON))?.figures.plays).toBe(7);
	});

	it("recomputes only the periods new events fall in, and replaces them", async () => {
		await ingestUser(deps(NEXT_MON + 12 * 3_600_000), "u1");
		events.push({ id: "late", userId: "u1", trackId: "t1", type: "play", at: NEXT_MON + 13 * 3_600_000, msPlayed: 60_000 });
		const again = await ingestUser(deps(NEXT_MON + 14 * 3_600_000), "u1");
		expect(again).toMatchObject({ events: 1, snapshots: { day: 1, week: 1, month: 1 } });
		expect((await snapshot("week", NEXT_MON))?.figures.plays).toBe(2);
		expect((await snapshot("month", MON))?.figures.plays).toBe(8);
		expect(await snapshots.count({ userId: "u1" })).toBe(6);
	});

	it("is idempotent: recomputing from the start gives the same snapshots", async () => {
		const now = NEXT_MON + 12 * 3_600_000;
		await ingestUser(deps(now), "u1");
		const first = await snapshots.find({}, { sort: { _id: 1 } });
		await ingestUser(deps(now), "u1", { from: MON });
		const second = await snapshots.find({}, { sort: { _id: 1 } });
		expect(second).toEqual(first);
	});

	it("refreshes the change of the next period when an earlier one is rebuilt", async () => {
		const now = NEXT_MON + 12 * 3_600_000;
		events = events.filter(e => e.at < TUESDAY_EVENTS[0].at || e.at >= NEXT_MON);
		await ingestUser(deps(now), "u1");
		expect((await snapshot("week", NEXT_MON))?.change?.plays.previous).toBe(4);
		// Tuesday's events turn up; the repair reads from Tuesday, and week 48 gets no new event.
		events = HISTORY.filter(e => e.at < NEXT_MON);
		const rebuilt = await ingestUser(deps(now), "u1", { from: TUE });
		expect(rebuilt.snapshots).toEqual({ day: 1, week: 1, month: 1 });
		expect((await snapshot("week", NEXT_MON))?.change?.plays.previous).toBe(6);
	});
});
