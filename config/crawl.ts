import { int, list } from "./vars";

/** The crawl: workers, the job frontier and its priority tiers. */
export const crawlVars = {
	CRAWLER_CONCURRENCY: int(8, "Jobs each worker service runs at once on this node.", { min: 1, max: 256 }),
	CRAWL_SEED_ARTISTS: list([], "Artist names (or spotify:<id> / deezer:<id>) enqueued at start."),
	CRAWL_MAX_DEPTH: int(2, "How many hops of featured artists the crawl follows from a seed.", { min: 0, max: 20 }),
	CRAWL_MAX_ARTISTS: int(1000, "Most artists the crawl discovers in all.", { min: 1, max: 10_000_000 }),
	JOB_LEASE_MS: int(60000, "How long a leased job stays with its worker without a heartbeat.", { min: 1000, max: 3_600_000 }),
	JOB_MAX_ATTEMPTS: int(5, "Attempts before a job goes to dead-letter.", { min: 1, max: 100 }),
	JOB_BACKOFF_BASE_MS: int(2000, "First retry delay; it doubles per attempt, with jitter.", { min: 0, max: 3_600_000 }),
	JOB_BACKOFF_MAX_MS: int(600000, "Longest retry delay.", { min: 0, max: 86_400_000 }),
	WORKER_POLL_MS: int(500, "How long an idle worker waits before asking for work again.", { min: 10, max: 60000 }),
	TIER_HIGH_INTERVAL_MS: int(300000, "High tier: how often tracks missing audio features are queued.", { min: 1000 }),
	TIER_MEDIUM_INTERVAL_MS: int(3600000, "Medium tier: how often stale entities are queued for refresh.", { min: 1000 }),
	TIER_LOW_INTERVAL_MS: int(21600000, "Low tier: how often known artists are queued for rediscovery (jittered up to 2x).", { min: 1000 }),
	STALE_AFTER_DAYS: int(30, "Age after which an entity is refreshed by the medium tier.", { min: 1, max: 3650 }),
	CRAWL_STATUS_LOG_MS: int(30000, "How often the scheduler logs a crawl status line; 0 turns it off.", { min: 0 })
};
