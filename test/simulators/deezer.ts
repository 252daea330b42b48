import type { Catalog } from "./catalog";
import { coreControl, createCore, TINY_MP3, type CommonSimulatorOptions, type SimulatorCore, type SimulatorHandle } from "./common";
import { deezerError, DeezerShapes, NO_DATA } from "./deezer-shapes";
import { intParam, pageUrl } from "./http";
import { faultyPreview, previewMp3, PREVIEW_FAULTS, type PreviewFault } from "./previews";
import { startSimServer, type Reply, type RouteContext, type SimRoute } from "./server";
import type { Json } from "./spotify-shapes";

export interface DeezerSimulatorOptions extends CommonSimulatorOptions {
	/** Largest `limit` honoured on list endpoints; larger values are clamped. */
	maxLimit?: number;
	/** Length of the real previews served for tracks whose bpm is unknown (default 30 s). */
	previewSeconds?: number;
	/** Broken previews by Deezer track id. */
	previewFaults?: Record<string, PreviewFault>;
}

export interface DeezerSimulator extends SimulatorHandle {
	/** Replaces the broken previews, by Deezer track id (also POST /__sim/preview-faults). */
	setPreviewFaults(faults: Record<string, PreviewFault>): void;
}

export async function startDeezerSimulator(options: DeezerSimulatorOptions = {}): Promise<DeezerSimulator> {
	const core = createCore(options, 2, { maxPerWindow: 50, windowMs: 5000 });
	const { catalog, clock, stats } = core;
	const shapes = new DeezerShapes(catalog);
	const maxLimit = options.maxLimit ?? 100;

	const gate = (): Reply | null =>
		core.window.take(clock.now()) > 0 ? deezerError("Exception", "Quota limit exceeded", 4) : null;

	const previewSeconds = options.previewSeconds ?? 30;
	let previewFaults = new Map(Object.entries(options.previewFaults ?? {}));
	// A track whose bpm Deezer does not know gets a real preview to measure; the others a stub.
	const preview = (ctx: RouteContext): Reply => {
		const id = ctx.params.file.replace(/\.mp3$/, "");
		const k = catalog.findTrackByDeezerId(id);
		if (k === undefined) return { status: 404, raw: "Not Found", contentType: "text/plain" };
		const fault = previewFaults.get(id);
		if (fault) {
			const { body, contentType } = faultyPreview(fault, previewMp3(catalog, k, previewSeconds), k);
			return { status: 200, raw: body, contentType };
		}
		return { status: 200, raw: catalog.track(k).deezerBpm > 0 ? TINY_MP3 : previewMp3(catalog, k, previewSeconds), contentType: "audio/mpeg" };
	};
	const setPreviewFaults = (faults: Record<string, unknown>): void => {
		previewFaults = new Map(Object.entries(faults).filter((e): e is [string, PreviewFault] => PREVIEW_FAULTS.includes(e[1] as PreviewFault)));
	};

	const routes: SimRoute[] = [
		{ method: "GET", template: "/preview/{file}", api: false, handle: preview },
		...apiRoutes(catalog, shapes, maxLimit)
	];
	const describe = (): Record<string, unknown> => ({
		provider: "deezer",
		maxLimit,
		rateLimit: core.window.settings,
		faults: core.faults.current,
		previewSeconds,
		previewFaults: Object.fromEntries(previewFaults),
		catalog: catalog.options
	});
	const control = coreControl(core, describe);
	control.extra = { ...control.extra, "preview-faults": (body) => setPreviewFaults(body) };

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
			injectedError: (status) => deezerError("Exception", "Service temporarily unavailable", 700, status),
			unknownRoute: NO_DATA,
			isPermanentlyMalformed: (ctx) => isMalformed(core, ctx.params.id ?? ctx.params.isrc),
			// Deezer mostly fails inside a 200, sometimes at the gateway.
			errorStatuses: [200, 500, 502, 503]
		}
	});
	shapes.base = server.url;

	return {
		url: server.url,
		catalog,
		counts: stats.counts,
		stats: control.stats,
		resetStats: control.resetStats,
		setFaults: control.setFaults,
		faults: () => core.faults.current,
		setRateLimit: control.setRateLimit,
		advanceClock: control.advanceClock,
		setPreviewFaults,
		close: server.close
	};
}

