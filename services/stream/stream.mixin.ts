/**
 * The live event stream, mixed into the gateway service: GET /api/events answers Server-Sent
 * Events (plays, likes, trending changes, crawl progress, tracklist results) to signed-in users.
 *
 * Across the cluster: cluster events (`activity.recorded`, `tracklist.processed`) reach one gateway
 * each (Moleculer balances events among a service's instances); that gateway gives the event an id
 * and broadcasts it to every gateway (`stream.event`), and each keeps the last STREAM_BUFFER events
 * and writes them to its own clients. Trending and crawl progress are polled by one gateway, the
 * one with the lowest node id. See docs/api.md ("Live events").
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import type { ApiRouteSchema } from "moleculer-web";
import type { ActivityEvent } from "../activity/model";
import type { GatewayMeta } from "../shared/access";
import { actionAvailable } from "../shared/registry";
import { SseClient } from "./client";
import { EventBuffer, eventId, TOPICS, type StreamEvent, type Topic } from "./model";

/** Recent events each gateway keeps for reconnecting clients. */
export const STREAM_BUFFER = 1000;
/** Frames queued for a client whose socket is full before it is disconnected. */
export const STREAM_MAX_QUEUE = 500;
/** Open streams per gateway; more are refused with 503. */
export const STREAM_MAX_CLIENTS = 1000;
const HEARTBEAT_MS = 15_000;
const POLL_MS = 5_000;
const RETRY_MS = 2_000;

interface StreamVars {
	streamClients: Set<SseClient>;
	streamBuffer: EventBuffer;
	streamSeq: number;
	streamTimers: NodeJS.Timeout[];
	/** Plays or likes were seen since trending was last read. */
	trendingDirty: boolean;
	lastTrending?: string;
	lastCrawl?: string;
}
interface StreamMethods {
	publish(topic: Topic, data: unknown, ownerId?: string): Promise<void>;
	streamLeader(): boolean;
	pollStream(): Promise<void>;
	openStream(req: IncomingMessage & { $ctx?: Context<unknown, GatewayMeta>; query?: Record<string, unknown> }, res: ServerResponse, next: (err?: Error) => void): void;
}
type StreamThis = Service & StreamVars & StreamMethods;

const ACTIVITY_TOPICS: Partial<Record<string, Topic>> = { play: "plays", like: "likes", unlike: "likes" };

function topicsOf(query: unknown): Set<Topic> | Errors.MoleculerClientError {
	const raw = typeof query === "string" ? query : query === undefined ? TOPICS.join(",") : undefined;
	const names = raw?.split(",").map(s => s.trim()).filter(Boolean) ?? [];
	const unknown = names.filter(n => !(TOPICS as readonly string[]).includes(n));
	if (raw === undefined || names.length === 0 || unknown.length) {
		return new Errors.ValidationError(`topics must be a comma-separated list of ${TOPICS.join(", ")}`, "VALIDATION_ERROR", [
			{ type: "enum", field: "topics", message: `The 'topics' field must list some of: ${TOPICS.join(", ")}.` }
		]);
	}
	return new Set(names as Topic[]);
}

