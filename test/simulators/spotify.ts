import type { Catalog } from "./catalog";
import { coreControl, createCore, TINY_MP3, type CommonSimulatorOptions, type SimulatorCore, type SimulatorHandle } from "./common";
import { intParam } from "./http";
import { base62, mixSeed, mulberry32 } from "./prng";
import { startSimServer, type Reply, type RouteContext, type SimRoute } from "./server";
import { spotifyError, SpotifyShapes, type Json, type SpotifyMode } from "./spotify-shapes";
import { createSpotifyAccounts, type SpotifyAccounts, type SpotifyAccountsOptions } from "./spotify-accounts";
import { SpotifyUsers, spotifyUserControl, spotifyUserRoutes } from "./spotify-user";
import { spotifyMeRoutes } from "./spotify-me";

export type { SpotifyMode } from "./spotify-shapes";

export interface SpotifySimulatorOptions extends CommonSimulatorOptions, SpotifyAccountsOptions {
	mode?: SpotifyMode;
	clientId?: string;
	clientSecret?: string;
	/** Token lifetime; may be fractional in tests (expires_in is rounded up). */
	tokenTtlSec?: number;
}

export interface SpotifySimulator extends SimulatorHandle {
	/** Root of the Web API, `${url}/v1`. */
	apiUrl: string;
	/** Root of the accounts service (same server): POST `${accountsUrl}/api/token`. */
	accountsUrl: string;
	clientId: string;
	clientSecret: string;
	mode(): SpotifyMode;
	setMode(mode: SpotifyMode): void;
	/** A valid token without an HTTP round trip, for tests that are not about auth. */
	issueToken(): string;
	/** Makes every token issued so far expired. */
	expireTokens(): void;
	/** The user side of the accounts service: authorize and the PKCE grants (spotify-accounts.ts). */
	accounts: SpotifyAccounts;
	/** The user side of the Web API: playlists (spotify-user.ts). */
	users: SpotifyUsers;
}

export const DEFAULT_SPOTIFY_CLIENT = { clientId: "sim-client-id", clientSecret: "sim-client-secret" } as const;

const GROUPS = ["album", "single", "compilation", "appears_on"] as const;
const LIMITS = {
	extended: { albums: { def: 20, max: 50 }, search: { def: 20, max: 50 } },
	development: { albums: { def: 5, max: 10 }, search: { def: 5, max: 10 } }
} as const;

