import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Errors, type Context, type Service, type ServiceSchema } from "moleculer";
import ApiGateway, { type ApiRouteSchema, type ApiSettingsSchema } from "moleculer-web";
import type Redis from "ioredis";
import { configFor, type Config } from "../config";
import { limiterReadiness } from "../mixins/rate-limit";
import { acquireRedis, releaseRedis } from "../mixins/redis";
import type { AuthUser, GatewayMeta } from "./shared/access";
import { accessSecret } from "./users/access-token";
import { checkAccess, clientIp, userFromRequest, type GatewayRequest } from "./api/auth";
import { redisRateLimitStore } from "./api/rate-limit-store";
import { readiness, type CheckResult, type Readiness } from "./api/readiness";
import { errorBody, retryAfterSec, type HttpError } from "./api/errors";
import { corsSettings, mirrorRateLimitHeaders } from "./api/headers";
import { docsAsset, docsAssetHeaders, docsPage, docsPageHeaders } from "./api/docs-page";
import { jsonBodyParser, optionsGuard, requestGuards } from "./api/request-guards";
import { applyIdempotency, idempotencyKey, IdempotencyStore, replayOf, writeReplay } from "./api/idempotency";
import { batchItems, BatchQuota } from "./api/batch-quota";
import { RevokedUsers } from "./api/revoked-users";
import { WindowCounter } from "./api/rate-limit-store";
import { answerClientErrors } from "./api/client-errors";
import { openApiDocument } from "./api/openapi";
import { documentedRoutes } from "./api/doc/routes";
import { rootAliases } from "./api/root-routes";
import { clearCaches, collectAdminStats } from "./api/admin";
import { CompatActions } from "./compat/actions";
import { compatRoute } from "./compat/routes";
import { withSeed004Fields } from "./compat/seed-004";
import { StreamMixin, streamRoute } from "./stream/stream.mixin";
import { version as packageVersion } from "../package.json";
import { bool, dateTime, int, mapOf, num, obj, ok, str } from "./api/doc/schemas";

const READINESS = obj({ ready: bool, nodeID: str, checks: mapOf(obj({ ok: bool, detail: str, latencyMs: num }, ["latencyMs"])) });

interface ApiVars {
	server: Server;
	redis?: Redis;
	config: Config;
	/** The OpenAPI document, built once: it depends on the code only. */
	openApi?: Promise<Record<string, unknown>>;
	/** moleculer-web's debounced rerouting after a change in the cluster's services (lodash's debounce). */
	regenerateAllAutoAliases: { (): void; flush(): void };
	/** Accounts deleted while their access tokens still live. */
	revoked: RevokedUsers;
	idempotency: IdempotencyStore;
	batchQuota: BatchQuota;
}

