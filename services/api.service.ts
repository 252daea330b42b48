import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Context, Service, ServiceSchema } from "moleculer";
import ApiGateway, { type ApiRouteSchema, type ApiSettingsSchema } from "moleculer-web";
import type Redis from "ioredis";
import { configFor, type Config } from "../config";
import { limiterReadiness } from "../mixins/rate-limit";
import { acquireRedis, releaseRedis } from "../mixins/redis";
import type { AuthUser, GatewayMeta } from "./shared/access";
import { accessSecret } from "./users/access-token";
import { checkAccess, clientIp, userFromRequest, type GatewayRequest } from "./api/auth";
import { redisRateLimitStore } from "./api/rate-limit-store";
import { readiness, type Readiness } from "./api/readiness";
import { errorBody, retryAfterSec, type HttpError } from "./api/errors";
import { corsSettings, mirrorRateLimitHeaders } from "./api/headers";
import { docsPage } from "./api/docs-page";
import { requestGuards, verifyUtf8 } from "./api/request-guards";
import { answerClientErrors } from "./api/client-errors";
import { openApiDocument, type ActionInfo, type RoutedAlias } from "./api/openapi";
import { clearCaches, collectAdminStats } from "./api/admin";
import { CompatActions } from "./compat/actions";
import { compatRoute, isCompatAlias } from "./compat/routes";
import { withSeed004Fields } from "./compat/seed-004";
import { StreamMixin, streamRoute } from "./stream/stream.mixin";
import { version as packageVersion } from "../package.json";

interface ApiVars {
	server: Server;
	redis?: Redis;
	config: Config;
	/** moleculer-web's routed aliases. */
	aliases: RoutedAlias[];
}
interface RegistryAction {
	name: string;
	action?: ActionInfo;
}

interface ApiMethods {
	addRoute(route: ApiRouteSchema, toBottom?: boolean): unknown;
	authenticate(ctx: Context, route: unknown, req: IncomingMessage): AuthUser | null;
	authorize(ctx: Context<unknown, GatewayMeta>, route: unknown, req: GatewayRequest): void;
}
type ApiThis = Service<ApiSettingsSchema> & ApiVars & ApiMethods;

/** Every request carries an id: the client's X-Request-ID when it is sane, a new one otherwise. */
function saneRequestId(options: { requestID?: unknown }): void {
	if (typeof options.requestID !== "string" || !/^[\w.:-]{1,128}$/.test(options.requestID)) options.requestID = randomUUID();
}

/** Every service's REST actions, under /api/v1; each action's `rest` and `auth` keys place and guard it. */
function apiRoute(service: ApiThis): ApiRouteSchema {
	const config = service.config;
	const route: ApiRouteSchema = {
		// Named, so the compatibility route (also named) does not replace a route of the same path.
		name: "api-v1",
		path: "/api/v1",
		autoAliases: true,
		mappingPolicy: "restrict",
		authentication: true,
		authorization: true,
		// JSON only: every action takes JSON, and one parser means one set of rules to check.
		bodyParsers: { json: { limit: config.API_BODY_LIMIT, strict: true, verify: verifyUtf8 } },
		use: [requestGuards],
		onBeforeCall(ctx: Context<unknown, GatewayMeta>, _route: unknown, req: IncomingMessage, res: ServerResponse) {
			ctx.meta.ip = clientIp(req, config.TRUST_PROXY);
			mirrorRateLimitHeaders(res);
		},
		// Seed 004's field names beside the scraper's own (services/compat/seed-004.ts).
		onAfterCall(_ctx: Context, _route: unknown, req: IncomingMessage & { $action?: { name?: string } }, _res: ServerResponse, data: unknown) {
			return withSeed004Fields(req.$action?.name, data);
		}
	};
	if (config.CORS_ORIGINS.length) route.cors = corsSettings(config.CORS_ORIGINS);
	if (config.API_RATE_LIMIT_PER_MIN > 0) {
		route.rateLimit = {
			window: 60_000,
			limit: config.API_RATE_LIMIT_PER_MIN,
			headers: true,
			key: (req: IncomingMessage) => clientIp(req, config.TRUST_PROXY),
			...(service.redis ? { StoreFactory: redisRateLimitStore(service.redis, config.LIMITER_ID_PREFIX) } : {})
		};
	}
	return route;
}