export async function startSpotifySimulator(options: SpotifySimulatorOptions = {}): Promise<SpotifySimulator> {
	const core = createCore(options, 1, { maxPerWindow: Infinity, windowMs: 30_000 });
	const { catalog, clock, stats } = core;
	const shapes = new SpotifyShapes(catalog);
	shapes.mode = options.mode ?? "extended";
	const clientId = options.clientId ?? DEFAULT_SPOTIFY_CLIENT.clientId;
	const clientSecret = options.clientSecret ?? DEFAULT_SPOTIFY_CLIENT.clientSecret;
	const tokenTtlSec = options.tokenTtlSec ?? 3600;
	const tokens = new Map<string, number>();
	const tokenRng = mulberry32(mixSeed(catalog.options.seed, 0x70c3));

	const issueToken = (): string => {
		const token = `BQ${base62(tokenRng, 40)}`;
		tokens.set(token, clock.now() + tokenTtlSec * 1000);
		stats.event("tokensIssued");
		return token;
	};
	const accounts = createSpotifyAccounts(
		{ clientId, clientSecret, clock, stats, rng: mulberry32(mixSeed(catalog.options.seed, 0xacc7)), registerAccessToken: (t, at) => tokens.set(t, at) },
		options
	);
	const users = new SpotifyUsers(core, (t) => {
		const userId = accounts.userOf(t);
		const expiresAt = tokens.get(t);
		return userId === undefined || expiresAt === undefined ? undefined : { userId, expiresAt };
	});

	const gate = (ctx: RouteContext): Reply | null => {
		const auth = ctx.req.headers.authorization ?? "";
		const m = /^Bearer\s+(\S+)$/i.exec(auth);
		const bearer = { "www-authenticate": 'Bearer realm="spotify"' };
		if (!m) return spotifyError(401, "No token provided", {}, bearer);
		const expiresAt = tokens.get(m[1]);
		if (expiresAt === undefined) return spotifyError(401, "Invalid access token", {}, bearer);
		if (clock.now() >= expiresAt) return spotifyError(401, "The access token expired", {}, bearer);
		const waitMs = core.window.take(clock.now());
		if (waitMs > 0) {
			const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
			return spotifyError(429, "Too many requests", { reason: "QUOTA_EXCEEDED" }, { "retry-after": retryAfter });
		}
		return null;
	};

	const routes: SimRoute[] = [
		{ method: "POST", template: "/api/token", api: false, handle: (ctx) => accounts.token(ctx) ?? tokenEndpoint(ctx, clientId, clientSecret, tokenTtlSec, issueToken) },
		...accounts.routes,
		{ method: "GET", template: "/preview/{file}", api: false, handle: () => ({ status: 200, raw: TINY_MP3, contentType: "audio/mpeg" }) },
		...spotifyUserRoutes(users),
		...spotifyMeRoutes(users, shapes),
		...apiRoutes(catalog, shapes)
	];

	const describe = (): Record<string, unknown> => ({
		provider: "spotify",
		mode: shapes.mode,
		tokenTtlSec,
		rateLimit: core.window.settings,
		faults: core.faults.current,
		catalog: catalog.options
	});
	const control = coreControl(core, describe);
	control.extra = {
		...accounts.control,
		...spotifyUserControl(users),
		mode: (body) => {
			if (body.mode === "extended" || body.mode === "development") shapes.mode = body.mode;
			return describe();
		},
		"expire-tokens": () => {
			tokens.clear();
			return null;
		}
	};

	const server = await startSimServer({
		host: options.host,
		port: options.port,
		routes,
		faults: core.faults,
		stats,
		control,
		latency: core.latency,
		hooks: {
			gate,
			injectedError: (status) => spotifyError(status, status === 502 ? "Bad gateway" : status === 503 ? "Service unavailable" : "Server error"),
			unknownRoute: () => spotifyError(404, "Service not found"),
			isPermanentlyMalformed: (ctx) => requestIds(ctx).some((id) => isMalformed(core, id)),
			errorStatuses: [500, 502, 503]
		}
	});
	shapes.base = server.url;

	return {
		url: server.url,
		apiUrl: `${server.url}/v1`,
		accountsUrl: server.url,
		clientId,
		clientSecret,
		catalog,
		counts: stats.counts,
		stats: control.stats,
		resetStats: control.resetStats,
		setFaults: control.setFaults,
		faults: () => core.faults.current,
		setRateLimit: control.setRateLimit,
		advanceClock: control.advanceClock,
		mode: () => shapes.mode,
		setMode: (mode) => (shapes.mode = mode),
		issueToken,
		expireTokens: () => tokens.clear(),
		accounts,
		users,
		close: server.close
	};
}

function tokenEndpoint(ctx: RouteContext, clientId: string, clientSecret: string, ttlSec: number, issue: () => string): Reply {
	const form = new URLSearchParams(ctx.body);
	let id = form.get("client_id");
	let secret = form.get("client_secret");
	const basic = /^Basic\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? "");
	if (basic) {
		const decoded = Buffer.from(basic[1], "base64").toString("utf8");
		const colon = decoded.indexOf(":");
		id = decoded.slice(0, colon < 0 ? undefined : colon);
		secret = colon < 0 ? "" : decoded.slice(colon + 1);
	}
	if (form.get("grant_type") !== "client_credentials") {
		return { status: 400, body: { error: "unsupported_grant_type", error_description: "grant_type parameter is missing" }, event: "badRequest" };
	}
	if (id !== clientId || secret !== clientSecret) {
		return { status: 400, body: { error: "invalid_client", error_description: "Invalid client" }, event: "badRequest" };
	}
	return { status: 200, body: { access_token: issue(), token_type: "Bearer", expires_in: Math.ceil(ttlSec) } };
}

