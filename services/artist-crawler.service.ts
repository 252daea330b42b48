import type { Service, ServiceSchema } from "moleculer";
import { configFor } from "../config";
import { RateLimitMixin } from "../mixins/rate-limit/rate-limit.mixin";
import { UpstreamMixin, type UpstreamVars } from "../mixins/upstream/upstream.mixin";
import { NotFoundError } from "../mixins/upstream/errors";
import type { ProviderAlbum, ProviderArtist } from "../mixins/upstream/types";
import { WorkerMixin, type JobResult, type WorkerSettings } from "../mixins/worker.mixin";
import type { LeasedJob } from "./scheduler/jobs";
import { discoverArtists, parseEntity } from "./crawl/discovery";
import { normaliseKey } from "./catalog/model";
import { clientOf, seedProvider, spotifyModeStore } from "./crawl/clients";

type ArtistCrawlerThis = Service<WorkerSettings> & UpstreamVars & { crawlArtist(job: LeasedJob): Promise<JobResult> };

/**
 * Expands an artist into its albums and singles, page by page: upserts them in catalog, schedules
 * an album.tracks job for each, and turns the albums' other artists into new discovery jobs.
 */
const ArtistCrawlerService: ServiceSchema<WorkerSettings> = {
	name: "artist-crawler",
	mixins: [RateLimitMixin, UpstreamMixin({ modeStore: spotifyModeStore }), WorkerMixin],
	settings: { worker: { jobTypes: ["artist.discover"], batchSize: 1, needs: ["catalog"] } },

	methods: {
		async processBatch(this: ArtistCrawlerThis, jobs: LeasedJob[]): Promise<JobResult[]> {
			return Promise.all(jobs.map(job => this.crawlArtist(job).catch((err: Error) => err)));
		},

		async crawlArtist(this: ArtistCrawlerThis, job: LeasedJob): Promise<JobResult> {
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
			const genres = Array.isArray(job.payload.genres) ? job.payload.genres.filter((g): g is string => typeof g === "string") : undefined;
			const artist: ProviderArtist = { provider, id: ref.id, name: typeof job.payload.name === "string" ? job.payload.name : ref.id, ...(genres ? { genres } : {}) };

			const albums: ProviderAlbum[] = await client.artistAlbums(artist.id);
			await this.broker.call("catalog.upsertArtists", { artists: [{ provider, id: artist.id, name: artist.name, genres: artist.genres, depth }] });
			for (let i = 0; i < albums.length; i += 500) {
				const page = albums.slice(i, i + 500);
				await this.broker.call("catalog.upsertAlbums", {
					albums: page.map(a => ({ provider, id: a.id, name: a.name, artists: a.artists, albumType: a.albumType, releaseDate: a.releaseDate, totalTracks: a.totalTracks }))
				});
				await this.broker.call("scheduler.enqueue", {
					jobs: page.map(a => ({ type: "album.tracks", entity: `${provider}:${a.id}`, payload: { depth }, tier: "low" }))
				});
			}
			const others = albums.flatMap(a => a.artists).filter(a => a.id !== artist.id);
			await discoverArtists(this.broker, config, provider, others, depth + 1);
			await this.broker.call("catalog.markArtistCrawled", { provider, id: artist.id });
			return { outcome: `${albums.length} albums` };
		}
	}
};

export default ArtistCrawlerService;