interface ApiMethods {
	gatewayChecks(): Record<string, () => Promise<CheckResult>>;
	addRoute(route: ApiRouteSchema, toBottom?: boolean): unknown;
	authenticate(ctx: Context, route: unknown, req: IncomingMessage): AuthUser | null;
	authorize(ctx: Context<unknown, GatewayMeta>, route: unknown, req: GatewayRequest, res: ServerResponse): Promise<void>;
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
		// OPTIONS is answered before the body is read: it never runs an action.
		bodyParsers: false,
		use: [optionsGuard, jsonBodyParser({ limit: config.API_BODY_LIMIT, strict: true }), requestGuards],
		onBeforeCall(ctx: Context<unknown, GatewayMeta>, _route: unknown, req: IncomingMessage, res: ServerResponse) {
			ctx.meta.ip = clientIp(req, config.TRUST_PROXY, config.TRUST_PROXY_HOPS);
			res.setHeader("X-Content-Type-Options", "nosniff");
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
			key: (req: IncomingMessage) => clientIp(req, config.TRUST_PROXY, config.TRUST_PROXY_HOPS),
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
		// Dozens of route lines at every start bury what matters; they are there at LOG_LEVEL=debug.
		logRouteRegistration: "debug",
		routes: [
			{
				name: "root",
				path: "/",
				// The same guards as /api/v1: a probe or a page takes no operators or credentials in its URL either.
				use: [optionsGuard, requestGuards],
				whitelist: Object.values(rootAliases),
				mappingPolicy: "restrict",
				aliases: rootAliases
			}
		],
		// Every request carries an id: the client's X-Request-ID when it is sane, a new one otherwise.
		// moleculer-web also accepts a function here, which its typings do not say.
		rootCallOptions: saneRequestId as unknown as ApiSettingsSchema["rootCallOptions"],
		onError(this: ApiThis, req: IncomingMessage, res: ServerResponse, err: HttpError) {
			const replay = replayOf(err);
			if (replay) return writeReplay(res, replay);
			const requestId = String(res.getHeader("X-Request-ID") ?? "") || undefined;
			const body = errorBody(err, requestId);
			if (body.error.status >= 500) {
				this.logger.error(`${req.method} ${req.url} failed`, { requestId, error: err.message, type: err.type, stack: err.stack });
			}
			res.setHeader("Content-Type", "application/json; charset=utf-8");
			res.setHeader("X-Content-Type-Options", "nosniff");
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
			summary: "Liveness: this gateway's process answers",
			responses: { 200: ok("The process is up", obj({ status: { const: "ok" }, nodeID: str, uptimeSec: int }), { status: "ok", nodeID: "api-1", uptimeSec: 3600 }) },
			auth: "public",
			handler(this: ApiThis) {
				return { status: "ok", nodeID: this.broker.nodeID, uptimeSec: Math.round(process.uptime()) };
			}
		},

		/** Readiness: the store answers, the transporter is connected, and Redis is up when configured. */
		ready: {
			summary: "Readiness: the store, the transporter, Redis and every service this gateway sees answer (503 with the same body when not)",
			responses: { 200: ok("Ready; each check with its detail", READINESS, { ready: true, nodeID: "api-1", checks: { store: { ok: true, detail: "sqlite", latencyMs: 1 } } }) },
			auth: "public",
			async handler(this: ApiThis, ctx: Context<unknown, GatewayMeta>): Promise<Readiness> {
				const result = await readiness(this.broker, this.redis, this.gatewayChecks());
				if (!result.ready) ctx.meta.$statusCode = 503;
				return result;
			}
		},

		/** The OpenAPI document of every route, built from the service schemas: whole whichever services run here. */
		openapi: {
			rest: "GET /openapi.json",
			summary: "This OpenAPI document",
			responses: { 200: ok("The OpenAPI 3.1 document of every route, whichever services run", obj({ openapi: str, info: obj({}), paths: obj({}), components: obj({}) }), { openapi: "3.1.0", info: { title: "cratedigger API", version: "0.1.0" }, paths: {}, components: {} }) },
			auth: "public",
			async handler(this: ApiThis) {
				this.openApi ??= import("./index").then(({ serviceCatalog }) => openApiDocument(documentedRoutes(Object.values(serviceCatalog)), packageVersion));
				return this.openApi;
			}
		},

		/** The OpenAPI document for people: Swagger UI with try-it; it needs nothing from the internet. */
		docs: {
			summary: "The API docs page: this document rendered by Swagger UI, with try-it",
			responses: { 200: { description: "An HTML page", otherMedia: { "text/html": { type: "string" } } } },
			auth: "public",
			handler(this: ApiThis, ctx: Context<unknown, GatewayMeta>) {
				const html = docsPage("/api/openapi.json");
				ctx.meta.$responseType = "text/html; charset=utf-8";
				ctx.meta.$responseHeaders = docsPageHeaders(html);
				return html;
			}
		},

		/** The docs page's renderer files, from the swagger-ui-dist package. */
		docsAsset: {
			params: { file: { type: "string", max: 100 } },
			handler(this: ApiThis, ctx: Context<{ file: string }, GatewayMeta>) {
				const asset = docsAsset(ctx.params.file);
				if (!asset) throw new Errors.MoleculerClientError("No such file", 404, "NOT_FOUND");
				ctx.meta.$responseType = asset.contentType;
				ctx.meta.$responseHeaders = docsAssetHeaders();
				return asset.body;
			}
		},

		/** Admin figures from every service that keeps some, each only when that service is online. */
		adminStats: {
			rest: "GET /admin/stats",
			summary: "Figures from every service that keeps some (admins)",
			responses: { 200: ok("Each service's figures, or {available: false} when it is offline", obj({ at: dateTime, nodes: int }), { at: "2026-12-06T21:00:00.000Z", nodes: 3, catalog: { tracks: 5210 }, crawl: { available: false } }) },
			auth: "admin",
			async handler(this: ApiThis, ctx: Context) {
				return collectAdminStats(this.broker, ctx);
			}
		},

		/** Clears every cache that can be cleared: the broker cacher and each service's own caches. */
		clearCaches: {
			rest: "POST /admin/cache/clear",
			summary: "Clear every cache: the broker cacher and each service's own (admins)",
			responses: { 200: ok("What each cache holder answered", obj({ cleared: obj({}) }), { cleared: { broker: true, recommendations: { cleared: 4 }, scraper: { available: false } } }) },
			auth: "admin",
			async handler(this: ApiThis, ctx: Context) {
				return clearCaches(this.broker, ctx);
			}
		},

		/** Per-component health for admins: the readiness checks with their details, every time 200. */
		adminHealth: {
			rest: "GET /admin/health",
			summary: "Per-component health with details, always 200 (admins)",
			responses: { 200: ok("Readiness and each check", READINESS, { ready: true, nodeID: "api-1", checks: { store: { ok: true, detail: "sqlite", latencyMs: 1 } } }) },
			auth: "admin",
			async handler(this: ApiThis): Promise<Readiness> {
				return readiness(this.broker, this.redis, this.gatewayChecks());
			}
		}
	},

