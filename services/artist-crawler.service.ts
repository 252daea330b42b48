import type { Service, ServiceSchema } from "moleculer";
import { configFor } from "../config";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import { UpstreamMixin, type UpstreamVars } from "../mixins/upstream/upstream.mixin";
import { NotFoundError } from "../mixins/upstream/errors";
import type { ProviderAlbum, ProviderArtist } from "../mixins/upstream/types";
import { SPOTIFY_LIMITS, type Settled } from "../mixins/upstream/spotify";
import { WorkerMixin, type FillPolicy, type JobResult, type WorkerSettings } from "../mixins/worker.mixin";
import type { LeasedJob } from "./scheduler/jobs";
import { discoverArtists, parseEntity } from "./crawl/discovery";
import { normaliseKey } from "./catalog/model";
import { clientOf, seedProvider, spotifyModeStore, spotifyOf } from "./crawl/clients";

interface ArtistCrawlerMethods {
	spotifyArtists(jobs: LeasedJob[]): Promise<Settled<ProviderArtist>>;
	crawlArtist(job: LeasedJob, details?: ProviderArtist): Promise<JobResult>;
}
type ArtistCrawlerThis = Service<WorkerSettings> & UpstreamVars & ArtistCrawlerMethods;

const genresOf = (payload: LeasedJob["payload"]): string[] | undefined =>
	Array.isArray(payload.genres) ? payload.genres.filter((g): g is string => typeof g === "string") : undefined;

/**
 * Expands an artist into its albums and singles, page by page: upserts them in catalog, schedules
 * an album.tracks job for each, and turns the albums' other artists into new discovery jobs. On
 * Deezer, which names no featured artists in album lists, its related artists are discovered too.
 * Spotify artists are leased 50 at a time and fetched in one batch call, for their genres.
 */
const ArtistCrawlerService: ServiceSchema<WorkerSettings> = {
	name: "artist-crawler",
	mixins: [RateLimitMixin, UpstreamMixin({ modeStore: spotifyModeStore }), WorkerMixin],
	settings: { worker: { jobTypes: ["artist.discover"], batchSize: SPOTIFY_LIMITS.artistsBatch, needs: ["catalog"] } },

	methods: {
		/**
		 * The artists batch call is worth a short wait for the rest of a burst of artists (seeds
		 * enqueued together, the featured artists of one album); per-item calls (a development-mode
		 * app) and Deezer, which has no such call, are not.
		 */
		fillPolicy(this: ArtistCrawlerThis): FillPolicy {
			if (!this.spotify || this.spotify.mode === "development") return { fillMs: 0 };
			return { fillMs: 250 };
		},

		async processBatch(this: ArtistCrawlerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
			const details = await this.spotifyArtists(jobs);
			const found = new Map(details.items.map(a => [a.id, a]));
			// As many artists at once as the node ran when it leased them one by one: fifty album
			// listings in one burst would only queue at the limiter and open sockets for nothing.
			const results: JobResult[] = new Array(jobs.length);
			let next = 0;
			const lane = async () => {
				for (let i = next++; i < jobs.length; i = next++) {
					const id = parseEntity(jobs[i].entity).id ?? "";
					results[i] = details.failed.get(id) ?? (await this.crawlArtist(jobs[i], found.get(id)).catch((err: Error) => err));
				}
			};
			await Promise.all(Array.from({ length: Math.min(jobs.length, configFor(this.broker).CRAWLER_CONCURRENCY) }, lane));
			return results;
		},

		/** The full artists of the batch's Spotify ids whose genres are not known yet, in batch calls of 50. */
		async spotifyArtists(this: ArtistCrawlerThis, jobs: LeasedJob[]): Promise<Settled<ProviderArtist>> {
			const ids = jobs.flatMap(job => {
				const ref = parseEntity(job.entity);
				return ref.id && (ref.provider ?? seedProvider(this)) === "spotify" && !genresOf(job.payload)?.length ? [ref.id] : [];
			});
			if (ids.length === 0) return { items: [], failed: new Map() };
			return spotifyOf(this).artistsSettled([...new Set(ids)]);
		},

		async crawlArtist(this: ArtistCrawlerThis, job: LeasedJob, details?: ProviderArtist): Promise<JobResult> {
			const config = configFor(this.broker);
			const depth = typeof job.payload.depth === "number" ? job.payload.depth : 0;
			const ref = parseEntity(job.entity);
			const provider = ref.provider ?? seedProvider(this);
			const client = clientOf(this, provider);

			if (!ref.id) {
				const found = await client.searchArtist(ref.name ?? "");
				const match = found.find(a => normaliseKey(a.name) === normaliseKey(ref.name ?? "")) ?? found[0];
				if (!match) throw new NotFoundError(`no artist called "${ref.name}"`, { provider, endpoint: "search" });
				// The crawl itself is the id's job, the one every other path to this artist names, so the
				// artist is crawled once however it was first met (and at the shortest depth).
				const entity = `${provider}:${match.id}`;
				const payload = { depth, name: match.name, ...(match.genres?.length ? { genres: match.genres } : {}) };
				await this.broker.call("scheduler.enqueue", { jobs: [{ type: "artist.discover", entity, payload, tier: "low" }] });
				return { outcome: `resolved to ${entity}` };
			}
			const genres = details?.genres?.length ? details.genres : genresOf(job.payload);
			const name = details?.name || (typeof job.payload.name === "string" ? job.payload.name : ref.id);
			const artist: ProviderArtist = { provider, id: ref.id, name, ...(genres ? { genres } : {}) };

			const albums: ProviderAlbum[] = await client.artistAlbums(artist.id);
			// Before its albums' jobs: their tracks take the artist's genres from the catalog.
			await this.broker.call("catalog.upsertArtists", { artists: [{ provider, id: artist.id, name: artist.name, genres: artist.genres, depth }] });
			const self = [{ id: artist.id, name: artist.name }];
			for (let i = 0; i < albums.length; i += 500) {
				const page = albums.slice(i, i + 500);
				await this.broker.call("catalog.upsertAlbums", {
					// Deezer's album lists name no artists: they are this artist's.
					albums: page.map(a => ({ provider, id: a.id, name: a.name, artists: a.artists.length ? a.artists : self, albumType: a.albumType, releaseDate: a.releaseDate, totalTracks: a.totalTracks, genres: a.genres, imageUrl: a.imageUrl }))
				});
				await this.broker.call("scheduler.enqueue", {
					jobs: page.map(a => ({ type: "album.tracks", entity: `${provider}:${a.id}`, payload: { depth }, tier: "low" }))
				});
			}
			const related = provider === "deezer" && depth + 1 <= config.CRAWL_MAX_DEPTH ? await this.deezer.relatedArtists(artist.id) : [];
			const others = [...albums.flatMap(a => a.artists), ...related].filter(a => a.id !== artist.id);
			await discoverArtists(this.broker, config, provider, others, depth + 1);
			await this.broker.call("catalog.markArtistCrawled", { provider, id: artist.id });
			return { outcome: `${albums.length} albums` };
		}
	}
};

export default ArtistCrawlerService;