function isMalformed(core: SimulatorCore, id: string | undefined): boolean {
	if (id === undefined) return false;
	if (core.faults.isMalformedId(id)) return true;
	const c = core.catalog;
	// Deezer id ranges never overlap between kinds, so each decoder only accepts its own kind.
	const artist = c.findArtistByDeezerId(id);
	if (artist !== undefined) return c.isMalformedArtist(artist);
	const album = c.findAlbumByDeezerId(id);
	if (album !== undefined) return c.isMalformedAlbum(album);
	const track = c.findTrackByDeezerId(id) ?? c.findTrackByIsrc(id);
	return track !== undefined && c.isMalformedTrack(track);
}

function apiRoutes(catalog: Catalog, shapes: DeezerShapes, maxLimit: number): SimRoute[] {
	/** Deezer ignores bad paging parameters rather than failing. */
	const list = (ctx: RouteContext, all: number, build: (index: number, limit: number) => Json[]): Reply => {
		const rawIndex = intParam(ctx.url.searchParams, "index");
		const rawLimit = intParam(ctx.url.searchParams, "limit");
		const index = typeof rawIndex === "number" && rawIndex >= 0 ? rawIndex : 0;
		const limit = typeof rawLimit === "number" && rawLimit > 0 ? Math.min(rawLimit, maxLimit) : 25;
		const data = build(index, limit);
		const body: Json = { data, total: all };
		if (index > 0) body.prev = pageUrl(ctx.url, { index: Math.max(0, index - limit), limit });
		if (index + limit < all) body.next = pageUrl(ctx.url, { index: index + limit, limit });
		return { status: 200, body, pageItems: data };
	};

	const track = (k: number | undefined): Reply => {
		if (k === undefined) return NO_DATA();
		const t = catalog.track(k);
		return t.onDeezer ? { status: 200, body: shapes.track(t) } : NO_DATA();
	};

	const api = (template: string, handle: (ctx: RouteContext) => Reply): SimRoute => ({ method: "GET", template, api: true, handle });
	return [
		api("/search/artist", (ctx) => {
			const q = ctx.url.searchParams.get("q");
			if (!q) return deezerError("MissingParameterException", "Missing parameters: q", 501);
			const found = catalog.searchArtists(q);
			return list(ctx, found.length, (index, limit) => found.slice(index, index + limit).map((i) => shapes.artist(i)));
		}),
		api("/artist/{id}", (ctx) => {
			const i = catalog.findArtistByDeezerId(ctx.params.id);
			return i === undefined ? NO_DATA() : { status: 200, body: shapes.artist(i) };
		}),
		api("/artist/{id}/albums", (ctx) => {
			const i = catalog.findArtistByDeezerId(ctx.params.id);
			if (i === undefined) return NO_DATA();
			const albums = catalog.artistAlbums(i);
			return list(ctx, albums.length, (index, limit) => albums.slice(index, index + limit).map((j) => shapes.albumSummary(j)));
		}),
		// Similar artists, best first (the catalog's: collaborators, then artists sharing a genre).
		api("/artist/{id}/related", (ctx) => {
			const i = catalog.findArtistByDeezerId(ctx.params.id);
			if (i === undefined) return NO_DATA();
			const related = catalog.relatedArtists(i);
			return list(ctx, related.length, (index, limit) => related.slice(index, index + limit).map((r) => shapes.artist(r)));
		}),
		api("/album/{id}", (ctx) => {
			const j = catalog.findAlbumByDeezerId(ctx.params.id);
			return j === undefined ? NO_DATA() : { status: 200, body: shapes.album(j) };
		}),
		api("/album/{id}/tracks", (ctx) => {
			const j = catalog.findAlbumByDeezerId(ctx.params.id);
			if (j === undefined) return NO_DATA();
			const tracks = shapes.albumTracks(j);
			return list(ctx, tracks.length, (index, limit) => tracks.slice(index, index + limit).map((t) => shapes.trackSummary(t)));
		}),
		// Registered before /track/{id}, which would otherwise swallow "isrc:...".
		api("/track/isrc:{isrc}", (ctx) => track(catalog.findTrackByIsrc(ctx.params.isrc))),
		api("/track/{id}", (ctx) => track(catalog.findTrackByDeezerId(ctx.params.id)))
	];
}