const streamSchema: ServiceSchema<ServiceSettingSchema, StreamMethods, StreamVars> = {
	name: "stream",
	events: {
		"activity.recorded"(this: StreamThis, ctx: Context<ActivityEvent>) {
			const e = ctx.params;
			const topic = ACTIVITY_TOPICS[e.type];
			if (topic) return this.publish(topic, { userId: e.userId, trackId: e.trackId, type: e.type, ...(e.msPlayed !== undefined ? { msPlayed: e.msPlayed } : {}) }, e.userId);
		},
		"tracklist.processed"(this: StreamThis, ctx: Context<Record<string, unknown>>) {
			return this.publish("tracklists", ctx.params);
		},
		/** Every gateway: keep the event and write it to this gateway's clients. */
		"stream.event"(this: StreamThis, ctx: Context<StreamEvent>) {
			const event = ctx.params;
			this.streamBuffer.add(event);
			if (event.topic === "plays" || event.topic === "likes") this.trendingDirty = true;
			for (const client of this.streamClients) client.send(event);
		}
	},

	methods: {
		async publish(this: StreamThis, topic: Topic, data: unknown, ownerId?: string) {
			const at = Date.now();
			const event: StreamEvent = { id: eventId(at, ++this.streamSeq, this.broker.nodeID), topic, at, data, ...(ownerId ? { ownerId } : {}) };
			await this.broker.broadcast("stream.event", event, { groups: [this.name] });
		},

		/** The gateway with the lowest node id polls trending and crawl progress for all. */
		streamLeader(this: StreamThis) {
			const nodes = (this.broker.registry.getServiceList({ onlyAvailable: true }) as Array<{ name: string; nodeID: string }>)
				.filter(s => s.name === this.name)
				.map(s => s.nodeID)
				.sort();
			return nodes[0] === undefined || nodes[0] === this.broker.nodeID;
		},

		async pollStream(this: StreamThis) {
			if (!this.streamLeader()) return;
			try {
				if (this.trendingDirty && actionAvailable(this.broker, "activity.trending")) {
					this.trendingDirty = false;
					const trending = await this.broker.call<{ items: Array<{ track: { id: string } }> }, object>("activity.trending", { window: "24h", limit: 10 });
					const order = trending.items.map(t => t.track.id).join(",");
					if (order !== this.lastTrending) {
						this.lastTrending = order;
						await this.publish("trending", trending);
					}
				}
				if (actionAvailable(this.broker, "scheduler.status")) {
					const status = await this.broker.call<Record<string, unknown>, object>("scheduler.status", {});
					const { at: _at, rate: _rate, eta: _eta, ...progress } = status;
					const digest = JSON.stringify(progress);
					if (digest !== this.lastCrawl) {
						this.lastCrawl = digest;
						await this.publish("crawl", status);
					}
				}
			} catch (err) {
				this.logger.warn(`Live events: polling trending and crawl progress failed; trying again in ${POLL_MS / 1000} s: ${(err as Error).message}`);
			}
		},

		/** moleculer-web's alias handler for GET /api/events: the connection stays open. */
		openStream(this: StreamThis, req, res, next) {
			const user = req.$ctx?.meta.user;
			if (!user) return next(new Errors.MoleculerClientError("Sign in first: the event stream needs an access token", 401, "UNAUTHORIZED"));
			const topics = topicsOf(req.query?.topics);
			if (topics instanceof Error) return next(topics);
			if (this.streamClients.size >= STREAM_MAX_CLIENTS) {
				return next(new Errors.MoleculerError("Too many open event streams on this gateway; try another or later", 503, "STREAM_FULL", { retryAfterSec: 5 }));
			}
			const header = req.headers["last-event-id"];
			const lastId = typeof header === "string" ? header : typeof req.query?.lastEventId === "string" ? req.query.lastEventId : undefined;
			res.writeHead(200, {
				"Content-Type": "text/event-stream; charset=utf-8",
				"Cache-Control": "no-cache, no-transform",
				Connection: "keep-alive",
				"X-Accel-Buffering": "no"
			});
			const client = new SseClient(res, user, topics, STREAM_MAX_QUEUE, c => this.streamClients.delete(c));
			this.streamClients.add(client);
			client.write(`retry: ${RETRY_MS}\n: connected to ${this.broker.nodeID}\n\n`);
			if (lastId !== undefined) {
				const { events, gap } = this.streamBuffer.after(lastId);
				if (gap) client.write(`event: gap\ndata: ${JSON.stringify({ message: "Events after your Last-Event-ID were dropped; reload the state you keep" })}\n\n`);
				for (const event of events) client.send(event);
			}
		}
	},

	created(this: StreamThis) {
		this.streamClients = new Set();
		this.streamBuffer = new EventBuffer(STREAM_BUFFER);
		this.streamSeq = 0;
		this.streamTimers = [];
		this.trendingDirty = false;
	},

	started(this: StreamThis) {
		const heartbeat = setInterval(() => {
			for (const client of this.streamClients) client.write(": ping\n\n");
		}, HEARTBEAT_MS);
		const poll = setInterval(() => void this.pollStream(), POLL_MS);
		for (const t of [heartbeat, poll]) t.unref();
		this.streamTimers.push(heartbeat, poll);
	},

	stopped(this: StreamThis) {
		for (const t of this.streamTimers) clearInterval(t);
		for (const client of [...this.streamClients]) client.close();
	}
};

/* Typed by its own methods and vars, which a bare mixin type cannot carry through `this` (as WorkerMixin). */
export const StreamMixin = streamSchema as unknown as Partial<ServiceSchema>;

/** moleculer-web calls a raw alias handler with the gateway service as `this`. */
function streamAlias(this: StreamThis, req: Parameters<StreamMethods["openStream"]>[0], res: ServerResponse, next: (err?: Error) => void): void {
	this.openStream(req, res, next);
}

/** The stream's route: the native route's guards, limits and authentication, one alias with a raw handler. */
export function streamRoute(native: ApiRouteSchema): ApiRouteSchema {
	return { ...native, name: "stream", path: "/", autoAliases: false, mappingPolicy: "restrict", aliases: { "GET api/events": streamAlias } };
}
