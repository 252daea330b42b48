import type { Service, ServiceSchema } from "moleculer";
import { configFor } from "../config";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import { UpstreamMixin, type UpstreamVars } from "../mixins/upstream/upstream.mixin";
import type { Provider, ProviderAlbum, ProviderTrack } from "../mixins/upstream/types";
import { WorkerMixin, type FillPolicy, type JobResult, type WorkerSettings } from "../mixins/worker.mixin";
import type { LeasedJob } from "./scheduler/jobs";
import { NotFoundError } from "../mixins/upstream/errors";
import { spotifyOf, spotifyModeStore } from "./crawl/clients";
import { discoverArtists, parseEntity } from "./crawl/discovery";

interface AlbumCrawlerMethods {
	crawlSpotifyAlbums(jobs: LeasedJob[]): Promise<JobResult[]>;
	crawlDeezerAlbum(job: LeasedJob): Promise<JobResult>;
	saveAlbum(album: ProviderAlbum): Promise<void>;
	saveTracks(provider: Provider, tracks: ProviderTrack[], depth: number, albumArtistIds: Set<string>): Promise<void>;
}
type AlbumCrawlerThis = Service<WorkerSettings> & UpstreamVars & AlbumCrawlerMethods;

const depthOf = (job: LeasedJob) => (typeof job.payload.depth === "number" ? job.payload.depth : 0);

/**
 * Expands albums into tracks. On an extended-quota Spotify app it leases 20 albums at a time and
 * uses the batch endpoints (20 albums, then 50 full tracks a call); on a development-mode app the
 * connector falls back to one call per item by itself.
 */
