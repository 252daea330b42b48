import { randomUUID } from "node:crypto";
import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { configFor } from "../config";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import type { RateLimitMethods } from "../mixins/rate-limit/types";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import type { Collection } from "../mixins/store/types";
import { upstreamConfigOf } from "../mixins/upstream/upstream.mixin";
import type { TrackDoc } from "./catalog/model";
import { fillDuration, playlistCandidates } from "./playlists/build";
import { exportPlaylist, type ExportFormat } from "./playlists/export";
import { ASSUMED_TRACK_MS, playlistTrack, playlistView, type PlaylistDoc, type PlaylistView, type SpotifySync } from "./playlists/model";
import { createParams, idParam, type CreateParams } from "./playlists/params";
import { SpotifyPlaylists } from "./playlists/spotify-playlists";
import { callerOf, fetchSignals, SignalIndex } from "./recommendations/signals";
import { assertSelfOrAdmin, notFound, requireUser, type GatewayContext, type GatewayMeta } from "./shared/access";
import { ok, str } from "./api/doc/schemas";
import { PLAYLIST, PLAYLIST_EXAMPLE, PLAYLIST_EXPORT, PLAYLIST_EXPORT_EXAMPLE } from "./playlists/responses";

interface PlaylistsMethods {
	playlists(): Collection<PlaylistDoc>;
	/** The playlist, if the caller may see it: 404 when missing, 403 for someone else's. */
	readable(ctx: AnyGatewayContext, id: string): Promise<PlaylistDoc>;
	/** Creates the playlist on the owner's Spotify account when linked; records the outcome on the doc. */
	syncSpotify(ctx: AnyGatewayContext, doc: PlaylistDoc, isPublic: boolean): Promise<PlaylistDoc>;
}
type AnyGatewayContext = Context<unknown, GatewayMeta>;
type PlaylistsThis = Service & StoreMethods & RateLimitMethods & PlaylistsMethods;

const NOT_LINKED = "SPOTIFY_NOT_LINKED";

/**
 * Playlists for a running tempo and a duration. Each is stored here, always; for a user who linked
 * Spotify it is also created on their account, and a Spotify failure is recorded on the playlist
 * rather than losing it. Exports as M3U or JSON.
 */