/** The REST gateway: its settings, authentication, per-IP limits and its own health actions. */
const ApiService: ServiceSchema<ApiSettingsSchema, ApiMethods, ApiVars> = {
	name: "api",
	// StreamMixin first: its stopped hook (closing open streams) must run before the gateway closes its server.
	mixins: [StreamMixin, ApiGateway],

	settings: {
		rest: "/",
		port: 3000,
		ip: "0.0.0.0",
		log4XXResponses: false,
		logRequest: "debug",
		logResponse: "debug",
		routes: [
			{
				name: "root",
				path: "/",
				whitelist: ["api.health", "api.ready", "api.openapi", "api.docs", "status.page"],
				mappingPolicy: "restrict",
				aliases: {
					"GET health": "api.health",
					"GET ready": "api.ready",
					"GET api/openapi.json": "api.openapi",
					"GET api/docs": "api.docs",
					"GET status": "status.page"
				}
			}
		],
		// Every request carries an id: the client's X-Request-ID when it is sane, a new one otherwise.
		// moleculer-web also accepts a function here, which its typings do not say.
		rootCallOptions: saneRequestId as unknown as ApiSettingsSchema["rootCallOptions"],
		onError(this: ApiThis, req: IncomingMessage, res: ServerResponse, err: HttpError) {
			const requestId = String(res.getHeader("X-Request-ID") ?? "") || undefined;
			const body = errorBody(err, requestId);
			if (body.error.status >= 500) {
				this.logger.error(`${req.method} ${req.url} failed`, { requestId, error: err.message, type: err.type, stack: err.stack });
			}
			res.setHeader("Content-Type", "application/json; charset=utf-8");
			mirrorRateLimitHeaders(res);
			const retryAfter = retryAfterSec(err, res);
			if (retryAfter !== undefined) res.setHeader("Retry-After", String(retryAfter));
			res.writeHead(body.error.status);
			res.end(JSON.stringify(body));
		}
	},

	actions: {
		// moleculer-web's own route listing would be public under /api/v1; the OpenAPI document replaces it.
		listAliases: false,

		// The seed systems' routes (services/compat): adapters over the native actions.
		...CompatActions,

		/** Liveness: the process answers. */
		health: {
			handler(this: ApiThis) {
				return { status: "ok", nodeID: this.broker.nodeID, uptimeSec: Math.round(process.uptime()) };
			}
		},

		/** Readiness: the store answers, the transporter is connected, and Redis is up when configured. */
		ready: {
			async handler(this: ApiThis, ctx: Context<unknown, GatewayMeta>): Promise<Readiness> {
				const result = await readiness(this.broker, this.redis, { limiters: async () => limiterReadiness(this.broker) });
				if (!result.ready) ctx.meta.$statusCode = 503;
				return result;
			}
		},

		/** The OpenAPI document of /api/v1, generated from the live routes and their actions' params. */
		openapi: {
			rest: "GET /openapi.json",
			auth: "public",
			handler(this: ApiThis) {
				const actions = new Map<string, ActionInfo>();
				for (const item of this.broker.registry.getActionList({ skipInternal: true, withEndpoints: false }) as RegistryAction[]) {
					if (item.action) actions.set(item.name, item.action);
				}
				const aliases = this.aliases.filter(a => (a.fullPath.startsWith("/api/v1/") || isCompatAlias(a)) && typeof a.action === "string");
				return openApiDocument(aliases, actions, packageVersion);
			}
		},

		/** A readable page of the OpenAPI document, for people; it needs nothing from the internet. */
		docs: {
			handler(this: ApiThis, ctx: Context<unknown, GatewayMeta>) {
				ctx.meta.$responseType = "text/html; charset=utf-8";
				return docsPage("/api/openapi.json");
			}
		},

		/** Admin figures from every service that keeps some, each only when that service is online. */
		adminStats: {
			rest: "GET /admin/stats",
			auth: "admin",
			async handler(this: ApiThis, ctx: Context) {
				return collectAdminStats(this.broker, ctx);
			}
		},

		/** Clears every cache that can be cleared: the broker cacher and each service's own caches. */
		clearCaches: {
			rest: "POST /admin/cache/clear",
			auth: "admin",
			async handler(this: ApiThis, ctx: Context) {
				return clearCaches(this.broker, ctx);
			}
		},

		/** Per-component health for admins: the readiness checks with their details, every time 200. */
		adminHealth: {
			rest: "GET /admin/health",
			auth: "admin",
			async handler(this: ApiThis): Promise<Readiness> {
				return readiness(this.broker, this.redis, { limiters: async () => limiterReadiness(this.broker) });
			}
		}
	},

	methods: {
		/** moleculer-web's hook: the bearer token's user, put in ctx.meta.user. */
		authenticate(this: ApiThis, _ctx: Context, _route: unknown, req: IncomingMessage) {
			return userFromRequest(req, accessSecret(this.config.JWT_SECRET)) ?? null;
		},
		/** moleculer-web's hook: the action's `auth` key decides. */
		authorize(this: ApiThis, ctx: Context<unknown, GatewayMeta>, _route: unknown, req: GatewayRequest) {
			checkAccess(req, ctx.meta.user);
		}
	},

	created(this: ApiThis) {
		this.config = configFor(this.broker);
		this.settings.port = this.config.PORT;
		this.settings.ip = this.config.HOST;
		if (this.config.REDIS_URL) this.redis = acquireRedis(this.broker, this.config.REDIS_URL);
		if (!this.config.JWT_SECRET) {
			this.logger.warn("JWT_SECRET is unset: access tokens are signed with a per-process secret and die on restart");
		}
		this.addRoute(apiRoute(this));
		this.addRoute(compatRoute(apiRoute(this)));
		this.addRoute(streamRoute(apiRoute(this)));
		answerClientErrors(this.server);
	},

	async stopped(this: ApiThis) {
		if (this.redis) await releaseRedis(this.broker);
	}
};

export default ApiService;
