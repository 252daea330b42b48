import type { Tier } from "../scheduler/jobs";
import type { CrawlStatus } from "../scheduler/stats";

/**
 * The JSON of GET /api/v1/status, documented in docs/operators.md. Every figure on the status page
 * comes from here; the page adds nothing of its own.
 */
export interface StatusSnapshot {
	/** When this sample was taken (epoch ms). The endpoint answers the latest sample, not a fresh one. */
	at: number;
	sampleMs: number;
	nodes: NodeView[];
	/** Null when no scheduler answers. */
	crawl: CrawlStatus | null;
	tracks: TracksView;
	upstreams: UpstreamView[];
	errors: ErrorsView;
	/** Null until the catalog answers tempoHistogram. */
	bpm: BpmView | null;
	tracklists: TracklistsView;
	/** Oldest first, one per sample, covering STATUS_HISTORY_MIN. */
	history: StatusSample[];
	/** What could not be collected in this sample (a service down, metrics off). */
	problems: string[];
}

export interface NodeView {
	nodeID: string;
	hostname: string;
	version: string;
	uptimeSec: number;
	cpuPercent: number;
	rssMb: number;
	services: string[];
	/** The deployment roles the services add up to: api, data, crawler, scraper, … */
	roles: string[];
	workers: Array<{ service: string; concurrency: number; inFlight: number; draining: boolean }>;
	draining: boolean;
}

export interface TracksView {
	/** Tracks processed since the status service started, every stage and node. */
	processed: number;
	/** Over the last minute (or since the first sample); null before two samples or with metrics off. */
	perMin: number | null;
}

export interface UpstreamView {
	name: string;
	/** The cluster-wide limit, as calls per second. */
	limitPerSec: number;
	maxPerWindow: number;
	windowMs: number;
	/** Calls per second over the last minute, every node; null when unknown. */
	ratePerSec: number | null;
	/** Epoch ms until which this upstream is paused (a 429 or an operator), or null. */
	pausedUntil: number | null;
	/** Limiter modes seen on the nodes: shared, local, fallback. */
	modes: string[];
	overridden: boolean;
}

export interface ErrorsView {
	/** Failed jobs per minute over the last minute (every node); null before two samples. */
	perMin: number | null;
	/** Failed attempts the scheduler saw in the last 10 minutes. */
	recentFailures: number;
	dead: number;
	latestDead: Array<{ key: string; type: string; entity: string; lastError: string | null; at: number }>;
}

export interface BpmView {
	binSize: number;
	total: number;
	bins: Array<{ from: number; to: number; count: number }>;
	/** When the histogram was read (it is refreshed every few samples). */
	at: number;
}

export interface TracklistView {
	tracklistId: string;
	url: string;
	title: string | null;
	trackCount: number;
	processingTimeMs: number | null;
	at: number | null;
}

export interface TracklistsView {
	/**
	 * Where the list comes from: scraper.latest (the stored tracklists, every node's) when the
	 * scraper answers, merged with the tracklist.processed events this service heard (which arrive
	 * at once and carry the processing time).
	 */
	sources: Array<"scraper" | "events">;
	/** Newest first. */
	items: TracklistView[];
}

export interface StatusSample {
	at: number;
	queued: Record<Tier, number>;
	leased: Record<Tier, number>;
	tracksPerMin: number | null;
	errorsPerMin: number | null;
	dead: number;
	/** Upstream calls per second by provider, over the last minute. */
	apiPerSec: Record<string, number>;
}
