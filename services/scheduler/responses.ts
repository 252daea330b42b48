/** JSON Schemas of the scheduler's routed answers (jobs.ts JobDoc, stats.ts CrawlStatus). */
import { bool, int, list, mapOf, nullable, num, obj, oneOf, str } from "../api/doc/schemas";

export const ENQUEUED = obj({ created: int, existing: int, capped: int });
export const PAUSED = obj({ paused: list(str) });

const counts = obj({ queued: int, leased: int });
export const CRAWL_STATUS = obj(
	{
		tiers: obj({ high: counts, medium: counts, low: counts }),
		done: int,
		dead: int,
		recentFailures: int,
		ratePerMin: num,
		etaSec: nullable(num),
		etaLowerBound: bool,
		paused: list(str),
		spotifyMode: oneOf("unknown", "extended", "development"),
		pendingByType: mapOf(int)
	},
	["pendingByType"]
);
export const CRAWL_STATUS_EXAMPLE = {
	tiers: { high: { queued: 120, leased: 20 }, medium: { queued: 40, leased: 0 }, low: { queued: 3, leased: 1 } },
	done: 5210,
	dead: 2,
	recentFailures: 4,
	ratePerMin: 830,
	etaSec: 14,
	etaLowerBound: true,
	paused: [],
	spotifyMode: "extended",
	pendingByType: { "album.tracks": 140, "artist.discover": 44 }
};

/** A dead-letter job as stored: what it was, how often it ran, and its last failures. */
export const DEAD_JOB = obj(
	{
		_id: str,
		key: str,
		type: str,
		entity: str,
		payload: obj({}),
		tier: oneOf("high", "medium", "low"),
		state: { const: "dead" },
		attempts: int,
		lastError: str,
		lastErrorKind: str,
		errors: list(obj({ at: int, kind: str, message: str })),
		createdAt: int,
		updatedAt: int
	},
	["lastError", "lastErrorKind", "errors"]
);
export const DEAD_JOB_EXAMPLE = {
	_id: "j_77",
	key: "album.tracks:1a2b",
	type: "album.tracks",
	entity: "1a2b",
	payload: { depth: 1 },
	tier: "high",
	state: "dead",
	attempts: 5,
	lastError: "Spotify answered 404 for album 1a2b",
	lastErrorKind: "fatal",
	errors: [{ at: 1796590800000, kind: "fatal", message: "Spotify answered 404 for album 1a2b" }],
	createdAt: 1796590000000,
	updatedAt: 1796590800000
};
