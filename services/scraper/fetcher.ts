/**
 * Fetches a page politely and safely: the URL and every redirect target pass the allowlist and the
 * address check, robots.txt is honoured (its Crawl-delay paces the host's shared limiter), 5xx and
 * timeouts are retried with backoff, and a 403 or a challenge page stops at once.
 */
import { parseRetryAfter } from "../../mixins/upstream/http";
import type { Limiter } from "../../mixins/rate-limit/types";
import { detectBlock } from "./blocks";
import {
	BlockedError,
	FetchFailedError,
	FetchRefusedError,
	PageNotFoundError,
	RobotsDisallowedError,
	SiteRateLimitedError,
	UrlRefusedError
} from "./errors";
import { httpGet, TransportError, type AddressGuard, type RawResponse } from "./http";
import { productToken, RobotsCache } from "./robots";
import { absoluteUrl } from "./text";
import { assertFetchable, canonicalUrl, hostKey, type UrlPolicy } from "./urls";

export interface FetcherOptions {
	policy: UrlPolicy;
	guard: AddressGuard;
	userAgent: string;
	timeoutMs: number;
	maxBytes: number;
	maxRedirects: number;
	/** Retries after a 5xx, timeout or network error. */
	retries: number;
	retryBaseMs: number;
	robotsTtlMs: number;
	robotsErrorTtlMs: number;
	/** The shared limiter of one host (`host` or `host:port`), paced by its Crawl-delay. */
	limiterFor(host: string, crawlDelaySec?: number): Limiter;
	sleep?: (ms: number) => Promise<void>;
}

export interface FetchedPage {
	/** Where the page was finally found, after redirects. */
	url: string;
	status: number;
	body: string;
	attempts: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const defaultSleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

export class PageFetcher {
	readonly robots: RobotsCache;
	private readonly sleep: (ms: number) => Promise<void>;

	constructor(private readonly opts: FetcherOptions) {
		this.sleep = opts.sleep ?? defaultSleep;
		this.robots = new RobotsCache(
			{ productToken: productToken(opts.userAgent), ttlMs: opts.robotsTtlMs, errorTtlMs: opts.robotsErrorTtlMs },
			async robotsUrl => (await this.follow(robotsUrl, false)).res
		);
	}

	/** GETs a page; throws the scraper's errors (see errors.ts) for everything but a 2xx content page. */
	async fetch(url: URL): Promise<FetchedPage> {
		for (let attempt = 1; ; attempt++) {
			try {
				const { url: finalUrl, res, limiter } = await this.follow(url, true);
				await this.classify(finalUrl, res, limiter);
				return { url: finalUrl.href, status: res.status, body: res.body, attempts: attempt };
			} catch (err) {
				if (!(err instanceof FetchFailedError) || attempt > this.opts.retries) throw err;
				// Exponential backoff with jitter in its upper half, like the scheduler's.
				const exp = this.opts.retryBaseMs * 2 ** (attempt - 1);
				await this.sleep(Math.round(exp / 2 + (Math.random() * exp) / 2));
			}
		}
	}

	/** One request and its redirects, each hop checked like the first URL. */
	private async follow(start: URL, checkRobots: boolean): Promise<{ url: URL; res: RawResponse; limiter: Limiter }> {
		let url = start;
		for (let hop = 0; ; hop++) {
			assertFetchable(url, this.opts.policy);
			let crawlDelaySec: number | undefined;
			if (checkRobots) {
				const rules = await this.robots.rulesFor(url);
				if (!rules.isAllowed(url.href)) throw new RobotsDisallowedError(url.href);
				crawlDelaySec = rules.crawlDelaySec;
			}
			const limiter = this.opts.limiterFor(hostKey(url), crawlDelaySec);
			const target = url;
			const res = await limiter.schedule(() => this.get(target));
			const location = res.headers.location;
			if (!REDIRECTS.has(res.status) || !location) return { url, res, limiter };
			if (hop >= this.opts.maxRedirects) throw new UrlRefusedError(start.href, `more than ${this.opts.maxRedirects} redirects`);
			url = canonicalUrl(absoluteUrl(String(location), url.href) ?? String(location));
		}
	}

	private async get(url: URL): Promise<RawResponse> {
		try {
			return await httpGet(url, {
				...this.opts.guard,
				timeoutMs: this.opts.timeoutMs,
				maxBytes: this.opts.maxBytes,
				headers: {
					"user-agent": this.opts.userAgent,
					accept: "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.5",
					"accept-encoding": "gzip, deflate, br",
					"accept-language": "en"
				}
			});
		} catch (err) {
			if (err instanceof TransportError) throw withDetail(new FetchFailedError(url.href, err.message), err.cause);
			throw err;
		}
	}

	private async classify(url: URL, res: RawResponse, limiter: Limiter): Promise<void> {
		const blocked = detectBlock(res.body);
		if (blocked) throw new BlockedError(url.href, blocked, res.status);
		if (res.status >= 200 && res.status < 300) return;
		if (res.status === 403) throw new BlockedError(url.href, "forbidden", 403);
		if (res.status === 429) {
			const retryAfterMs = parseRetryAfter(String(res.headers["retry-after"] ?? "") || null);
			await limiter.rateLimited(retryAfterMs);
			throw new SiteRateLimitedError(url.href, retryAfterMs);
		}
		if (res.status === 404 || res.status === 410) throw new PageNotFoundError(url.href, res.status);
		if (res.status >= 500 || res.status === 408) throw new FetchFailedError(url.href, `HTTP ${res.status}`, res.status);
		throw new FetchRefusedError(url.href, res.status);
	}
}

/** The socket's or resolver's own words go on the stack, which is logged, never on the message, which clients see. */
function withDetail(err: FetchFailedError, cause: unknown): FetchFailedError {
	if (cause instanceof Error) err.stack = `${err.stack ?? err.message}\nCaused by: ${cause.message}`;
	return err;
}
