/** Builds the page fetcher from configuration, and fetch plus parse as one step with its timing. */
import type { Config } from "../../config";
import type { Limiter } from "../../mixins/rate-limit/types";
import { sha256 } from "./content";
import { PageFetcher } from "./fetcher";
import { defaultGuard, type AddressGuard } from "./http";
import type { ParsedTracklist } from "./model";
import { parseTracklistPage } from "./parser";
import type { UrlPolicy } from "./urls";

export type ScraperConfig = Pick<
	Config,
	| "SCRAPER_ALLOWED_HOSTS"
	| "SCRAPER_ALLOW_PRIVATE_ADDRESSES"
	| "SCRAPER_USER_AGENT"
	| "SCRAPER_TIMEOUT_MS"
	| "SCRAPER_MAX_BYTES"
	| "SCRAPER_MAX_REDIRECTS"
	| "SCRAPER_RETRIES"
	| "SCRAPER_RETRY_BASE_MS"
	| "SCRAPER_ROBOTS_TTL_SEC"
	| "SCRAPER_ROBOTS_ERROR_TTL_SEC"
>;

export function urlPolicy(config: Pick<Config, "SCRAPER_ALLOWED_HOSTS" | "SCRAPER_ALLOW_PRIVATE_ADDRESSES">): UrlPolicy {
	return { allowedHosts: config.SCRAPER_ALLOWED_HOSTS.map(h => h.toLowerCase()), allowPrivate: config.SCRAPER_ALLOW_PRIVATE_ADDRESSES };
}

export function createFetcher(config: ScraperConfig, limiterFor: (host: string, crawlDelaySec?: number) => Limiter, guard?: AddressGuard): PageFetcher {
	return new PageFetcher({
		policy: urlPolicy(config),
		guard: guard ?? defaultGuard(config.SCRAPER_ALLOW_PRIVATE_ADDRESSES),
		userAgent: config.SCRAPER_USER_AGENT,
		timeoutMs: config.SCRAPER_TIMEOUT_MS,
		maxBytes: config.SCRAPER_MAX_BYTES,
		maxRedirects: config.SCRAPER_MAX_REDIRECTS,
		retries: config.SCRAPER_RETRIES,
		retryBaseMs: config.SCRAPER_RETRY_BASE_MS,
		robotsTtlMs: config.SCRAPER_ROBOTS_TTL_SEC * 1000,
		robotsErrorTtlMs: config.SCRAPER_ROBOTS_ERROR_TTL_SEC * 1000,
		limiterFor
	});
}

/** A scraped page, ready for the scraper service to store. */
export interface ScrapeResult {
	/** Where the page was found, after redirects. */
	url: string;
	/** The URL asked for. */
	requestedUrl: string;
	page: ParsedTracklist;
	sourceHash: string;
	/** Time spent fetching (limiter wait included) and parsing, in ms. */
	fetchMs: number;
}

export async function scrapeTracklist(fetcher: PageFetcher, url: URL): Promise<ScrapeResult> {
	const started = Date.now();
	const fetched = await fetcher.fetch(url);
	const page = parseTracklistPage(fetched.body, fetched.url);
	return { url: fetched.url, requestedUrl: url.href, page, sourceHash: sha256(fetched.body), fetchMs: Date.now() - started };
}
