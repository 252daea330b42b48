/**
 * The listening side of the Spotify simulator's Web API, for the insights service:
 * `GET /v1/me/player/recently-played` (at most 50 items, newest first, `after`/`before` in Unix ms)
 * and `GET /v1/me/top/{artists|tracks}` (a paging object). They take user tokens (spotify-user.ts)
 * and answer from what a test set for that Spotify user with `spotifyMe(sim.users)`; a user
 * nobody set up has listened to nothing.
 */
import { intParam } from "./http";
import type { Reply, RouteContext, SimRoute } from "./server";
import { spotifyError, type Json, type SpotifyShapes } from "./spotify-shapes";
import type { SpotifyUsers } from "./spotify-user";

/** One play: a catalog track index and when it was played (epoch ms). */
export interface SimPlay {
	track: number;
	playedAt: number;
}

export class SpotifyMe {
	private readonly plays = new Map<string, SimPlay[]>();
	private readonly top = new Map<string, { artists: number[]; tracks: number[] }>();

	/** Replaces the Spotify user's listening history. */
	setRecentlyPlayed(spotifyUserId: string, plays: SimPlay[]): void {
		this.plays.set(spotifyUserId, [...plays].sort((a, b) => b.playedAt - a.playedAt));
	}

	/** Sets the user's top artists and tracks (catalog indexes, first is top). */
	setTop(spotifyUserId: string, top: { artists: number[]; tracks: number[] }): void {
		this.top.set(spotifyUserId, top);
	}

	recentlyPlayed(ctx: RouteContext, userId: string, shapes: SpotifyShapes): Reply {
		const limit = intParam(ctx.url.searchParams, "limit") ?? 20;
		if (limit === null || limit < 1 || limit > 50) return spotifyError(400, "Invalid limit");
		const after = ctx.url.searchParams.get("after");
		const before = ctx.url.searchParams.get("before");
		if (after && before) return spotifyError(400, "Only one of after and before may be given");
		let items = this.plays.get(userId) ?? [];
		if (after) items = items.filter(p => p.playedAt > Number(after));
		if (before) items = items.filter(p => p.playedAt < Number(before));
		// Spotify returns the newest `limit` plays; with `after`, the ones right after the cursor.
		const page = after ? items.slice(-limit) : items.slice(0, limit);
		const body: Json = {
			href: ctx.url.toString(),
			limit,
			next: null,
			cursors: page.length ? { after: String(page[0].playedAt), before: String(page[page.length - 1].playedAt) } : null,
			items: page.map(p => ({ track: shapes.track(p.track), played_at: new Date(p.playedAt).toISOString(), context: null }))
		};
		return { status: 200, body };
	}

	topItems(ctx: RouteContext, userId: string, shapes: SpotifyShapes): Reply {
		const type = ctx.params.type;
		if (type !== "artists" && type !== "tracks") return spotifyError(400, `Unsupported type: ${type}`);
		const limit = intParam(ctx.url.searchParams, "limit") ?? 20;
		if (limit === null || limit < 1 || limit > 50) return spotifyError(400, "Invalid limit");
		const ids = this.top.get(userId)?.[type] ?? [];
		const items = ids.slice(0, limit).map(i => (type === "artists" ? shapes.artist(i) : shapes.track(i)));
		return { status: 200, body: { href: ctx.url.toString(), items, limit, offset: 0, total: ids.length, next: null, previous: null } };
	}
}

const registry = new WeakMap<SpotifyUsers, SpotifyMe>();

/** The listening data of a simulator, found through its `users` (what a test holds). */
export function spotifyMe(users: SpotifyUsers): SpotifyMe {
	let me = registry.get(users);
	if (!me) {
		me = new SpotifyMe();
		registry.set(users, me);
	}
	return me;
}

/** The routes, for the simulator's route list; they check user tokens like the playlist routes. */
export function spotifyMeRoutes(users: SpotifyUsers, shapes: SpotifyShapes): SimRoute[] {
	const me = spotifyMe(users);
	const route = (template: string, handle: (ctx: RouteContext, userId: string) => Reply): SimRoute => ({
		method: "GET",
		template,
		api: false,
		handle: ctx => {
			const gated = users.gate(ctx);
			return "status" in gated ? gated : handle(ctx, gated.userId);
		}
	});
	return [
		route("/v1/me/player/recently-played", (ctx, userId) => me.recentlyPlayed(ctx, userId, shapes)),
		route("/v1/me/top/{type}", (ctx, userId) => me.topItems(ctx, userId, shapes))
	];
}
