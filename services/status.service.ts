import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { configFor, type Config } from "../config";
import { isAdmin, requireUser, type GatewayContext } from "./shared/access";
import { StatusCollector } from "./status/collector";
import { countTracklist, publishStatusMetrics, registerStatusMetrics } from "./status/metrics";
import { statusPageHtml } from "./status/page";
import type { StatusSnapshot } from "./status/types";
import { ok } from "./api/doc/schemas";
import { STATUS_SNAPSHOT } from "./api/doc/status-snapshot";

interface StatusMethods {
	takeSample(): Promise<StatusSnapshot>;
	checkAccess(ctx: GatewayContext): void;
}
interface StatusVars {
	config: Config;
	collector: StatusCollector;
	latest: StatusSnapshot | null;
	sampling: Promise<StatusSnapshot> | null;
	timer?: NodeJS.Timeout;
	html: string;
}
type StatusThis = Service & StatusMethods & StatusVars;

/*
 * The page may only talk to this origin, so a token typed into it cannot leave; no framing.
 * Its script and style are inline by design (no build step, one document).
 */
const PAGE_HEADERS = {
	"Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
	"Cache-Control": "no-store",
	"Referrer-Policy": "no-referrer",
	"X-Content-Type-Options": "nosniff"
};

/**
 * The operators' live view of the cluster: the HTML page the gateway serves at /status, and its
 * JSON at /api/v1/status. It samples the cluster on a timer (STATUS_SAMPLE_MS), keeps the last
 * STATUS_HISTORY_MIN minutes for the charts, and exports the cluster-wide figures as metrics.
 */
const StatusService: ServiceSchema<ServiceSettingSchema, StatusMethods, StatusVars> = {
	name: "status",
	settings: { rest: "/" },

	actions: {
		/** The status page (GET /status). The page holds no data; it reads /api/v1/status with the token typed into it. */
		page: {
			summary: "The status page for people: crawl, limiters and nodes at a glance (its figures need an admin sign-in unless STATUS_PAGE_PUBLIC)",
			responses: { 200: { description: "An HTML page", otherMedia: { "text/html": { type: "string" } } } },
			auth: "public",
			handler(this: StatusThis, ctx: GatewayContext): string {
				ctx.meta.$responseType = "text/html; charset=utf-8";
				ctx.meta.$responseHeaders = PAGE_HEADERS;
				return this.html;
			}
		},

		/** The latest sample of the cluster, for the page and for scripts. Admins only unless STATUS_PAGE_PUBLIC. */
		snapshot: {
			rest: "GET /status",
			summary: "The latest sample of the cluster: nodes, crawl, tracks, upstreams, errors",
			responses: { 200: ok("The sample", STATUS_SNAPSHOT) },
			auth: "optional",
			async handler(this: StatusThis, ctx: GatewayContext): Promise<StatusSnapshot> {
				this.checkAccess(ctx);
				return this.latest ?? this.takeSample();
			}
		}
	},

	events: {
		/** From the scraper; shown when scraper.latest cannot be asked. */
		"tracklist.processed": {
			handler(this: StatusThis, ctx: Context<unknown>) {
				this.collector.tracklistProcessed(ctx.params, Date.now());
				countTracklist(this.broker);
			}
		}
	},

	methods: {
		/** One sample at a time: callers arriving while one runs share it. */
		takeSample(this: StatusThis): Promise<StatusSnapshot> {
			this.sampling ??= this.collector
				.sample()
				.then(s => {
					this.latest = s;
					publishStatusMetrics(this.broker, s);
					return s;
				})
				.finally(() => {
					this.sampling = null;
				});
			return this.sampling;
		},

		checkAccess(this: StatusThis, ctx: GatewayContext): void {
			if (this.config.STATUS_PAGE_PUBLIC) return;
			requireUser(ctx);
			if (!isAdmin(ctx)) throw new Errors.MoleculerClientError("Only admins may read the status (or set STATUS_PAGE_PUBLIC=true)", 403, "FORBIDDEN");
		}
	},

	created(this: StatusThis) {
		this.config = configFor(this.broker);
		this.collector = new StatusCollector(this.broker, this.config);
		this.latest = null;
		this.sampling = null;
		this.html = statusPageHtml();
		registerStatusMetrics(this.broker);
	},

	started(this: StatusThis) {
		const sample = () => this.takeSample().catch(err => this.logger.warn(`status sample failed: ${(err as Error).message}`));
		this.timer = setInterval(sample, this.config.STATUS_SAMPLE_MS);
		this.timer.unref();
	},

	stopped(this: StatusThis) {
		clearInterval(this.timer);
	}
};

export default StatusService;
