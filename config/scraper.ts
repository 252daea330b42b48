import { baseUrl, bool, int, list, str } from "./vars";

/** The scraper: which hosts it may fetch, how it identifies itself, and its caches. */
export const scraperVars = {
	SCRAPER_SITE_URL: baseUrl(
		"https://www.1001tracklists.com",
		"Root of the tracklist site whose search, DJ and event pages the search endpoints read; its host must be in SCRAPER_ALLOWED_HOSTS."
	),
	SCRAPER_ALLOWED_HOSTS: list(
		["www.1001tracklists.com", "1001tracklists.com"],
		"The only hosts the scraper fetches from (host or host:port, comma-separated); every other URL, and every redirect elsewhere, is refused.",
		{ re: /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i, expected: "host names, optionally with :port" }
	),
	SCRAPER_USER_AGENT: str(
		"cratedigger/0.1 (+https://github.com/cratedigger/cratedigger)",
		"User-Agent of every scraper request; its first word (the product token) is matched against robots.txt groups."
	),
	SCRAPER_CACHE_TTL_SEC: int(86400, "How long a scraped tracklist or listing page is served from the cache before it is fetched again, in seconds.", {
		min: 0,
		max: 365 * 86400
	}),
	SCRAPER_ROBOTS_TTL_SEC: int(86400, "How long a host's robots.txt is kept before it is fetched again, in seconds.", { min: 1, max: 30 * 86400 }),
	SCRAPER_ROBOTS_ERROR_TTL_SEC: int(300, "After robots.txt answered 5xx or could not be fetched, how long the host counts as disallowed before it is asked again, in seconds.", {
		min: 1,
		max: 86400
	}),
	SCRAPER_MAX_BYTES: int(5_000_000, "Largest response body the scraper reads (after decompression), in bytes; a larger page is refused.", {
		min: 1024,
		max: 100_000_000
	}),
	SCRAPER_MAX_REDIRECTS: int(5, "Redirects the scraper follows per request; each target is checked like the original URL.", { min: 0, max: 20 }),
	SCRAPER_TIMEOUT_MS: int(15000, "Timeout of one scraper request, reading the body included, in ms.", { min: 100, max: 300000 }),
	SCRAPER_RETRIES: int(2, "Retries after a 5xx, timeout or network error (never after a 403 or a challenge page).", { min: 0, max: 10 }),
	SCRAPER_RETRY_BASE_MS: int(1000, "First retry delay of a scraper request; it doubles per retry, with jitter.", { min: 0, max: 600000 }),
	SCRAPER_SEARCH_MAX_PAGES: int(5, "Most result pages of the site one search or listing call reads.", { min: 1, max: 50 }),
	SCRAPER_MAX_BATCH: int(500, "Most URLs in one batch import.", { min: 1, max: 10000 }),
	SCRAPER_ALLOW_PRIVATE_ADDRESSES: bool(
		false,
		"TESTS ONLY: lets the scraper fetch IP literals and hosts that resolve to loopback, private or link-local addresses. Refused with NODE_ENV=production; every node logs a warning while it is on."
	)
};

/** Checks across the scraper variables, for loadConfig. */
export function scraperProblems(config: { NODE_ENV: string; SCRAPER_ALLOW_PRIVATE_ADDRESSES: boolean }): string[] {
	if (config.NODE_ENV === "production" && config.SCRAPER_ALLOW_PRIVATE_ADDRESSES) {
		return ["SCRAPER_ALLOW_PRIVATE_ADDRESSES must not be true when NODE_ENV=production: it opens the scraper to loopback and private networks (SSRF)"];
	}
	return [];
}
