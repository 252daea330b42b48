import type { LimiterStatus } from "../../mixins/rate-limit/types";
import type { NodeInfo } from "../ops.service";
import type { NodeView, TracklistView, UpstreamView } from "./types";

/** The deployment role each service belongs to (see the README's compose roles). */
const ROLE_OF: Record<string, string> = {
	api: "api",
	scheduler: "data",
	catalog: "data",
	users: "data",
	activity: "data",
	insights: "data",
	recommendations: "data",
	playlists: "data",
	"artist-crawler": "crawler",
	"album-crawler": "crawler",
	"audio-feature": "crawler",
	scraper: "scraper",
	"scraper-worker": "scraper"
};

export function nodeView(i: NodeInfo): NodeView {
	const roles = [...new Set(i.services.map(s => ROLE_OF[s]).filter((r): r is string => r !== undefined))].sort();
	return {
		nodeID: i.nodeID,
		hostname: i.hostname,
		version: i.version,
		uptimeSec: i.uptimeSec,
		cpuPercent: i.cpuPercent,
		rssMb: i.rssMb,
		services: i.services,
		roles,
		workers: i.workers.map(w => ({ service: w.service, concurrency: w.concurrency, inFlight: w.inFlight, draining: w.draining })),
		draining: i.draining
	};
}

/**
 * One row per limiter for the whole cluster: the limit is shared, so any node's settings do
 * (an operator's override wins), and a pause anywhere is a pause everywhere.
 */
export function upstreamViews(all: LimiterStatus[], apiPerSec: Record<string, number>, now: number): UpstreamView[] {
	const byName = new Map<string, LimiterStatus[]>();
	for (const l of all) byName.set(l.name, [...(byName.get(l.name) ?? []), l]);
	return [...byName].map(([name, list]) => {
		const settings = (list.find(l => l.overridden) ?? list[0]).settings;
		const pausedUntil = Math.max(0, ...list.map(l => l.pausedUntil ?? 0));
		const measured = apiPerSec[name];
		return {
			name,
			limitPerSec: Math.round((settings.maxPerWindow / (settings.windowMs / 1000)) * 100) / 100,
			maxPerWindow: settings.maxPerWindow,
			windowMs: settings.windowMs,
			ratePerSec: measured ?? Math.round(list.reduce((n, l) => n + l.recentRatePerSec, 0) * 100) / 100,
			pausedUntil: pausedUntil > now ? pausedUntil : null,
			modes: [...new Set(list.map(l => l.mode))].sort(),
			overridden: list.some(l => l.overridden === true)
		};
	});
}

/** One list from both sources, newest first: an item known to both keeps the scraper's fields and the event's timing. */
export function mergeTracklists(fromScraper: TracklistView[], fromEvents: TracklistView[], limit: number): TracklistView[] {
	const byId = new Map<string, TracklistView>();
	for (const t of [...fromScraper, ...fromEvents]) {
		const known = byId.get(t.tracklistId);
		byId.set(t.tracklistId, known ? { ...known, processingTimeMs: known.processingTimeMs ?? t.processingTimeMs, at: known.at ?? t.at } : t);
	}
	return [...byId.values()].sort((a, b) => (b.at ?? 0) - (a.at ?? 0)).slice(0, limit);
}

function str(v: unknown): string | undefined {
	return typeof v === "string" && v ? v : undefined;
}
function num(v: unknown): number | undefined {
	return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
function time(v: unknown): number | null {
	if (typeof v === "number") return v;
	if (typeof v === "string" || v instanceof Date) {
		const t = new Date(v).getTime();
		return Number.isFinite(t) ? t : null;
	}
	return null;
}

/**
 * A tracklist as the page lists it, from a `tracklist.processed` event or an item of
 * `scraper.latest`; the field names of both are accepted, anything unusable is dropped.
 */
export function tracklistView(raw: unknown, receivedAt: number | null): TracklistView | null {
	if (typeof raw !== "object" || raw === null) return null;
	const r = raw as Record<string, unknown>;
	const tracklistId = str(r.tracklistId) ?? str(r.id) ?? str(r._id);
	const url = str(r.url);
	if (!tracklistId || !url) return null;
	const trackCount = num(r.trackCount) ?? (Array.isArray(r.tracks) ? r.tracks.length : 0);
	return {
		tracklistId,
		url,
		title: str(r.title) ?? null,
		trackCount,
		processingTimeMs: num(r.processingTimeMs) ?? null,
		at: time(r.processedAt ?? r.scrapedAt ?? r.at ?? r.updatedAt) ?? receivedAt
	};
}
