import type { IncomingMessage, ServerResponse } from "node:http";
import type { Context, Service, ServiceSchema } from "moleculer";
import ApiGateway, { type ApiSettingsSchema } from "moleculer-web";
import type Redis from "ioredis";
import { configFor } from "../config";
import { limiterReadiness } from "../mixins/rate-limit";
import { acquireRedis, releaseRedis } from "../mixins/redis";
import { readiness, type Readiness } from "./api/readiness";

interface ApiVars {
	redis?: Redis;
}
type ApiThis = Service<ApiSettingsSchema> & ApiVars;

interface HttpMeta {
	$statusCode?: number;
}

interface HttpError extends Error {
	code?: number;
	type?: string;
	data?: unknown;
}

/**
 * The REST gateway. This file holds the gateway's settings and its own health actions; the routes
 * of each domain are added by later issues.
 */
const ApiService: ServiceSchema<ApiSettingsSchema, Record<string, never>, ApiVars> = {
	name: "api",
	mixins: [ApiGateway],

	settings: {
		port: 3000,
		ip: "0.0.0.0",
		log4XXResponses: false,
		logRequest: "debug",
		logResponse: "debug",
		routes: [
			{
				path: "/",
				whitelist: ["api.health", "api.ready"],
				mappingPolicy: "restrict",
				aliases: {
					"GET health": "api.health",
					"GET ready": "api.ready"
				}
			}
		],
		onError(_req: IncomingMessage, res: ServerResponse, err: HttpError) {
			const status = typeof err.code === "number" && err.code >= 400 && err.code < 600 ? err.code : 500;
			res.setHeader("Content-Type", "application/json; charset=utf-8");
			res.writeHead(status);
			res.end(JSON.stringify({ error: { status, type: err.type ?? err.name, message: err.message, data: err.data } }));
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
			async handler(this: ApiThis, ctx: Context<unknown, HttpMeta>): Promise<Readiness> {
				const result = await readiness(this.broker, this.redis, { limiters: async () => limiterReadiness(this.broker) });
				if (!result.ready) ctx.meta.$statusCode = 503;
				return result;
			}
		}
	},

	created(this: ApiThis) {
		const config = configFor(this.broker);
		this.settings.port = config.PORT;
		this.settings.ip = config.HOST;
		if (config.REDIS_URL) this.redis = acquireRedis(this.broker, config.REDIS_URL);
	},

	async stopped(this: ApiThis) {
		if (this.redis) await releaseRedis(this.broker);
	}
};

export default ApiService;
