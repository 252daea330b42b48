import type { IncomingMessage, ServerResponse } from "node:http";
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
import { openApiDocument, type ActionInfo, type RoutedAlias } from "./api/openapi";
import { clearCaches, collectAdminStats } from "./api/admin";
import { version as packageVersion } from "../package.json";

interface ApiVars {
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

interface HttpError extends Error {
	code?: number;
	type?: string;
	data?: unknown;
}

/** A service that refuses "for now" says when to come back in `data.retryAfterSec`; clients read it as Retry-After. */
function retryAfterSec(data: unknown): number | undefined {
	const value = typeof data === "object" && data !== null ? (data as { retryAfterSec?: unknown }).retryAfterSec : undefined;
	return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.ceil(value) : undefined;
}

/** Every service's REST actions, under /api/v1; each action's `rest` and `auth` keys place and guard it. */
function apiRoute(service: ApiThis): ApiRouteSchema {
	const config = service.config;
	const route: ApiRouteSchema = {
		path: "/api/v1",
		autoAliases: true,
		mappingPolicy: "restrict",
		authentication: true,
		authorization: true,
		bodyParsers: { json: { limit: config.API_BODY_LIMIT, strict: false }, urlencoded: { extended: true, limit: config.API_BODY_LIMIT } },
		onBeforeCall(ctx: Context<unknown, GatewayMeta>, _route: unknown, req: IncomingMessage) {
			ctx.meta.ip = clientIp(req, config.TRUST_PROXY);
		}
	};
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
	mixins: [ApiGateway],

	settings: {
		rest: "/",
		port: 3000,
		ip: "0.0.0.0",
		log4XXResponses: false,
		logRequest: "debug",
		logResponse: "debug",
		routes: [
			{
				path: "/",
				whitelist: ["api.health", "api.ready", "status.page"],
				mappingPolicy: "restrict",
				aliases: {
					"GET health": "api.health",
					"GET ready": "api.ready",
					"GET status": "status.page"
				}
			}
		],
		onError(_req: IncomingMessage, res: ServerResponse, err: HttpError) {
			const status = typeof err.code === "number" && err.code >= 400 && err.code < 600 ? err.code : 500;
			res.setHeader("Content-Type", "application/json; charset=utf-8");
			const retryAfter = retryAfterSec(err.data);
			if (retryAfter !== undefined) res.setHeader("Retry-After", String(retryAfter));
			res.writeHead(status);
			const message = status >= 500 && err.type === undefined ? "Internal error" : err.message;
			res.end(JSON.stringify({ error: { status, type: err.type ?? err.name, message, data: err.data } }));
		}
	},

	actions: {
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
				const aliases = this.aliases.filter(a => a.fullPath.startsWith("/api/v1/") && typeof a.action === "string");
				return openApiDocument(aliases, actions, packageVersion);
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
	},

	async stopped(this: ApiThis) {
		if (this.redis) await releaseRedis(this.broker);
	}
};

export default ApiService;
