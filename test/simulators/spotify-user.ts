/**
 * The user side of the Spotify simulator's Web API: the two playlist endpoints cratedigger writes to, `POST /v1/me/playlists` and
 * `POST /v1/playlists/{id}/items` (at most 100 URIs a call, as the real API). They accept the user
 * tokens of the PKCE grants (spotify-accounts.ts) and, for tests that are not about linking, tokens
 * from `issueUserToken` without an OAuth round trip.
 *
 * These routes bypass the app gate of spotify.ts (which knows client-credentials tokens only) and
 * check user tokens themselves; they share the simulator's clock and rate window, so
 * `setRateLimit` and `advanceClock` apply to them too.
 */
import type { SimulatorCore } from "./common";
import { asRecord } from "./http";
import { base62, mixSeed, mulberry32 } from "./prng";
import type { Reply, RouteContext, SimRoute } from "./server";
import { spotifyError, type Json } from "./spotify-shapes";

export interface SimPlaylist {
	id: string;
	ownerId: string;
	name: string;
	description: string;
	public: boolean;
	uris: string[];
	/** The size of every accepted items call, in order. */
	batches: number[];
	snapshot: number;
}

/** Spotify refuses more than this many URIs in one items call. */
export const MAX_ITEMS_PER_CALL = 100;

const URI = /^spotify:(track|episode):[A-Za-z0-9]{22}$/;

/** Who a user token belongs to and until when; for tokens issued elsewhere (the PKCE grants). */
export type UserTokenLookup = (token: string) => { userId: string; expiresAt: number } | undefined;

export class SpotifyUsers {
	private readonly tokens = new Map<string, { userId: string; expiresAt: number }>();
	private readonly lists = new Map<string, SimPlaylist>();
	private readonly rng;
	/** Forced answers of upcoming user-API calls (null lets a call through), for tests of partial failure. */
	private failures: Array<{ status: number; retryAfterSec?: number } | null> = [];

	/** `lookup` resolves user tokens this class did not issue, e.g. those of spotify-accounts.ts. */
	constructor(
		private readonly core: SimulatorCore,
		private readonly lookup: UserTokenLookup = () => undefined
	) {
		this.rng = mulberry32(mixSeed(core.catalog.options.seed, 0x05e7));
	}

	/** A user access token for `userId`, valid `ttlSec` on the simulator's clock. */
	issueUserToken(userId = "sim-user", ttlSec = 3600): string {
		const token = `BQU${base62(this.rng, 40)}`;
		this.tokens.set(token, { userId, expiresAt: this.core.clock.now() + ttlSec * 1000 });
		this.core.stats.event("tokensIssued");
		return token;
	}

	/** Every user token issued so far expires now. */
	expireUserTokens(): void {
		const now = this.core.clock.now();
		for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
	}

	/**
	 * After letting `after` user-API calls through, the next `count` answer `status` (a 429 with
	 * `Retry-After: retryAfterSec`).
	 */
	failNext(count: number, status: number, opts: { retryAfterSec?: number; after?: number } = {}): void {
		for (let i = 0; i < (opts.after ?? 0); i++) this.failures.push(null);
		for (let i = 0; i < count; i++) this.failures.push({ status, retryAfterSec: opts.retryAfterSec });
	}

	playlists(): SimPlaylist[] {
		return [...this.lists.values()];
	}

	playlist(id: string): SimPlaylist | undefined {
		return this.lists.get(id);
	}

	reset(): void {
		this.lists.clear();
		this.failures = [];
	}