function requestIds(ctx: RouteContext): string[] {
	const ids = ctx.url.searchParams.get("ids")?.split(",") ?? [];
	if (ctx.params.id) ids.push(ctx.params.id);
	return ids;
}

function isMalformed(core: SimulatorCore, id: string): boolean {
	if (core.faults.isMalformedId(id)) return true;
	const c = core.catalog;
	const artist = c.findArtistBySpotifyId(id);
	if (artist !== undefined) return c.isMalformedArtist(artist);
	const album = c.findAlbumBySpotifyId(id);
	if (album !== undefined) return c.isMalformedAlbum(album);
	const track = c.findTrackBySpotifyId(id);
	return track !== undefined && c.isMalformedTrack(track);
}

/** Validates `limit`/`offset` the way the Web API does: out of range is a 400, not a clamp. */
function paging(ctx: RouteContext, def: number, max: number): { offset: number; limit: number } | Reply {
	const limit = intParam(ctx.url.searchParams, "limit");
	const offset = intParam(ctx.url.searchParams, "offset");
	if (limit === null || (limit !== undefined && (limit < 1 || limit > max))) return spotifyError(400, "Invalid limit");
	if (offset === null || (offset !== undefined && offset < 0)) return spotifyError(400, "Invalid offset");
	return { offset: offset ?? 0, limit: limit ?? def };
}

function isReply(value: object): value is Reply {
	return "status" in value;
}

