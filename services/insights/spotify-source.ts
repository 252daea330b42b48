/**
 * The optional Spotify source: for a user who linked Spotify (users service) and granted the
 * scopes, recently-played items become plays and the top artists and tracks are attached to the
 * latest week and month snapshots. Spotify only keeps the last 50 plays, so they are stored
 * here as they come; they are the user's data and go with `forgetUser`.
 *
 * Best effort: a user without a link, a missing scope, a refusal or a rate limit skips the source
 * for this run and never fails the ingestion.
 */
import type { Logger, ServiceBroker } from "moleculer";
import type { Limiter } from "../../mixins/rate-limit/types";
import type { Collection, Doc } from "../../mixins/store/types";
import { RateLimitedError } from "../../mixins/upstream/errors";
import { requestJson } from "../../mixins/upstream/http";
import { serviceAvailable } from "../shared/registry";
import type { CursorDoc, ListeningEvent, SnapshotDoc, SpotifyTop } from "./model";

export interface SpotifyPlayDoc extends Doc {
	userId: string;
	at: number;
	trackId: string;
	msPlayed?: number;
}

interface SpotifyTrack {
	id: string;
	name: string;
	duration_ms?: number;
	artists?: Array<{ name: string }>;
	external_ids?: { isrc?: string };
}

/** What catalog.match takes and answers, as far as this source uses it. */
interface MatchItem {
	isrc?: string;
	artist: string;
	title: string;
}

const SCOPE_RECENT = "user-read-recently-played";
const SCOPE_TOP = "user-top-read";

export interface SpotifySourceOptions {
	broker: ServiceBroker;
	logger: Logger;
	apiUrl: string;
	timeoutMs: number;
	limiter: Limiter;
	plays: Collection<SpotifyPlayDoc>;
	cursors: Collection<CursorDoc>;
	snapshots: Collection<SnapshotDoc>;
}

export class SpotifySource {
	constructor(private readonly o: SpotifySourceOptions) {}

	/** Stores the recently-played items newer than the last pull; returns when the oldest of them was played. */
	async pull(userId: string, now: number): Promise<number | undefined> {
		const token = await this.token(userId, SCOPE_RECENT);
		if (!token) return undefined;
		const cursor = await this.o.cursors.findOne({ _id: userId });
		const after = cursor?.spotifyAfter;
		const page = await this.get<{ items?: Array<{ track?: SpotifyTrack; played_at?: string }> }>(
			`/me/player/recently-played?limit=50${after ? `&after=${after}` : ""}`,
			token,
			"recently-played"
		);
		const items = (page?.items ?? []).filter(i => i.track && i.played_at && Number.isFinite(Date.parse(i.played_at)) && Date.parse(i.played_at) <= now);
		if (items.length === 0) return undefined;
		const tracks = items.map(i => i.track as SpotifyTrack);
		const matched = await this.match(tracks);
		let newest = after ?? 0;
		for (const [n, item] of items.entries()) {
			const at = Date.parse(item.played_at as string);
			newest = Math.max(newest, at);
			const track = tracks[n];
			await this.o.plays.upsert(
				{ _id: `${userId}|${at}` },
				{ $set: { userId, at, trackId: matched[n] ?? `spotify:${track.id}`, ...(track.duration_ms ? { msPlayed: track.duration_ms } : {}) } }
			);
		}
		await this.o.cursors.upsert({ _id: userId }, { $set: { spotifyAfter: newest } });
		return Math.min(...items.map(i => Date.parse(i.played_at as string)));
	}

	/** The stored Spotify plays as listening events, since <= at < until. */
	async events(userId: string, since: number, until: number): Promise<ListeningEvent[]> {
		const docs = await this.o.plays.find({ userId, at: { $gte: since, $lt: until } }, { sort: { at: 1 } });
		return docs.map(d => ({ id: `spotify:${d._id}`, userId, trackId: d.trackId, type: "play", at: d.at, origin: "spotify", ...(d.msPlayed ? { msPlayed: d.msPlayed } : {}) }));
	}

	/** Puts Spotify's top artists and tracks (about the last four weeks) on the user's latest week and month snapshots. */
	async attachTop(userId: string, now: number): Promise<void> {
		const token = await this.token(userId, SCOPE_TOP);
		if (!token) return;
		const artists = await this.get<{ items?: Array<{ name?: string }> }>("/me/top/artists?time_range=short_term&limit=10", token, "top-artists");
		const tracks = await this.get<{ items?: SpotifyTrack[] }>("/me/top/tracks?time_range=short_term&limit=10", token, "top-tracks");
		if (!artists && !tracks) return;
		const top: SpotifyTop = {
			artists: (artists?.items ?? []).flatMap(a => (a.name ? [a.name] : [])),
			tracks: (tracks?.items ?? []).map(t => ({ title: t.name, artists: (t.artists ?? []).map(a => a.name) })),
			fetchedAt: now
		};
		for (const period of ["week", "month"]) {
			const latest = await this.o.snapshots.findOne({ userId, period }, { sort: { start: -1 } });
			if (latest) await this.o.snapshots.update({ _id: latest._id }, { $set: { spotifyTop: top } });
		}
	}

	async forget(userId: string): Promise<number> {
		return this.o.plays.delete({ userId }, { multi: true });
	}

	private async token(userId: string, scope: string): Promise<string | undefined> {
		if (!serviceAvailable(this.o.broker, "users")) return undefined;
		try {
			const t = await this.o.broker.call<{ accessToken: string; scopes?: string[] }, object>("users.spotifyAccessToken", { userId });
			// Tokens from before scopes were recorded are tried; Spotify answers 403 if the scope is missing.
			if (t.scopes && t.scopes.length > 0 && !t.scopes.includes(scope)) return undefined;
			return t.accessToken;
		} catch (err) {
			const code = (err as { code?: number }).code;
			if (code !== 404 && code !== 409) this.o.logger.warn(`Spotify token for ${userId} unavailable: ${(err as Error).message}`);
			return undefined;
		}
	}

	private async get<T>(path: string, token: string, endpoint: string): Promise<T | undefined> {
		try {
			return (await this.o.limiter.schedule(() =>
				requestJson(`${this.o.apiUrl}${path}`, { provider: "spotify", endpoint, timeoutMs: this.o.timeoutMs, headers: { authorization: `Bearer ${token}` } })
			)) as T;
		} catch (err) {
			if (err instanceof RateLimitedError) await this.o.limiter.rateLimited(err.retryAfterMs);
			this.o.logger.info(`Spotify ${endpoint} skipped: ${(err as Error).message}`);
			return undefined;
		}
	}

	/** Catalog ids by ISRC or artist and title; null where the catalog does not know the track. */
	private async match(tracks: SpotifyTrack[]): Promise<Array<string | null>> {
		if (!serviceAvailable(this.o.broker, "catalog")) return tracks.map(() => null);
		const items: MatchItem[] = tracks.map(t => ({ ...(t.external_ids?.isrc ? { isrc: t.external_ids.isrc } : {}), artist: t.artists?.[0]?.name ?? "", title: t.name }));
		const found = await this.o.broker.call<Array<{ trackId: string } | null>, object>("catalog.match", { items });
		return found.map(m => m?.trackId ?? null);
	}
}