	/** Auth, forced failures and the shared rate window; a reply ends the request. */
	gate(ctx: RouteContext): Reply | { userId: string } {
		const m = /^Bearer\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? "");
		const bearer = { "www-authenticate": 'Bearer realm="spotify"' };
		if (!m) return spotifyError(401, "No token provided", {}, bearer);
		const token = this.tokens.get(m[1]) ?? this.lookup(m[1]);
		if (!token) return spotifyError(401, "Invalid access token", {}, bearer);
		if (this.core.clock.now() >= token.expiresAt) return spotifyError(401, "The access token expired", {}, bearer);
		const forced = this.failures.shift();
		if (forced) return forcedReply(forced.status, forced.retryAfterSec);
		const waitMs = this.core.window.take(this.core.clock.now());
		if (waitMs > 0) {
			const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
			return spotifyError(429, "Too many requests", { reason: "QUOTA_EXCEEDED" }, { "retry-after": retryAfter });
		}
		return { userId: token.userId };
	}

	createPlaylist(ctx: RouteContext, userId: string): Reply {
		const body = jsonBody(ctx.body);
		if (!body) return spotifyError(400, "Error parsing JSON.");
		if (typeof body.name !== "string" || body.name.trim() === "") return spotifyError(400, "Missing required field: name");
		if (body.public !== undefined && typeof body.public !== "boolean") return spotifyError(400, "Invalid value for public");
		const id = this.newPlaylistId();
		const list: SimPlaylist = {
			id,
			ownerId: userId,
			name: body.name,
			description: typeof body.description === "string" ? body.description : "",
			public: body.public !== false,
			uris: [],
			batches: [],
			snapshot: 1
		};
		this.lists.set(id, list);
		return { status: 201, body: this.playlistObject(list, ctx.base) };
	}

	addItems(ctx: RouteContext, userId: string): Reply {
		const list = this.lists.get(ctx.params.id);
		if (!list) return spotifyError(404, "Not found.");
		if (list.ownerId !== userId) return spotifyError(403, "You cannot add items to a playlist you don't own.");
		const body = ctx.body ? jsonBody(ctx.body) : {};
		if (!body) return spotifyError(400, "Error parsing JSON.");
		const fromQuery = ctx.url.searchParams.get("uris")?.split(",").filter(Boolean);
		const uris = Array.isArray(body.uris) ? body.uris : fromQuery;
		if (!uris || uris.length === 0) return spotifyError(400, "No uris provided");
		if (uris.length > MAX_ITEMS_PER_CALL) return spotifyError(400, `You can add a maximum of ${MAX_ITEMS_PER_CALL} tracks per request.`);
		const bad = uris.find((u: unknown) => typeof u !== "string" || !URI.test(u));
		if (bad !== undefined) return spotifyError(400, `Invalid base62 id or uri: ${String(bad)}`);
		const position = typeof body.position === "number" ? body.position : list.uris.length;
		if (!Number.isInteger(position) || position < 0 || position > list.uris.length) return spotifyError(400, "Index out of bounds");
		list.uris.splice(position, 0, ...(uris as string[]));
		list.batches.push(uris.length);
		list.snapshot++;
		return { status: 201, body: { snapshot_id: snapshotId(list) } };
	}

	private newPlaylistId(): string {
		let id = base62(this.rng, 22);
		while (this.lists.has(id)) id = base62(this.rng, 22);
		return id;
	}

	private playlistObject(list: SimPlaylist, base: string): Json {
		const href = `${base}/v1/playlists/${list.id}`;
		return {
			collaborative: false,
			description: list.description,
			external_urls: { spotify: `https://open.spotify.com/playlist/${list.id}` },
			href,
			id: list.id,
			images: [],
			name: list.name,
			owner: { id: list.ownerId, type: "user", uri: `spotify:user:${list.ownerId}`, display_name: list.ownerId },
			public: list.public,
			snapshot_id: snapshotId(list),
			items: { href: `${href}/items`, items: [], limit: 100, next: null, offset: 0, previous: null, total: list.uris.length },
			type: "playlist",
			uri: `spotify:playlist:${list.id}`
		};
	}
}

function snapshotId(list: SimPlaylist): string {
	return Buffer.from(`${list.id}:${list.snapshot}`).toString("base64url");
}

function jsonBody(text: string): Record<string, unknown> | null {
	try {
		return asRecord(JSON.parse(text) as unknown);
	} catch {
		return null;
	}
}

function forcedReply(status: number, retryAfterSec?: number): Reply {
	if (status === 429) return spotifyError(429, "Too many requests", {}, { "retry-after": String(retryAfterSec ?? 1) });
	return spotifyError(status, status >= 500 ? "Server error" : "Request failed");
}

/** The user-API routes, for the simulator's route list. */
export function spotifyUserRoutes(users: SpotifyUsers): SimRoute[] {
	const route = (template: string, handle: (ctx: RouteContext, userId: string) => Reply): SimRoute => ({
		method: "POST",
		template,
		// Not an app route: the app gate would refuse user tokens; `users.gate` checks them instead.
		api: false,
		handle: (ctx) => {
			const gated = users.gate(ctx);
			return "status" in gated ? gated : handle(ctx, gated.userId);
		}
	});
	return [
		route("/v1/me/playlists", (ctx, userId) => users.createPlaylist(ctx, userId)),
		route("/v1/playlists/{id}/items", (ctx, userId) => users.addItems(ctx, userId))
	];
}

/** `/__sim/*` control actions for out-of-process tests: user tokens, forced failures, playlists. */
export function spotifyUserControl(users: SpotifyUsers): Record<string, (body: Record<string, unknown>) => unknown> {
	return {
		"user-token": (body) => ({
			accessToken: users.issueUserToken(typeof body.userId === "string" ? body.userId : undefined, typeof body.ttlSec === "number" ? body.ttlSec : undefined)
		}),
		"expire-user-tokens": () => {
			users.expireUserTokens();
			return null;
		},
		"fail-user-calls": (body) => {
			const count = typeof body.count === "number" ? body.count : 1;
			const num = (v: unknown) => (typeof v === "number" ? v : undefined);
			users.failNext(count, num(body.status) ?? 500, { retryAfterSec: num(body.retryAfterSec), after: num(body.after) });
			return null;
		},
		"user-playlists": () => users.playlists()
	};
}