const PlaylistsService: ServiceSchema<ServiceSettingSchema, PlaylistsMethods & StoreMethods & RateLimitMethods> = {
	name: "playlists",
	mixins: [StoreMixin, RateLimitMixin],
	settings: { rest: "/" },

	collections: {
		playlists: { indexes: [{ fields: { ownerId: 1, createdAt: -1 } }] }
	},

	actions: {
		/** POST /api/v1/playlist/bpm/:bpm: builds, stores and (for a linked user) pushes to Spotify; 201. */
		createForBpm: {
			rest: "POST /playlist/bpm/:bpm",
			summary: "Build a playlist at a tempo for a duration, and push it to Spotify when linked",
			responses: { 201: ok("The playlist; Location names it", PLAYLIST, PLAYLIST_EXAMPLE) },
			auth: "required",
			params: createParams,
			async handler(this: PlaylistsThis, ctx: GatewayContext<CreateParams>): Promise<PlaylistView> {
				const user = requireUser(ctx);
				const p = ctx.params;
				const call = callerOf(ctx);
				const selection = { bpm: p.bpm, tolerance: p.tolerance, halfDouble: p.halfDouble, ...(p.minEnergy === undefined ? {} : { minEnergy: p.minEnergy }), ...(p.genre ? { genre: p.genre } : {}) };
				const targetMs = Math.round(p.duration * 60_000);
				const signals = new SignalIndex(await fetchSignals(call, user.id));
				const candidates = await playlistCandidates(q => call<TrackDoc[]>("catalog.byTempo", q), selection, targetMs, signals);
				const chosen = fillDuration(candidates, p.bpm, p.tolerance, targetMs, signals);
				if (chosen.length === 0) {
					throw new Errors.MoleculerClientError(`No track in the catalog matches ${p.bpm} BPM with these filters`, 404, "NO_TRACKS", { bpm: p.bpm });
				}
				const now = Date.now();
				let doc = await this.playlists().insert({
					_id: randomUUID(),
					ownerId: user.id,
					name: p.name ?? `Run ${p.bpm} BPM · ${p.duration} min`,
					description: p.description ?? `${chosen.length} tracks at ${p.bpm} BPM (±${p.tolerance}), made by cratedigger`,
					bpm: p.bpm,
					tolerance: p.tolerance,
					halfDouble: p.halfDouble,
					targetMs,
					durationMs: chosen.reduce((sum, d) => sum + (d.durationMs ?? ASSUMED_TRACK_MS), 0),
					tracks: chosen.map(playlistTrack),
					createdAt: now,
					updatedAt: now
				});
				if (p.spotify) doc = await this.syncSpotify(ctx, doc, p.public);
				ctx.meta.$statusCode = 201;
				ctx.meta.$location = `/api/v1/playlists/${doc._id}`;
				return playlistView(doc);
			}
		},

		/** GET /api/v1/playlists/:id: the owner's or an admin's. */
		get: {
			rest: "GET /playlists/:id",
			summary: "A playlist (its owner or an admin)",
			responses: { 200: ok("The playlist", PLAYLIST, PLAYLIST_EXAMPLE) },
			auth: "required",
			params: { id: idParam },
			async handler(this: PlaylistsThis, ctx: GatewayContext<{ id: string }>): Promise<PlaylistView> {
				return playlistView(await this.readable(ctx, ctx.params.id));
			}
		},

		/** GET /api/v1/playlists/:id/export?format=m3u|json: a file download. */
		export: {
			rest: "GET /playlists/:id/export",
			summary: "Download a playlist as M3U or JSON",
			responses: { 200: { description: "The file: M3U text, or JSON with format=json", schema: PLAYLIST_EXPORT, example: PLAYLIST_EXPORT_EXAMPLE, otherMedia: { "audio/x-mpegurl": str } } },
			auth: "required",
			params: { id: idParam, format: { type: "enum", values: ["m3u", "json"], default: "m3u" } },
			async handler(this: PlaylistsThis, ctx: GatewayContext<{ id: string; format: ExportFormat }>): Promise<string> {
				const file = exportPlaylist(await this.readable(ctx, ctx.params.id), ctx.params.format);
				ctx.meta.$responseType = file.contentType;
				ctx.meta.$responseHeaders = { "Content-Disposition": `attachment; filename="${file.filename}"` };
				return file.body;
			}
		},

		/** Removes every playlist a user owns (the user's data deletion); Spotify copies stay on Spotify. */
		forgetUser: {
			visibility: "public",
			params: { userId: idParam },
			async handler(this: PlaylistsThis, ctx: Context<{ userId: string }>) {
				return { playlists: await this.playlists().delete({ ownerId: ctx.params.userId }, { multi: true }) };
			}
		}
	},

	methods: {
		playlists(this: PlaylistsThis) {
			return this.collection<PlaylistDoc>("playlists");
		},

		async readable(this: PlaylistsThis, ctx: AnyGatewayContext, id: string): Promise<PlaylistDoc> {
			const doc = await this.playlists().findOne({ _id: id });
			if (!doc) throw notFound("Playlist", id);
			assertSelfOrAdmin(ctx, doc.ownerId);
			return doc;
		},

		async syncSpotify(this: PlaylistsThis, ctx: AnyGatewayContext, doc: PlaylistDoc, isPublic: boolean): Promise<PlaylistDoc> {
			let sync: SpotifySync;
			try {
				const { accessToken } = await ctx.call<{ accessToken: string }, object>("users.spotifyAccessToken", { userId: doc.ownerId });
				const config = configFor(this.broker);
				const upstream = upstreamConfigOf(config);
				const spotify = new SpotifyPlaylists({
					apiUrl: upstream.SPOTIFY_API_URL,
					limiter: this.limiter("spotify"),
					timeoutMs: upstream.UPSTREAM_TIMEOUT_MS,
					retries: config.PLAYLIST_SPOTIFY_RETRIES,
					maxWaitMs: config.PLAYLIST_SPOTIFY_MAX_WAIT_SEC * 1000
				});
				sync = await spotify.push(accessToken, { name: doc.name, description: doc.description, public: isPublic, tracks: doc.tracks });
			} catch (err) {
				const e = err as { message?: string; type?: string; code?: number };
				sync =
					e.type === NOT_LINKED
						? { status: "not-linked", added: 0, missing: 0, at: Date.now() }
						: { status: "failed", added: 0, missing: 0, error: { message: e.message ?? String(err), type: e.type ?? "ERROR" }, at: Date.now() };
			}
			if (sync.status === "failed") this.logger.warn(`Playlist ${doc._id}: Spotify failed: ${sync.error?.message}`);
			const updated = await this.playlists().findOneAndUpdate({ _id: doc._id }, { $set: { spotify: sync, updatedAt: Date.now() } });
			return updated ?? { ...doc, spotify: sync };
		}
	}
};

export default PlaylistsService;
