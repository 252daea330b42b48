/**
 * Writes a playlist to a user's Spotify account: `POST /me/playlists`, then
 * `POST /playlists/{id}/items` with at most 100 URIs a call. Every call goes through the shared
 * "spotify" limiter and the upstream call path, so a 429 pauses Spotify for the whole cluster.
 */
import type { Limiter } from "../../mixins/rate-limit/types";
import { call, type CallContext } from "../../mixins/upstream/call";
import { errorKind, retryAfterOf, UpstreamError } from "../../mixins/upstream/errors";
import { need, needObj, obj, str } from "../../mixins/upstream/json";
import type { PlaylistTrack, SpotifySync } from "./model";

/** Spotify's cap on URIs per items call. */
export const SPOTIFY_ITEMS_PER_CALL = 100;

export interface SpotifyPlaylistOptions {
	apiUrl: string;
	limiter: Limiter;
	timeoutMs: number;
	/** Retries of one call after a 429 or a 5xx. */
	retries: number;
	/** A 429 asking to wait longer than this is not waited out. */
	maxWaitMs: number;
}

interface Created {
	id: string;
	uri?: string;
	url?: string;
}

function parseCreated(body: unknown): Created {
	const o = needObj(body, "playlist");
	return { id: need(str(o.id), "playlist id"), uri: str(o.uri), url: str(obj(o.external_urls)?.spotify) };
}

/**
 * Worth another try: a 429 whose wait fits the budget (the limiter is already paused for it), or
 * a 5xx answer. Not a timeout or a dropped connection: the playlist or items may have been
 * written, and a retry would duplicate them.
 */
function retryable(err: unknown, maxWaitMs: number): boolean {
	const kind = errorKind(err);
	if (kind === "rate-limited") return (retryAfterOf(err) ?? 0) <= maxWaitMs;
	const status = err instanceof UpstreamError ? err.status : undefined;
	return kind === "retryable" && status !== undefined && status >= 500;
}

export class SpotifyPlaylists {
	private readonly ctx: CallContext;
	private readonly apiUrl: string;

	constructor(private readonly opts: SpotifyPlaylistOptions) {
		this.apiUrl = opts.apiUrl.replace(/\/+$/, "");
		this.ctx = { provider: "spotify", limiter: opts.limiter, timeoutMs: opts.timeoutMs };
	}

	private async post<T>(endpoint: string, url: string, token: string, body: object, parse: (b: unknown) => T): Promise<T> {
		const extras = { method: "POST" as const, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) };
		for (let attempt = 0; ; attempt++) {
			try {
				return await call(this.ctx, endpoint, url, parse, extras);
			} catch (err) {
				if (attempt >= this.opts.retries || !retryable(err, this.opts.maxWaitMs)) throw err;
				if (errorKind(err) !== "rate-limited") await new Promise(r => setTimeout(r, 250 * 2 ** attempt));
			}
		}
	}

	/**
	 * Creates the playlist and adds every track with a Spotify id. Never throws: a failure is
	 * returned as a `failed` sync with how far it got, so the caller keeps its local copy.
	 */
	async push(token: string, playlist: { name: string; description: string; public: boolean; tracks: PlaylistTrack[] }): Promise<SpotifySync> {
		const uris = playlist.tracks.filter(t => t.spotifyId).map(t => `spotify:track:${t.spotifyId}`);
		const missing = playlist.tracks.length - uris.length;
		if (uris.length === 0) return { status: "skipped", added: 0, missing, at: Date.now() };
		let created: Created | undefined;
		let added = 0;
		try {
			created = await this.post("create-playlist", `${this.apiUrl}/me/playlists`, token, { name: playlist.name, description: playlist.description, public: playlist.public }, parseCreated);
			const itemsUrl = `${this.apiUrl}/playlists/${encodeURIComponent(created.id)}/items`;
			for (let i = 0; i < uris.length; i += SPOTIFY_ITEMS_PER_CALL) {
				const batch = uris.slice(i, i + SPOTIFY_ITEMS_PER_CALL);
				await this.post("add-playlist-items", itemsUrl, token, { uris: batch }, () => undefined);
				added += batch.length;
			}
			return { status: "created", playlistId: created.id, uri: created.uri, url: created.url, added, missing, at: Date.now() };
		} catch (err) {
			const e = err as { message?: string; type?: string; name?: string };
			const status = err instanceof UpstreamError ? err.status : undefined;
			return {
				status: "failed",
				playlistId: created?.id,
				uri: created?.uri,
				url: created?.url,
				added,
				missing,
				error: { message: e.message ?? String(err), type: e.type ?? e.name ?? "ERROR", ...(status === undefined ? {} : { status }) },
				at: Date.now()
			};
		}
	}
}
