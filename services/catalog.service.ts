import { Errors, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import { DuplicateKeyError, type Collection, type Filter } from "../mixins/store/types";
import { albumInput, artistInput, featuresInput, trackInput } from "./catalog/params";
import {
	normaliseKey,
	providerIdField,
	type AlbumDoc,
	type AlbumInput,
	type ArtistDoc,
	type ArtistInput,
	type Provider,
	type TrackAlbum,
	type TrackDoc,
	type TrackFeatures,
	type TrackInput
} from "./catalog/model";
import { canonicalGenre, canonicalGenres } from "./catalog/genres";
import type { TempoQuery } from "./catalog/tempo";
import { tempoHistogram, TempoReadings, tracksByTempo } from "./catalog/by-tempo";
import { bareTitleKey, matchesAll, nameMatches, queryWords, searchWords } from "./catalog/search";
import { decodeCursor, encodeCursor } from "./catalog/cursor";
import { trackView } from "./catalog/view";
import { notFound } from "./shared/access";
import { int, list, obj, ok, ref, str } from "./api/doc/schemas";

export interface FeaturesUpdate extends TrackFeatures {
	id: string;
	/** Set when no provider can serve this track: it is not retried by the high tier. */
	unavailable?: string;
}

export interface MatchItem {
	isrc?: string;
	artist: string;
	title: string;
}
export interface TrackMatch {
	trackId: string;
	tempo?: number;
	tempoAlt?: number;
	matchedBy: "isrc" | "name";
}

interface CatalogMethods {
	dataChanged(): void;
	trackContext(tracks: TrackInput[]): Promise<TrackContext>;
	matchOne(item: MatchItem): Promise<TrackMatch | null>;
	artists(): Collection<ArtistDoc>;
	albums(): Collection<AlbumDoc>;
	tracks(): Collection<TrackDoc>;
	upsertTrack(input: TrackInput & { album?: TrackAlbum }, now: number): Promise<{ id: string; created: boolean; doc: TrackDoc }>;
	lowerArtistDepth(id: string, depth: number): Promise<void>;
	upsertByProvider<T extends ArtistDoc | AlbumDoc>(coll: Collection<T>, provider: Provider, id: string, set: Record<string, unknown>, onInsert: Record<string, unknown>): Promise<T>;
}

/** What a batch of tracks takes from catalog documents: albums and first artists' genres, keyed "provider:id". */
interface TrackContext {
	albums: Map<string, { album: TrackAlbum; genre?: string }>;
	artistGenres: Map<string, string>;
}

interface CatalogVars {
	invalidation?: NodeJS.Timeout;
	tempoReadings: TempoReadings;
}

type CatalogThis = Service & StoreMethods & CatalogMethods & CatalogVars;

const MAX_BATCH = 1000;

/**
 * Owns artists, albums and tracks. A track known to several providers is one document, matched by
 * ISRC; each document keeps every provider's id and when it was fetched.
 */
const CatalogService: ServiceSchema<ServiceSettingSchema, CatalogMethods & StoreMethods, CatalogVars> = {
	name: "catalog",
	mixins: [StoreMixin],
	settings: { rest: "/" },

	collections: {
		artists: {
			indexes: [
				{ fields: { spotifyId: 1 }, unique: true, sparse: true },
				{ fields: { deezerId: 1 }, unique: true, sparse: true },
				{ fields: { nameKey: 1 } },
				{ fields: { lastCrawledAt: 1 } }
			]
		},
		albums: {
			indexes: [
				{ fields: { spotifyId: 1 }, unique: true, sparse: true },
				{ fields: { deezerId: 1 }, unique: true, sparse: true },
				{ fields: { tracksFetchedAt: 1 } }
			]
		},
		tracks: {
			indexes: [
				{ fields: { isrc: 1 }, unique: true, sparse: true },
				{ fields: { spotifyId: 1 }, unique: true, sparse: true },
				{ fields: { deezerId: 1 }, unique: true, sparse: true },
				{ fields: { tempo: 1 } },
				// With tempo, so byTempo's tempoAlt reading sorts by tempo from the index alone.
				{ fields: { tempoAlt: 1, tempo: 1 } },
				{ fields: { featuresStatus: 1 } },
				{ fields: { fetchedAt: 1 } },
				{ fields: { words: 1 } },
				{ fields: { bareTitleKey: 1 } },
				{ fields: { genre: 1 } }
			]
		}
	},

	actions: {
		upsertArtists: {
			visibility: "public",
			params: { artists: { type: "array", items: artistInput, max: MAX_BATCH } },
			async handler(this: CatalogThis, ctx: Context<{ artists: ArtistInput[] }>) {
				const now = Date.now();
				const ids: string[] = [];
				for (const a of ctx.params.artists) {
					const doc = await this.upsertByProvider(
						this.artists(),
						a.provider,
						a.id,
						{ name: a.name, nameKey: normaliseKey(a.name), ...(a.genres?.length ? { genres: canonicalGenres(a.genres, a.provider) } : {}), fetchedAt: now },
						a.depth === undefined ? {} : { depth: a.depth }
					);
					if (a.depth !== undefined && (doc.depth === undefined || doc.depth > a.depth)) await this.lowerArtistDepth(doc._id, a.depth);
					ids.push(doc._id);
				}
				return ids;
			}
		},

		upsertAlbums: {
			visibility: "public",
			params: { albums: { type: "array", items: albumInput, max: MAX_BATCH } },
			async handler(this: CatalogThis, ctx: Context<{ albums: AlbumInput[] }>) {
				const now = Date.now();
				const ids: string[] = [];
				for (const a of ctx.params.albums) {
					const set: Record<string, unknown> = { name: a.name, artistNames: a.artists.map(x => x.name), fetchedAt: now };
					if (a.albumType) set.albumType = a.albumType;
					if (a.releaseDate) set.releaseDate = a.releaseDate;
					if (a.totalTracks !== undefined) set.totalTracks = a.totalTracks;
					const genres = canonicalGenres(a.genres, a.provider);
					if (genres.length) set.genres = genres;
					if (a.imageUrl) set.coverUrl = a.imageUrl;
					ids.push((await this.upsertByProvider(this.albums(), a.provider, a.id, set, {}))._id);
				}
				return ids;
			}
		},

		/** Upserts tracks, merging providers by ISRC; emits catalog.track.upserted for each. */
		upsertTracks: {
			visibility: "public",
			params: { tracks: { type: "array", items: trackInput, max: MAX_BATCH } },
			async handler(this: CatalogThis, ctx: Context<{ tracks: TrackInput[] }>) {
				const now = Date.now();
				const out: Array<{ id: string; created: boolean; needsFeatures: boolean }> = [];
				const context = await this.trackContext(ctx.params.tracks);
				for (const input of ctx.params.tracks) {
					const album = context.albums.get(`${input.provider}:${input.albumId}`);
					const genre = input.genre ?? album?.genre ?? context.artistGenres.get(`${input.provider}:${input.artists[0]?.id}`);
					const { id, created, doc } = await this.upsertTrack({ ...input, genre, album: album?.album }, now);
					out.push({ id, created, needsFeatures: doc.featuresStatus === "pending" });
					ctx.emit("catalog.track.upserted", { id, created, isrc: doc.isrc, tempo: doc.tempo ?? null });
				}
				this.dataChanged();
				return out;
			}
		},

		/** What audio-feature needs to look a track up at each provider. */
		trackRefs: {
			visibility: "public",
			params: { ids: { type: "array", items: "string", max: MAX_BATCH } },
			async handler(this: CatalogThis, ctx: Context<{ ids: string[] }>) {
				const docs = await this.tracks().find({ _id: { $in: ctx.params.ids } }, { projection: { isrc: 1, spotifyId: 1, deezerId: 1, previewUrl: 1, featuresStatus: 1, tempo: 1, genre: 1 } });
				return docs;
			}
		},

		/** Writes tempo and the other features with their source, or marks a track unavailable. */
		setFeatures: {
			visibility: "public",
			params: { items: { type: "array", items: featuresInput, max: MAX_BATCH } },
			async handler(this: CatalogThis, ctx: Context<{ items: FeaturesUpdate[] }>) {
				const now = Date.now();
				let updated = 0;
				for (const { id, unavailable, ...features } of ctx.params.items) {
					const set: Record<string, unknown> = unavailable
						? { featuresStatus: "unavailable", featuresReason: unavailable, featuresAt: now, updatedAt: now }
						: { ...features, featuresStatus: "done", featuresAt: now, updatedAt: now };
					// A new tempo from a provider replaces an analysis: its octave alternative and algorithm go with it.
					const stale = features.tempo === undefined ? [] : (["tempoAlt", "tempoAlgorithm"] as const).filter(k => features[k] === undefined);
					const unset = Object.fromEntries(stale.map(k => [k, true as const]));
					updated += await this.tracks().update({ _id: id }, stale.length ? { $set: set, $unset: unset } : { $set: set });
				}
				this.dataChanged();
				return { updated };
			}
		},

		markArtistCrawled: {
			visibility: "public",
			params: { provider: { type: "enum", values: ["spotify", "deezer"] }, id: "string" },
			async handler(this: CatalogThis, ctx: Context<{ provider: Provider; id: string }>) {
				return this.artists().update({ [providerIdField(ctx.params.provider)]: ctx.params.id }, { $set: { lastCrawledAt: Date.now() } });
			}
		},

		markAlbumTracksFetched: {
			visibility: "public",
			params: { provider: { type: "enum", values: ["spotify", "deezer"] }, id: "string" },
			async handler(this: CatalogThis, ctx: Context<{ provider: Provider; id: string }>) {
				return this.albums().update({ [providerIdField(ctx.params.provider)]: ctx.params.id }, { $set: { tracksFetchedAt: Date.now() } });
			}
		},

		/** Tracks around a tempo, by indexed range queries (catalog/by-tempo.ts). `halfDouble` also matches half and double time. */
		byTempo: {
			params: {
				bpm: { type: "number", min: 30, max: 300, convert: true },
				tolerance: { type: "number", min: 0, max: 30, default: 3, convert: true },
				halfDouble: { type: "boolean", default: false, convert: true },
				minEnergy: { type: "number", min: 0, max: 1, optional: true, convert: true },
				genre: { type: "string", min: 1, max: 100, optional: true },
				limit: { type: "number", integer: true, min: 1, max: 200, default: 50, convert: true },
				offset: { type: "number", integer: true, min: 0, max: 100000, default: 0, convert: true }
			},
			async handler(this: CatalogThis, ctx: Context<TempoQuery & { genre?: string; limit: number; offset: number }>) {
				return tracksByTempo(this.tracks(), ctx.params, this.tempoReadings);
			}
		},

		get: {
			params: { id: { type: "string", min: 1, max: 100 } },
			async handler(this: CatalogThis, ctx: Context<{ id: string }>) {
				const doc = await this.tracks().findOne({ _id: ctx.params.id });
				if (!doc) throw new Errors.MoleculerClientError("No such track", 404, "NOT_FOUND", { id: ctx.params.id });
				return doc;
			}
		},

		/** Tracks by id, in the order asked; unknown ids are left out. */
		getMany: {
			visibility: "public",
			params: { ids: { type: "array", items: { type: "string", min: 1, max: 100 }, max: MAX_BATCH } },
			async handler(this: CatalogThis, ctx: Context<{ ids: string[] }>): Promise<TrackDoc[]> {
				const docs = await this.tracks().find({ _id: { $in: ctx.params.ids } });
				const byId = new Map(docs.map(d => [d._id, d]));
				return ctx.params.ids.flatMap(id => byId.get(id) ?? []);
			}
		},

		/** Finds the catalog track a tracklist line names: by ISRC first, then by artist and title. */
		match: {
			visibility: "public",
			params: {
				items: {
					type: "array",
					max: MAX_BATCH,
					items: {
						type: "object",
						strict: "remove",
						props: { isrc: { type: "string", optional: true, max: 20 }, artist: { type: "string", max: 500 }, title: { type: "string", max: 500 } }
					}
				}
			},
			async handler(this: CatalogThis, ctx: Context<{ items: MatchItem[] }>): Promise<Array<TrackMatch | null>> {
				return Promise.all(ctx.params.items.map(item => this.matchOne(item)));
			}
		},

		/** How many tracks fall in each tempo bin, for the status page and dashboards. */
		tempoHistogram: {
			visibility: "public",
			cache: { keys: ["binSize"] },
			params: { binSize: { type: "number", integer: true, min: 1, max: 50, default: 5, convert: true } },
			async handler(this: CatalogThis, ctx: Context<{ binSize: number }>) {
				return { binSize: ctx.params.binSize, ...(await tempoHistogram(this.tracks(), ctx.params.binSize)) };
			}
		},

		/** GET /api/v1/tracks: the catalog, paged by an opaque cursor. */
		list: {
			cache: { keys: ["limit", "cursor", "withTempo"] },
			rest: "GET /tracks",
			summary: "The catalog, a page at a time",
			responses: { 200: ok("A page of tracks; pass nextCursor back as cursor", ref("TrackPage")) },
			auth: "public",
			params: {
				limit: { type: "number", integer: true, min: 1, max: 100, default: 25, convert: true },
				cursor: { type: "string", optional: true, max: 200 },
				withTempo: { type: "boolean", optional: true, convert: true }
			},
			async handler(this: CatalogThis, ctx: Context<{ limit: number; cursor?: string; withTempo?: boolean }>) {
				const filter: Filter = {};
				if (ctx.params.cursor) filter._id = { $gt: decodeCursor(ctx.params.cursor) };
				if (ctx.params.withTempo) filter.tempo = { $exists: true };
				const docs = await this.tracks().find(filter, { sort: { _id: 1 }, limit: ctx.params.limit + 1 });
				const page = docs.slice(0, ctx.params.limit);
				const last = page.at(-1);
				return { items: page.map(trackView), nextCursor: docs.length > ctx.params.limit && last ? encodeCursor(last._id) : null };
			}
		},

		/** GET /api/v1/tracks/search?q=: tracks whose title and artists hold every word of q. */
		search: {
			cache: { keys: ["q", "limit"] },
			rest: "GET /tracks/search",
			summary: "Tracks whose title and artists hold every word of q",
			responses: { 200: ok("The best matches, most popular first", obj({ query: str, total: int, items: list(ref("Track")) }), { query: "midnight city", total: 1, items: [{ id: "trk_4Zb1", name: "Midnight City", artists: ["M83"], tempo: 105 }] }) },
			auth: "public",
			params: {
				q: { type: "string", trim: true, min: 1, max: 200 },
				limit: { type: "number", integer: true, min: 1, max: 100, default: 25, convert: true }
			},
			async handler(this: CatalogThis, ctx: Context<{ q: string; limit: number }>) {
				const words = queryWords(ctx.params.q);
				if (words.length === 0) throw new Errors.MoleculerClientError("q must contain letters or digits", 422, "VALIDATION_ERROR");
				const candidates = await this.tracks().find({ words: words[0] }, { limit: 5000 });
				const hits = candidates.filter(d => matchesAll(d, words));
				hits.sort((a, b) => (b.popularity ?? 0) - (a.popularity ?? 0) || a._id.localeCompare(b._id));
				return { query: ctx.params.q, total: hits.length, items: hits.slice(0, ctx.params.limit).map(trackView) };
			}
		},

		/** GET /api/v1/tracks/:id */
		track: {
			cache: { keys: ["id"] },
			rest: "GET /tracks/:id",
			summary: "One track with its tempo and audio features",
			responses: { 200: ok("The track", ref("Track")) },
			auth: "public",
			params: { id: { type: "string", min: 1, max: 100 } },
			async handler(this: CatalogThis, ctx: Context<{ id: string }>) {
				const doc = await this.tracks().findOne({ _id: ctx.params.id });
				if (!doc) throw notFound("Track", ctx.params.id);
				return trackView(doc);
			}
		},

		/** Track ids whose features are still pending (the high tier). */
		missingFeatures: {
			visibility: "public",
			params: { limit: { type: "number", integer: true, min: 1, max: 100000, default: 1000 } },
			async handler(this: CatalogThis, ctx: Context<{ limit: number }>) {
				const docs = await this.tracks().find({ featuresStatus: "pending" }, { limit: ctx.params.limit, projection: { _id: 1 } });
				return docs.map(d => d._id);
			}
		},

		/** Artists and albums not crawled since `olderThan` (the medium tier). */
		stale: {
			visibility: "public",
			params: { olderThan: "number", limit: { type: "number", integer: true, min: 1, max: 100000, default: 1000 } },
			async handler(this: CatalogThis, ctx: Context<{ olderThan: number; limit: number }>) {
				const ref = (d: ArtistDoc | AlbumDoc) =>
					d.spotifyId ? { id: d._id, provider: "spotify", providerId: d.spotifyId } : { id: d._id, provider: "deezer", providerId: d.deezerId };
				const artists = await this.artists().find({ lastCrawledAt: { $lt: ctx.params.olderThan } }, { limit: ctx.params.limit });
				const albums = await this.albums().find({ tracksFetchedAt: { $lt: ctx.params.olderThan } }, { limit: ctx.params.limit });
				return { artists: artists.map(ref), albums: albums.map(ref) };
			}
		},

		/** Every crawled artist, for rediscovery (the low tier). */
		knownArtists: {
			visibility: "public",
			params: { limit: { type: "number", integer: true, min: 1, max: 100000, default: 1000 } },
			async handler(this: CatalogThis, ctx: Context<{ limit: number }>) {
				const docs = await this.artists().find({ lastCrawledAt: { $exists: true } }, { limit: ctx.params.limit });
				return docs.map(d => (d.spotifyId ? { id: d._id, provider: "spotify", providerId: d.spotifyId } : { id: d._id, provider: "deezer", providerId: d.deezerId }));
			}
		},

		counts: {
			async handler(this: CatalogThis) {
				return {
					artists: await this.artists().count({}),
					albums: await this.albums().count({}),
					tracks: await this.tracks().count({}),
					withTempo: await this.tracks().count({ tempo: { $exists: true } }),
					withGenre: await this.tracks().count({ genre: { $exists: true } }),
					featuresPending: await this.tracks().count({ featuresStatus: "pending" }),
					featuresUnavailable: await this.tracks().count({ featuresStatus: "unavailable" })
				};
			}
		}
	},

	events: {
		/** Every catalog node drops its cached answers after a write anywhere in the cluster (others listen too). */
		"catalog.changed": {
			async handler(this: CatalogThis) {
				this.tempoReadings.clear();
				await this.broker.cacher?.clean(`${this.name}.**`);
			}
		}
	},

	methods: {
		/** Coalesces the invalidations of a burst of writes (a crawl writes hundreds a second) into one per second. */
		dataChanged(this: CatalogThis) {
			// This node reads its own writes at once; the others when the broadcast reaches them.
			this.tempoReadings.clear();
			if (this.invalidation) return;
			this.invalidation = setTimeout(() => {
				this.invalidation = undefined;
				this.broker.broadcast("catalog.changed", {});
			}, 1000);
			this.invalidation.unref();
		},

		artists(this: CatalogThis) {
			return this.collection<ArtistDoc>("artists");
		},
		albums(this: CatalogThis) {
			return this.collection<AlbumDoc>("albums");
		},
		tracks(this: CatalogThis) {
			return this.collection<TrackDoc>("tracks");
		},

		/**
		 * An artist's depth is the shortest path from a seed found so far, as the scheduler's is: a
		 * crawl reached through a shorter path lowers it, a longer one leaves it. The condition is in
		 * the write, so two crawls racing end with the smaller depth whatever their order.
		 */
		async lowerArtistDepth(this: CatalogThis, id: string, depth: number): Promise<void> {
			await this.artists().update({ _id: id, $or: [{ depth: { $exists: false } }, { depth: { $gt: depth } }] }, { $set: { depth } });
		},

		async upsertByProvider<T extends ArtistDoc | AlbumDoc>(
			this: CatalogThis,
			coll: Collection<T>,
			provider: Provider,
			id: string,
			set: Record<string, unknown>,
			onInsert: Record<string, unknown>
		): Promise<T> {
			const idField = providerIdField(provider);
			return coll.upsert(
				{ [idField]: id },
				{ $set: { ...set, [`providers.${provider}`]: { id, fetchedAt: set.fetchedAt } }, $setOnInsert: onInsert }
			);
		},

		/**
		 * The albums of a batch of tracks and the genres of their first artists, in one query per
		 * provider and collection. A track's genre is its album's first genre (Deezer names genres
		 * per album), else its first artist's (Spotify names them per artist).
		 */
		async trackContext(this: CatalogThis, tracks: TrackInput[]): Promise<TrackContext> {
			const albums: TrackContext["albums"] = new Map();
			const artistGenres = new Map<string, string>();
			for (const provider of ["spotify", "deezer"] as const) {
				const field = providerIdField(provider);
				const mine = tracks.filter(t => t.provider === provider);
				const albumIds = [...new Set(mine.flatMap(t => t.albumId ?? []))];
				const albumDocs = albumIds.length ? await this.albums().find({ [field]: { $in: albumIds } }) : [];
				for (const a of albumDocs) {
					const album: TrackAlbum = { id: a._id, name: a.name, ...(a.releaseDate ? { releaseDate: a.releaseDate } : {}), ...(a.coverUrl ? { coverUrl: a.coverUrl } : {}) };
					albums.set(`${provider}:${a[field]}`, { album, genre: a.genres?.[0] });
				}
				const artistIds = [...new Set(mine.filter(t => !t.genre).flatMap(t => t.artists[0]?.id ?? []))];
				if (artistIds.length === 0) continue;
				const artists = await this.artists().find({ [field]: { $in: artistIds }, genres: { $exists: true } }, { projection: { [field]: 1, genres: 1 } });
				for (const a of artists) {
					const id = a[field];
					if (id && a.genres?.[0]) artistGenres.set(`${provider}:${id}`, a.genres[0]);
				}
			}
			return { albums, artistGenres };
		},

		async matchOne(this: CatalogThis, item: MatchItem): Promise<TrackMatch | null> {
			const found = (doc: TrackDoc, matchedBy: TrackMatch["matchedBy"]): TrackMatch => ({ trackId: doc._id, tempo: doc.tempo, tempoAlt: doc.tempoAlt, matchedBy });
			if (item.isrc) {
				const doc = await this.tracks().findOne({ isrc: item.isrc.toUpperCase() });
				if (doc) return found(doc, "isrc");
			}
			const key = bareTitleKey(item.title);
			if (!key) return null;
			const candidates = await this.tracks().find({ bareTitleKey: key }, { limit: 200 });
			const doc = candidates.find(d => nameMatches(d, item.artist, item.title));
			return doc ? found(doc, "name") : null;
		},

		async upsertTrack(this: CatalogThis, t: TrackInput & { album?: TrackAlbum }, now: number) {
			const idField = providerIdField(t.provider);
			const set: Record<string, unknown> = {
				[idField]: t.id,
				[`providers.${t.provider}`]: { id: t.id, fetchedAt: now },
				fetchedAt: now,
				updatedAt: now
			};
			if (t.isrc) set.isrc = t.isrc.toUpperCase();
			if (t.durationMs !== undefined) set.durationMs = t.durationMs;
			if (t.previewUrl) set.previewUrl = t.previewUrl;
			if (t.popularity !== undefined) set.popularity = t.popularity;
			if (t.albumId) set[t.provider === "spotify" ? "albumSpotifyId" : "albumDeezerId"] = t.albumId;
			const genre = t.genre && canonicalGenre(t.genre, t.provider);
			if (genre) set.genre = genre;
			if (t.album) set.album = t.album;
			if (t.tempo && t.tempo > 0) Object.assign(set, { tempo: t.tempo, tempoSource: t.provider, tempoConfidence: 0.9, featuresStatus: "done", featuresAt: now });

			const find = async (): Promise<TrackDoc | null> =>
				(t.isrc ? await this.tracks().findOne({ isrc: t.isrc.toUpperCase() }) : null) ?? (await this.tracks().findOne({ [idField]: t.id }));

			// Two crawlers may meet the same new track at once; the unique indexes let one insert win
			// and the other merges into it on the second pass.
			for (let attempt = 0; attempt < 3; attempt++) {
				const existing = await find();
				if (existing) {
					const doc = await this.tracks().findOneAndUpdate({ _id: existing._id }, { $set: set });
					if (doc) return { id: doc._id, created: false, doc };
					continue;
				}
				try {
					const doc = await this.tracks().insert({
						name: t.name,
						artists: t.artists.map(a => ({ name: a.name, [idField]: a.id })),
						artistKey: normaliseKey(t.artists.map(a => a.name).join(" ")),
						titleKey: normaliseKey(t.name),
						bareTitleKey: bareTitleKey(t.name),
						words: searchWords(t.name, t.artists.map(a => a.name)),
						featuresStatus: "pending",
						...Object.fromEntries(Object.entries(set).filter(([k]) => !k.includes("."))),
						providers: { [t.provider]: { id: t.id, fetchedAt: now } }
					} as Omit<TrackDoc, "_id">);
					return { id: doc._id, created: true, doc };
				} catch (err) {
					if (!(err instanceof DuplicateKeyError)) throw err;
				}
			}
			throw new Errors.MoleculerRetryableError(`Could not upsert track ${t.provider}:${t.id}`, 500, "UPSERT_CONFLICT");
		}
	},

	created(this: CatalogThis) {
		this.tempoReadings = new TempoReadings();
	}
};

export default CatalogService;