const AlbumCrawlerService: ServiceSchema<WorkerSettings> = {
	name: "album-crawler",
	mixins: [RateLimitMixin, UpstreamMixin({ modeStore: spotifyModeStore }), WorkerMixin],
	settings: { worker: { jobTypes: ["album.tracks"], batchSize: 20, needs: ["catalog"] } },

	methods: {
		/**
		 * Batch calls are worth filling: a partial batch of albums waits while artists are still being
		 * discovered. Per-item calls (a development-mode app, Deezer) cost the same in any batch.
		 */
		fillPolicy(this: AlbumCrawlerThis): FillPolicy {
			if (!this.spotify || this.spotify.mode === "development") return { fillMs: 0 };
			return { fillMs: 1000, fillWhile: ["artist.discover"] };
		},

		async processBatch(this: AlbumCrawlerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
			const spotifyJobs = jobs.filter(j => parseEntity(j.entity).provider === "spotify");
			const results = new Map<string, JobResult>();
			if (spotifyJobs.length) {
				const res = await this.crawlSpotifyAlbums(spotifyJobs).catch((err: Error) => spotifyJobs.map(() => err));
				spotifyJobs.forEach((j, i) => results.set(j.id, res[i]));
			}
			await Promise.all(
				jobs.filter(j => !results.has(j.id)).map(async j => results.set(j.id, await this.crawlDeezerAlbum(j).catch((err: Error) => err)))
			);
			return jobs.map(j => results.get(j.id) ?? new Error("album job not handled"));
		},

		/**
		 * One batch of albums, then their tracks in batches of 50. An album whose own call or whose
		 * tracks' call failed fails its job alone; the albums that came through are saved.
		 */
		async crawlSpotifyAlbums(this: AlbumCrawlerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
			const spotify = spotifyOf(this);
			const ids = jobs.map(j => parseEntity(j.entity).id ?? "");
			const settled = await spotify.albumsWithTracksSettled(ids);
			const albums = new Map<string, ProviderAlbum>(settled.items.map(a => [a.id, a]));
			const simplified = [...albums.values()].flatMap(a => a.tracks ?? []);
			const full = await spotify.tracksSettled(simplified.map(t => t.id));
			const byAlbum = new Map<string, ProviderTrack[]>();
			for (const t of full.items) {
				const list = byAlbum.get(t.albumId ?? "") ?? [];
				list.push(t);
				byAlbum.set(t.albumId ?? "", list);
			}
			const trackFailure = new Map<string, Error>();
			for (const a of albums.values()) {
				const failed = (a.tracks ?? []).find(t => full.failed.has(t.id));
				if (failed) trackFailure.set(a.id, full.failed.get(failed.id) as Error);
			}
			return Promise.all(
				jobs.map(async (job, i): Promise<JobResult> => {
					const failure = settled.failed.get(ids[i]) ?? trackFailure.get(ids[i]);
					if (failure) return failure;
					const album = albums.get(ids[i]);
					if (!album) return { outcome: "not-found" };
					const tracks = byAlbum.get(album.id) ?? [];
					try {
						await this.saveAlbum(album);
						await this.saveTracks("spotify", tracks, depthOf(job), new Set(album.artists.map(a => a.id)));
						await this.broker.call("catalog.markAlbumTracksFetched", { provider: "spotify", id: album.id });
					} catch (err) {
						return err as Error;
					}
					return { outcome: `${tracks.length} tracks` };
				})
			);
		},

		/**
		 * The full album (genres, cover, contributors) and each track's detail call: only the detail
		 * names a track's contributors, Deezer's featured artists, and carries its bpm, which then
		 * needs no features job. Album contributors other than the main artist are discovered too.
		 */
		async crawlDeezerAlbum(this: AlbumCrawlerThis, job: LeasedJob): Promise<JobResult> {
			const id = parseEntity(job.entity).id ?? job.entity;
			const album = await this.deezer.albumWithTracks(id);
			await this.saveAlbum(album);
			const tracks = await Promise.all(
				(album.tracks ?? []).map(t => this.deezer.track(t.id).catch((err: Error) => (err instanceof NotFoundError ? t : Promise.reject(err))))
			);
			const depth = depthOf(job);
			await this.saveTracks("deezer", tracks.map(t => ({ ...t, albumId: id })), depth, new Set());
			const main = album.artists[0]?.id;
			await discoverArtists(this.broker, configFor(this.broker), "deezer", album.artists.filter(a => a.id !== main), depth + 1);
			await this.broker.call("catalog.markAlbumTracksFetched", { provider: "deezer", id });
			return { outcome: `${tracks.length} tracks` };
		},

		/** The album again, now with what only its detail call has (genres, cover), before its tracks take them. */
		async saveAlbum(this: AlbumCrawlerThis, a: ProviderAlbum) {
			await this.broker.call("catalog.upsertAlbums", {
				albums: [{ provider: a.provider, id: a.id, name: a.name, artists: a.artists, albumType: a.albumType, releaseDate: a.releaseDate, totalTracks: a.totalTracks, genres: a.genres, imageUrl: a.imageUrl }]
			});
		},

		async saveTracks(this: AlbumCrawlerThis, provider: Provider, tracks: ProviderTrack[], depth: number, albumArtistIds: Set<string>) {
			if (tracks.length === 0) return;
			const saved = await this.broker.call<Array<{ id: string; needsFeatures: boolean }>, object>("catalog.upsertTracks", {
				tracks: tracks.map(t => ({
					provider,
					id: t.id,
					name: t.name,
					isrc: t.isrc,
					artists: t.artists,
					albumId: t.albumId,
					durationMs: t.durationMs,
					previewUrl: t.previewUrl,
					popularity: t.popularity,
					tempo: t.tempo
				}))
			});
			const features = saved.filter(s => s.needsFeatures).map(s => ({ type: "track.features", entity: s.id, tier: "high" }));
			if (features.length) await this.broker.call("scheduler.enqueue", { jobs: features });
			this.broker.metrics?.increment("crawler_tracks_processed_total", { stage: "album" }, tracks.length);
			const featured = tracks.flatMap(t => t.artists).filter(a => !albumArtistIds.has(a.id));
			await discoverArtists(this.broker, configFor(this.broker), provider, featured, depth + 1);
		}
	}
};

export default AlbumCrawlerService;
