/**
 * robots.txt, fetched once per origin and kept for a while. Per REFERENCE.md and RFC 9309:
 * a 4xx means everything is allowed; a 5xx, a 429 or a network failure means everything is
 * disallowed for now (kept for a shorter time, then asked again). Concurrent first requests for
 * one host share one fetch.
 */
import robotsParser from "robots-parser";
import { RobotsUnavailableError, UrlRefusedError } from "./errors";

export interface RobotsRules {
	isAllowed(url: string): boolean;
	/** Crawl-delay for our product token, in seconds. */
	crawlDelaySec?: number;
	/** "file" when a robots.txt was read, "none" when the host has none (4xx). */
	source: "file" | "none";
}

export interface RobotsFetchResult {
	status: number;
	body: string;
}

export interface RobotsOptions {
	/** The product token matched against User-agent lines, e.g. "cratedigger". */
	productToken: string;
	ttlMs: number;
	errorTtlMs: number;
	now?: () => number;
}

interface Entry {
	rules?: RobotsRules;
	error?: string;
	until: number;
}

const ALLOW_ALL: RobotsRules = { isAllowed: () => true, source: "none" };

export class RobotsCache {
	private readonly entries = new Map<string, Entry>();
	private readonly pending = new Map<string, Promise<Entry>>();
	private readonly now: () => number;
	/** How many robots.txt fetches were made; for tests and stats. */
	fetches = 0;

	constructor(
		private readonly opts: RobotsOptions,
		private readonly fetchRobots: (robotsUrl: URL) => Promise<RobotsFetchResult>
	) {
		this.now = opts.now ?? Date.now;
	}

	/** The rules for `url`'s origin; throws RobotsUnavailableError while the host counts as disallowed. */
	async rulesFor(url: URL): Promise<RobotsRules> {
		const origin = url.origin;
		let entry = this.entries.get(origin);
		if (!entry || entry.until <= this.now()) {
			let inFlight = this.pending.get(origin);
			if (!inFlight) {
				inFlight = this.load(origin).finally(() => this.pending.delete(origin));
				this.pending.set(origin, inFlight);
			}
			entry = await inFlight;
		}
		if (entry.rules) return entry.rules;
		throw new RobotsUnavailableError(origin, entry.error ?? "unavailable");
	}

	clear(): void {
		this.entries.clear();
	}

	private async load(origin: string): Promise<Entry> {
		const robotsUrl = new URL("/robots.txt", origin);
		let entry: Entry;
		this.fetches++;
		try {
			const res = await this.fetchRobots(robotsUrl);
			if (res.status >= 200 && res.status < 300) entry = { rules: this.parse(robotsUrl, res.body), until: this.now() + this.opts.ttlMs };
			else if (res.status >= 400 && res.status < 500 && res.status !== 429) entry = { rules: ALLOW_ALL, until: this.now() + this.opts.ttlMs };
			else entry = { error: `HTTP ${res.status}`, until: this.now() + this.opts.errorTtlMs };
		} catch (err) {
			// A host the scraper may not reach at all is refused as such, not reported as a robots.txt failure.
			if (err instanceof UrlRefusedError) throw err;
			entry = { error: (err as Error).message, until: this.now() + this.opts.errorTtlMs };
		}
		this.entries.set(origin, entry);
		return entry;
	}

	private parse(robotsUrl: URL, body: string): RobotsRules {
		const robot = robotsParser(robotsUrl.href, body);
		const token = this.opts.productToken;
		const delay = robot.getCrawlDelay(token);
		return {
			// undefined means another origin, which this entry never answers for.
			isAllowed: (url: string) => robot.isAllowed(url, token) !== false,
			crawlDelaySec: typeof delay === "number" && Number.isFinite(delay) && delay > 0 ? delay : undefined,
			source: "file"
		};
	}
}

/** The product token of a User-Agent string: its first word without the version ("cratedigger/0.1 (+url)" -> "cratedigger"). */
export function productToken(userAgent: string): string {
	return (userAgent.trim().split(/\s+/)[0] ?? "").split("/")[0] || "cratedigger";
}