	events: {
		/** An account is gone: its access tokens stop working here now, not when they expire. */
		"users.deleted"(this: ApiThis, ctx: Context<{ id: string; until: number }>) {
			return this.revoked.add(ctx.params.id, ctx.params.until);
		}
	},

	methods: {
		/**
		 * The gateway's own readiness checks, beside the node's. moleculer-web routes newly seen
		 * services half a second after they appear, and they answer 404 until then: a readiness
		 * probe routes them at once, so "ready" means every service it can see is reachable.
		 */
		gatewayChecks(this: ApiThis) {
			this.regenerateAllAutoAliases.flush();
			return { limiters: async (): Promise<CheckResult> => limiterReadiness(this.broker) };
		},
		/** moleculer-web's hook: the bearer token's user, put in ctx.meta.user. */
		authenticate(this: ApiThis, _ctx: Context, _route: unknown, req: IncomingMessage) {
			const user = userFromRequest(req, accessSecret(this.config.JWT_SECRET));
			if (user && this.revoked.has(user.id)) throw new Errors.MoleculerClientError("The account of this access token was deleted", 401, "INVALID_TOKEN");
			return user ?? null;
		},
		/**
		 * moleculer-web's hook: the action's `auth` key decides; then a signed-in POST's
		 * Idempotency-Key, and the caller's quota when the action is batch work.
		 */
		async authorize(this: ApiThis, ctx: Context<unknown, GatewayMeta>, _route: unknown, req: GatewayRequest, res: ServerResponse) {
			checkAccess(req, ctx.meta.user);
			const user = ctx.meta.user;
			if (!user) return;
			const key = req.method === "POST" && req.$action?.auth !== "public" ? idempotencyKey(req) : undefined;
			if (key) {
				ctx.meta.idempotencyKey = key;
				await applyIdempotency(this.idempotency, user.id, key, req, res);
			}
			const batch = req.$action?.batch;
			if (batch) res.once("close", await this.batchQuota.admit(user.id, batchItems(req.$params, batch.items)));
		}
	},

	created(this: ApiThis) {
		this.config = configFor(this.broker);
		this.settings.port = this.config.PORT;
		this.settings.ip = this.config.HOST;
		const c = this.config;
		if (c.REDIS_URL) this.redis = acquireRedis(this.broker, c.REDIS_URL);
		this.revoked = new RevokedUsers(this.redis, `${c.LIMITER_ID_PREFIX}:revoked-users`);
		this.idempotency = new IdempotencyStore(this.redis, c.LIMITER_ID_PREFIX, c.IDEMPOTENCY_TTL_SEC * 1000, Math.max(30_000, 3 * c.REQUEST_TIMEOUT));
		this.batchQuota = new BatchQuota(
			{ itemsPerHour: c.BATCH_ITEMS_PER_HOUR, concurrent: c.BATCH_CONCURRENT_PER_USER },
			new WindowCounter(this.redis, `${c.LIMITER_ID_PREFIX}:batch-items`, 3600_000)
		);
		if (!this.config.JWT_SECRET) {
			this.logger.warn("JWT_SECRET is unset: access tokens are signed with a per-process secret and die on restart");
		}
		this.addRoute(apiRoute(this));
		this.addRoute(compatRoute(apiRoute(this)));
		this.addRoute(streamRoute(apiRoute(this)));
		answerClientErrors(this.server);
	},

	async started(this: ApiThis) {
		await this.revoked.load();
	},

	async stopped(this: ApiThis) {
		if (this.redis) await releaseRedis(this.broker);
	}
};

export default ApiService;
