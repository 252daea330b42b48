import type { Context, Service, ServiceSchema } from "moleculer";
import { configFor } from "../config";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import type { RateLimitMethods } from "../mixins/rate-limit/types";
import { errorKind } from "../mixins/upstream/errors";
import { WorkerMixin, type JobResult, type WorkerSettings } from "../mixins/worker.mixin";
import type { LeasedJob } from "./scheduler/jobs";
import { isScraperError, ParseMismatchError } from "./scraper/errors";
import { createFetcher, scrapeTracklist, urlPolicy, type ScrapeResult } from "./scraper/fetch-page";
import type { PageFetcher } from "./scraper/fetcher";
import { SCRAPE_JOB } from "./scraper/imports";
import { parseListingPage } from "./scraper/listing";
import type { ListingPage } from "./scraper/model";
import { registerScraperMetrics, SCRAPER_METRICS } from "./scraper/metrics";
import { fetchableUrl } from "./scraper/urls";

interface ScraperWorkerMethods {
	scrape(url: string): Promise<ScrapeResult>;
	countOutcome(outcome: string): void;
	runJob(job: LeasedJob): Promise<JobResult>;
}
interface ScraperWorkerVars {
	fetcher: PageFetcher;
}
type ScraperWorkerThis = Service<WorkerSettings> & RateLimitMethods & ScraperWorkerMethods & ScraperWorkerVars;

interface ScrapePayload {
	url: string;
	importId: string;
	index: number;
	forceRefresh?: boolean;
}

/** What a failure's outcome is called in the pages metric. */
function outcomeOf(err: unknown): string {
	const type = (err as { type?: string }).type;
	if (type === "BLOCKED") return "blocked";
	if (type === "PARSE_MISMATCH") return "parse_mismatch";
	return isScraperError(err) ? type?.toLowerCase() ?? "error" : "error";
}

/**
 * The stateless half of the scraper: fetches pages (robots.txt, the host's shared limiter, SSRF
 * checks, retries) and parses them. It leases `tracklist.scrape` jobs of batch imports and async
 * scrapes, and answers the `scraper` service's synchronous fetches. It stores nothing; the
 * `scraper` service owns every document.
 */
const ScraperWorkerService: ServiceSchema<WorkerSettings, ScraperWorkerMethods & RateLimitMethods, ScraperWorkerVars> = {
	name: "scraper-worker",
	mixins: [RateLimitMixin, WorkerMixin],
	settings: { worker: { jobTypes: [SCRAPE_JOB], batchSize: 1 } },

	actions: {
		/** Fetches and parses one tracklist page; the scraper service stores it. */
		fetchTracklist: {
			visibility: "public",
			params: { url: { type: "string", min: 8, max: 2000 } },
			handler(this: ScraperWorkerThis, ctx: Context<{ url: string }>): Promise<ScrapeResult> {
				return this.scrape(ctx.params.url);
			}
		},

		/** Fetches and parses one listing page (search results, a DJ's or an event's tracklists). */
		fetchListing: {
			visibility: "public",
			params: { url: { type: "string", min: 8, max: 2000 } },
			async handler(this: ScraperWorkerThis, ctx: Context<{ url: string }>): Promise<ListingPage> {
				const url = fetchableUrl(ctx.params.url, urlPolicy(configFor(this.broker)));
				const fetched = await this.fetcher.fetch(url);
				return parseListingPage(fetched.body, fetched.url);
			}
		},

		/** robots.txt fetches made by this node, for tests and operators. */
		robotsStats: {
			visibility: "public",
			handler(this: ScraperWorkerThis) {
				return { nodeID: this.broker.nodeID, fetches: this.fetcher.robots.fetches };
			}
		}
	},

	events: {
		/** A cache clear reaches every worker: robots.txt is read again on the next request. */
		"scraper.cache.cleared"(this: ScraperWorkerThis) {
			this.fetcher.robots.clear();
		}
	},

	methods: {
		async scrape(this: ScraperWorkerThis, raw: string): Promise<ScrapeResult> {
			const url = fetchableUrl(raw, urlPolicy(configFor(this.broker)));
			try {
				const result = await scrapeTracklist(this.fetcher, url);
				this.countOutcome("ok");
				this.broker.metrics?.observe(SCRAPER_METRICS.fetchSeconds, result.fetchMs / 1000);
				return result;
			} catch (err) {
				this.countOutcome(outcomeOf(err));
				if (err instanceof ParseMismatchError) this.broker.metrics?.increment(SCRAPER_METRICS.parseMismatch, { host: url.host });
				throw err;
			}
		},

		countOutcome(this: ScraperWorkerThis, outcome: string) {
			this.broker.metrics?.increment(SCRAPER_METRICS.pages, { outcome });
		},

		async processBatch(this: ScraperWorkerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
			return Promise.all(jobs.map(job => this.runJob(job)));
		},

		async runJob(this: ScraperWorkerThis, job: LeasedJob): Promise<JobResult> {
			const p = job.payload as unknown as ScrapePayload;
			const item = { importId: p.importId, index: p.index };
			try {
				if (!p.forceRefresh) {
					const fresh = await this.broker.call<{ id: string } | null, object>("scraper.fresh", { url: p.url });
					if (fresh) {
						await this.broker.call("scraper.itemDone", { ...item, tracklistId: fresh.id, outcome: "cached" });
						return { outcome: "cached" };
					}
				}
				const result = await this.scrape(p.url);
				const saved = await this.broker.call<{ outcome: string }, object>("scraper.ingest", { ...result, item });
				return { outcome: saved.outcome };
			} catch (err) {
				// The scheduler retries everything else; only a last failure settles the item.
				const kind = errorKind(err);
				const last = kind === "fatal" || kind === "not-found" || (kind !== "rate-limited" && job.attempts >= configFor(this.broker).JOB_MAX_ATTEMPTS);
				if (last) {
					const e = err as { type?: string; message?: string };
					await this.broker
						.call("scraper.itemFailed", { ...item, error: { type: e.type ?? "ERROR", message: String(e.message ?? err).slice(0, 500) } })
						.catch((reportErr: Error) => this.logger.warn(`could not record the failure of ${p.url}: ${reportErr.message}`));
				}
				return err as Error;
			}
		}
	},

	created(this: ScraperWorkerThis) {
		registerScraperMetrics(this.broker);
		this.fetcher = createFetcher(configFor(this.broker), (host, delay) => this.hostLimiter(host, delay));
	}
};

export default ScraperWorkerService;