function apiRoutes(catalog: Catalog, shapes: SpotifyShapes): SimRoute[] {
	const notFound = (): Reply => spotifyError(404, "Resource not found");
	const devForbidden = (): Reply | null =>
		shapes.mode === "development" ? spotifyError(403, "This endpoint is not available for apps in development mode") : null;

	const batch = (ctx: RouteContext, max: number, key: string, build: (id: string) => Json | null): Reply => {
		const forbidden = devForbidden();
		if (forbidden) return forbidden;
		const ids = (ctx.url.searchParams.get("ids") ?? "").split(",").filter(Boolean);
		if (ids.length === 0) return spotifyError(400, "invalid id");
		if (ids.length > max) return spotifyError(400, "Too many ids requested");
		return { status: 200, body: { [key]: ids.map(build) } };
	};
	const single = (id: number | undefined, build: (index: number) => Json | null): Reply => {
		const body = id === undefined ? null : build(id);
		return body ? { status: 200, body } : notFound();
	};
	const artist = (id: string): Json | null => {
		const i = catalog.findArtistBySpotifyId(id);
		return i === undefined ? null : shapes.artist(i);
	};
	const album = (id: string): Json | null => {
		const j = catalog.findAlbumBySpotifyId(id);
		return j === undefined ? null : shapes.album(j).body;
	};
	const track = (id: string): Json | null => {
		const k = catalog.findTrackBySpotifyId(id);
		return k === undefined ? null : shapes.track(k);
	};
	const features = (id: string): Json | null => {
		const k = catalog.findTrackBySpotifyId(id);
		return k === undefined ? null : shapes.audioFeatures(k);
	};

	const artistAlbums = (ctx: RouteContext): Reply => {
		const i = catalog.findArtistBySpotifyId(ctx.params.id);
		if (i === undefined) return notFound();
		const raw = ctx.url.searchParams.get("include_groups");
		const groups = raw ? raw.split(",").map((g) => g.trim()).filter(Boolean) : [...GROUPS];
		if (groups.some((g) => !(GROUPS as readonly string[]).includes(g))) return spotifyError(400, "Invalid include_groups");
		const lim = LIMITS[shapes.mode].albums;
		const p = paging(ctx, lim.def, lim.max);
		if (isReply(p)) return p;
		const listed: { album: number; group: string }[] = [];
		for (const group of GROUPS) {
			if (!groups.includes(group)) continue;
			if (group === "appears_on") for (const j of catalog.appearsOn(i)) listed.push({ album: j, group });
			else for (const j of catalog.artistAlbums(i)) if (catalog.albumTypeOf(j) === group) listed.push({ album: j, group });
		}
		const items = listed.slice(p.offset, p.offset + p.limit).map((a) => shapes.simplifiedAlbum(a.album, a.group));
		const body = shapes.page(ctx.url, items, p.offset, p.limit, listed.length);
		return { status: 200, body, pageItems: body.items };
	};

	const albumTracks = (ctx: RouteContext): Reply => {
		const j = catalog.findAlbumBySpotifyId(ctx.params.id);
		if (j === undefined) return notFound();
		const p = paging(ctx, 20, 50);
		if (isReply(p)) return p;
		const body = shapes.page(ctx.url, shapes.albumTrackItems(j, p.offset, p.limit), p.offset, p.limit, catalog.albumTrackCount(j));
		return { status: 200, body, pageItems: body.items };
	};

	const search = (ctx: RouteContext): Reply => {
		const q = ctx.url.searchParams.get("q") ?? "";
		const types = (ctx.url.searchParams.get("type") ?? "").split(",").filter(Boolean);
		if (!q) return spotifyError(400, "No search query");
		if (types.length === 0) return spotifyError(400, "Missing parameter type");
		if (types.some((t) => !["artist", "album", "track"].includes(t))) return spotifyError(400, "Bad search type field");
		const lim = LIMITS[shapes.mode].search;
		const p = paging(ctx, lim.def, lim.max);
		if (isReply(p)) return p;
		const body: Json = {};
		let pageItems: Json[] | undefined;
		for (const type of types) {
			let found: Json[] = [];
			if (type === "artist") found = catalog.searchArtists(q).map((i) => shapes.artist(i));
			if (type === "track") {
				// Only ISRC queries are supported: name search over every track would be slow and is not needed.
				const isrc = /isrc:([A-Za-z0-9]{12})/i.exec(q);
				const k = isrc ? catalog.findTrackByIsrc(isrc[1]) : undefined;
				if (k !== undefined) found = [shapes.track(k)];
			}
			const page = shapes.page(ctx.url, found.slice(p.offset, p.offset + p.limit), p.offset, p.limit, found.length);
			body[`${type}s`] = page;
			pageItems ??= page.items;
		}
		return { status: 200, body, pageItems: types.length === 1 ? pageItems : undefined };
	};

	const api = (template: string, handle: (ctx: RouteContext) => Reply): SimRoute => ({ method: "GET", template, api: true, handle });
	return [
		api("/v1/artists", (ctx) => batch(ctx, 50, "artists", artist)),
		api("/v1/artists/{id}", (ctx) => single(catalog.findArtistBySpotifyId(ctx.params.id), (i) => shapes.artist(i))),
		api("/v1/artists/{id}/albums", artistAlbums),
		api("/v1/albums", (ctx) => batch(ctx, 20, "albums", album)),
		api("/v1/albums/{id}", (ctx) => {
			const j = catalog.findAlbumBySpotifyId(ctx.params.id);
			if (j === undefined) return notFound();
			const { body, tracks } = shapes.album(j);
			return { status: 200, body, pageItems: tracks.items };
		}),
		api("/v1/albums/{id}/tracks", albumTracks),
		api("/v1/tracks", (ctx) => batch(ctx, 50, "tracks", track)),
		api("/v1/tracks/{id}", (ctx) => single(catalog.findTrackBySpotifyId(ctx.params.id), (k) => shapes.track(k))),
		api("/v1/audio-features", (ctx) => batch(ctx, 100, "audio_features", features)),
		api("/v1/audio-features/{id}", (ctx) => devForbidden() ?? single(catalog.findTrackBySpotifyId(ctx.params.id), (k) => shapes.audioFeatures(k))),
		api("/v1/search", search)
	];
}
