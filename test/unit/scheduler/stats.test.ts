import type { ServiceBroker } from "moleculer";
import { CrawlStats, type StatusBase } from "../../../services/scheduler/stats";

const broker = { isMetricsEnabled: () => false } as unknown as ServiceBroker;
const tiers = (queued: number) => ({ high: { queued, leased: 0 }, medium: { queued: 0, leased: 0 }, low: { queued: 0, leased: 0 } });
const base = (pendingByType: Record<string, number>): StatusBase => ({
	tiers: tiers(Object.values(pendingByType).reduce((a, b) => a + b, 0)),
	done: 0,
	dead: 0,
	paused: [],
	spotifyMode: "extended",
	pendingByType
});

describe("crawl stats: an honest ETA", () => {
	it("says nothing three seconds into a crawl rather than dividing by five minutes", () => {
		const stats = new CrawlStats(broker);
		const t0 = 1_000_000;
		for (let i = 0; i < 30; i++) stats.recordDone(t0 + i * 100, "track.features");
		const s = stats.status(base({ "track.features": 300 }), t0 + 3000);
		expect(s.etaSec).toBeNull();
		expect(s.ratePerMin).toBeGreaterThan(500);
	});

	it("runs each waiting type at its own rate, the slowest setting the ETA", () => {
		const stats = new CrawlStats(broker);
		const t0 = 1_000_000;
		// Over 60 s: 600 feature jobs (10/s) and 60 album jobs (1/s).
		for (let i = 0; i < 600; i++) stats.recordDone(t0 + i * 100, "track.features");
		for (let i = 0; i < 60; i++) stats.recordDone(t0 + i * 1000, "album.tracks");
		const s = stats.status(base({ "track.features": 100, "album.tracks": 30 }), t0 + 60_000);
		expect(s.etaSec).toBe(30);
		expect(s.etaLowerBound).toBe(false);
	});

	it("marks the ETA as a lower bound while artists are still being discovered", () => {
		const stats = new CrawlStats(broker);
		const t0 = 1_000_000;
		for (let i = 0; i < 60; i++) stats.recordDone(t0 + i * 1000, "artist.discover");
		const s = stats.status(base({ "artist.discover": 6 }), t0 + 60_000);
		expect(s.etaSec).toBe(6);
		expect(s.etaLowerBound).toBe(true);
		expect(CrawlStats.eta(s)).toBe("≥ 6 s");
	});
});
