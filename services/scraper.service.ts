import { randomUUID } from "node:crypto";
import { Errors, type ActionSchema, type Context, type Service, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import { configFor, type Config } from "../config";
import { StoreMixin, type StoreMethods } from "../mixins/store/store.mixin";
import type { Collection, Doc } from "../mixins/store/types";
import type { TaskView } from "./tasks/model";
import { assertSelfOrAdmin, notFound, requireUser, type AuthUser, type GatewayContext } from "./shared/access";
import { actionAvailable, serviceAvailable } from "./shared/registry";
import { audioDuration } from "./scraper/audio-header";
import { normaliseContent } from "./scraper/content";
import { generateCue, type MissingTimes } from "./scraper/cue";
import { validateSheet, validateTracks } from "./scraper/cue-validate";
import { crossFieldError } from "./scraper/errors";
import { urlPolicy, type ScrapeResult } from "./scraper/fetch-page";
import { createImport, isFinished, itemView, progressOf, SCRAPE_JOB, settleItem, type ImportStore } from "./scraper/imports";
import { registerScraperMetrics, SCRAPER_METRICS } from "./scraper/metrics";
import type {
	CatalogLink,
	CueDoc,
	CueFormat,
	DraftDoc,
	ImportDoc,
	ImportItemDoc,
	ListingPage,
	TrackEntry,
	TracklistDoc,
	VersionDoc
} from "./scraper/model";
import { applyDraftEdit, draftParams, idParam, listingParams, urlParam, type DraftInput } from "./scraper/params";
import { collectListing, listingUrl, searchUrl, type ListingResult, type SearchType } from "./scraper/search";
import { fetchableUrl } from "./scraper/urls";
import { findByUrl, publishContent, saveScrape, type TracklistStore } from "./scraper/versions";
import { cueView, draftView, tracklistView, versionSummary, versionView } from "./scraper/view";
import { bool, int, obj, ok, ref, str } from "./api/doc/schemas";
import {
	CHANGED_TRACKLIST,
	CUE,
	CUE_EXAMPLE,
	CUE_VALIDATION,
	DRAFT,
	DRAFT_EXAMPLE,
	LISTING,
	LISTING_EXAMPLE,
	SCRAPE_STATUS,
	SCRAPE_STATUS_EXAMPLE,
	SCRAPE_TASK,
	SCRAPE_TASK_EXAMPLE,
	TRACKLIST,
	TRACKLIST_EXAMPLE,
	VERSION,
	VERSION_EXAMPLE,
	VERSIONS
} from "./scraper/responses";

interface ScraperMethods {
	store(): TracklistStore & ImportStore;
	drafts(): Collection<DraftDoc>;
	cues(): Collection<CueDoc>;
	pages(): Collection<ListingPageDoc>;
	isFresh(doc: TracklistDoc): boolean;
	linkCatalog(tracks: TrackEntry[]): Promise<Array<CatalogLink | null>>;
	ingestScrape(result: ScrapeResult, startedAt: number): Promise<{ doc: TracklistDoc; outcome: string }>;
	startImport(ctx: GatewayContext, kind: ImportDoc["kind"], urls: string[], forceRefresh: boolean, correlationId?: string): Promise<TaskView>;
	/** The tracklist at a URL, from the store while fresh (unless `forceRefresh`), else fetched now. */
	scrapeNow(ctx: GatewayContext, url: string, forceRefresh: boolean): Promise<{ doc: TracklistDoc; cached: boolean; outcome: string }>;
	assertCorrelationFree(correlationId: string): Promise<void>;
	recordSyncScrape(ctx: GatewayContext, correlationId: string, url: string, tracklistId: string, outcome: string): Promise<void>;
	reportProgress(importId: string): Promise<void>;
	finishTask(importId: string): Promise<void>;
	readListing(url: string): Promise<ListingPage>;
	listing(first: string, params: ListingParams): Promise<ListingResult>;
	tracklistOr404(id: string): Promise<TracklistDoc>;
	/** The caller, the tracklist and the caller's draft of it; 404 when either is missing. */
	callerDraft(ctx: GatewayContext<{ id: string }>): Promise<{ user: AuthUser; doc: TracklistDoc; draft: DraftDoc }>;
	clearCaches(): Promise<{ pages: number; tracklists: number }>;
}
interface ScraperVars {
	config: Config;
}
type ScraperThis = Service & StoreMethods & ScraperMethods & ScraperVars;

interface ListingPageDoc extends Doc {
	items: ListingPage["items"];
	next?: string | null;
	fetchedAt: number;
}

interface ListingParams {
	page: number;
	limit: number;
	start_date?: string | null;
	end_date?: string | null;
}

type CueParams = {
	tracklist_id?: string;
	tracklist_url?: string;
	audio_file_name?: string;
	audio_file_path?: string;
	audio_file_names?: string[];
	format: CueFormat;
	include_pregap: boolean;
	missing_times: MissingTimes;
};

type ScrapeParams = {
	url: string;
	force_refresh: boolean;
	include_transitions: boolean;
	async: boolean;
	correlation_id?: string;
};

/** A client's own request id: a UUID or any short token of letters, digits, `-` and `_`. */
const correlationParam = { type: "string", min: 1, max: 100, pattern: /^[\w-]+$/, optional: true } as const;

/** "Mara Quell @ Lantern Hall 2024-06-15" → "mara-quell-lantern-hall-2024-06-15.mp3". */
function defaultAudioName(title: string): string {
	const slug = title
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-+|-+$/g, "")
		.slice(0, 120);
	return `${slug || "set"}.mp3`;
}

interface ValidateParams {
	cue_id?: string;
	cue_text?: string;
	tracklist_id?: string;
	duration_seconds?: number;
	audio_header_base64?: string;
	audio_file_size?: number;
}

/** Longest a synchronous scrape may take: robots.txt, the host's crawl delay, the page and its retries. */
const SCRAPE_TIMEOUT_MS = 120000;
const MATCH_CHUNK = 200;

/** GET /search/dj/:slug and GET /search/event/:slug: that DJ's or event's tracklists on the site. */
function listingAction(kind: "dj" | "event"): ActionSchema<ScraperThis> {
	return {
		rest: `GET /search/${kind}/:slug`,
		summary: "A DJ's or an event's tracklists on the site",
		responses: { 200: ok("The listing, one page", { allOf: [obj({ [kind]: str }), LISTING] }, { [kind]: "bicep", ...LISTING_EXAMPLE }) },
		auth: "public",
		timeout: SCRAPE_TIMEOUT_MS,
		params: { slug: { type: "string", min: 1, max: 200, pattern: /^[\w.-]+$/ }, ...listingParams },
		async handler(this: ScraperThis, ctx: Context<ListingParams & { slug: string }>) {
			return { [kind]: ctx.params.slug, ...(await this.listing(listingUrl(this.config.SCRAPER_SITE_URL, kind, ctx.params.slug), ctx.params)) };
		}
	};
}

const itemParams = { importId: idParam, index: { type: "number", integer: true, min: 0 } } as const;

/**
 * Tracklists from 1001tracklists-style pages: search, scrape by URL (from the cache while fresh),
 * batch imports as scheduler jobs, drafts and versions, CUE sheets and their validation against
 * the audio. This service owns every document; the stateless `scraper-worker` fetches and parses.
 */
const ScraperService: ServiceSchema<ServiceSettingSchema, ScraperMethods & StoreMethods, ScraperVars> = {
	name: "scraper",
	mixins: [StoreMixin],
	settings: { rest: "/" },

	collections: {
		tracklists: { indexes: [{ fields: { url: 1 }, unique: true }, { fields: { aliases: 1 } }, { fields: { scrapedAt: -1 } }] },
		versions: { indexes: [{ fields: { tracklistId: 1, version: 1 }, unique: true }, { fields: { userId: 1 } }] },
		drafts: { indexes: [{ fields: { tracklistId: 1, userId: 1 }, unique: true }, { fields: { userId: 1 } }] },
		cues: { indexes: [{ fields: { tracklistId: 1 } }, { fields: { ownerId: 1 } }] },
		imports: { indexes: [{ fields: { ownerId: 1 } }, { fields: { correlationId: 1 } }] },
		importItems: { indexes: [{ fields: { importId: 1, state: 1 } }] },
		pages: { indexes: [{ fields: { fetchedAt: 1 } }] }
	},

	actions: {
		// --- search -------------------------------------------------------------------------

		/** GET /search?query=&type=dj|event|track: the site's tracklists matching the query. */
		search: {
			rest: "GET /search",
			summary: "The site's tracklists matching a query, by DJ, event or track",
			responses: { 200: ok("The matches, one page", { allOf: [obj({ query: str, type: str, search_type: str }), LISTING] }, { query: "bicep", type: "dj", search_type: "dj", ...LISTING_EXAMPLE }) },
			auth: "public",
			timeout: SCRAPE_TIMEOUT_MS,
			params: {
				query: { type: "string", min: 1, max: 200, trim: true },
				type: { type: "enum", values: ["dj", "event", "track"], optional: true },
				// The seed systems' name for `type`.
				search_type: { type: "enum", values: ["dj", "event", "track"], optional: true },
				...listingParams
			},
			async handler(this: ScraperThis, ctx: Context<ListingParams & { query: string; type?: SearchType; search_type?: SearchType }>) {
				const { type: given, search_type: seedType } = ctx.params;
				if (given && seedType && given !== seedType) throw crossFieldError("type and search_type disagree; give one of them", ["type", "search_type"]);
				const type: SearchType = given ?? seedType ?? "dj";
				const result = await this.listing(searchUrl(this.config.SCRAPER_SITE_URL, type, ctx.params.query), ctx.params);
				return { query: ctx.params.query, type, search_type: type, ...result };
			}
		},

		searchDj: listingAction("dj"),
		searchEvent: listingAction("event"),

		// --- tracklists ---------------------------------------------------------------------

		/** POST /tracklist: the parsed tracklist, from the cache while fresh; with `async`, 202 and a task. */
		scrape: {
			rest: "POST /tracklist",
			summary: "Scrape a tracklist page (from the cache while fresh); with async, in the background",
			responses: { 200: ok("The parsed tracklist", TRACKLIST, TRACKLIST_EXAMPLE), 202: ok("Accepted (async): poll GET /api/v1/tracklist/status/{id}", SCRAPE_TASK, SCRAPE_TASK_EXAMPLE) },
			auth: "optional",
			timeout: SCRAPE_TIMEOUT_MS,
			params: {
				url: urlParam,
				force_refresh: { type: "boolean", default: false, convert: true },
				include_transitions: { type: "boolean", default: false, convert: true },
				async: { type: "boolean", default: false, convert: true },
				correlation_id: correlationParam
			},
			async handler(this: ScraperThis, ctx: GatewayContext<ScrapeParams>) {
				const url = fetchableUrl(ctx.params.url, urlPolicy(this.config)).href;
				const correlationId = ctx.params.correlation_id;
				if (correlationId) await this.assertCorrelationFree(correlationId);
				if (ctx.params.async) {
					ctx.meta.$statusCode = 202;
					return { ...(await this.startImport(ctx, "scrape", [url], ctx.params.force_refresh, correlationId)), ...(correlationId ? { correlation_id: correlationId } : {}) };
				}
				const { doc, cached, outcome } = await this.scrapeNow(ctx, url, ctx.params.force_refresh);
				// A synchronous scrape with the client's id is pollable afterwards like an async one.
				if (correlationId) await this.recordSyncScrape(ctx, correlationId, url, doc._id, outcome);
				return { ...tracklistView(doc, { includeTransitions: ctx.params.include_transitions, cached }), ...(correlationId ? { correlation_id: correlationId } : {}) };
			}
		},

		/** POST /tracklist/import: a list of URLs becomes scheduler jobs; 202 with the task. */
		import: {
			rest: "POST /tracklist/import",
			summary: "Import many tracklist URLs as background jobs",
			responses: { 202: ok("Accepted: poll GET /api/v1/tracklist/status/{id}", ref("Task")) },
			auth: "required",
			// Each URL is a job: the gateway counts them against the caller's hourly quota.
			batch: { items: "urls" },
			params: { urls: { type: "array", items: urlParam, min: 1, max: 10000 }, force_refresh: { type: "boolean", default: false, convert: true } },
			async handler(this: ScraperThis, ctx: GatewayContext<{ urls: string[]; force_refresh: boolean }>) {
				requireUser(ctx);
				if (ctx.params.urls.length > this.config.SCRAPER_MAX_BATCH) {
					throw new Errors.MoleculerClientError(`At most ${this.config.SCRAPER_MAX_BATCH} URLs per import`, 422, "VALIDATION_ERROR", { max: this.config.SCRAPER_MAX_BATCH });
				}
				const policy = urlPolicy(this.config);
				const urls = [...new Set(ctx.params.urls.map(u => fetchableUrl(u, policy).href))];
				ctx.meta.$statusCode = 202;
				return this.startImport(ctx, "import", urls, ctx.params.force_refresh);
			}
		},

		/** GET /tracklist/status/:id: the task of an async scrape or an import, with each URL's state. */
		status: {
			rest: "GET /tracklist/status/:id",
			summary: "An async scrape's or an import's task, with each URL's state",
			responses: { 200: ok("The task and its items", SCRAPE_STATUS, SCRAPE_STATUS_EXAMPLE) },
			auth: "optional",
			params: { id: idParam },
			async handler(this: ScraperThis, ctx: GatewayContext<{ id: string }>) {
				const imp = (await this.store().imports.findOne({ _id: ctx.params.id })) ?? (await this.store().imports.findOne({ correlationId: ctx.params.id }));
				if (!imp) throw notFound("Scrape task", ctx.params.id);
				if (imp.ownerId) assertSelfOrAdmin(ctx, imp.ownerId);
				// Without the caller's meta: this service has already decided who may read it.
				const task = await this.broker.call<TaskView, { id: string }>("tasks.get", { id: imp._id });
				const items = await this.store().items.find({ importId: imp._id }, { sort: { index: 1 }, limit: 10000 });
				const progress = (await progressOf(this.store(), imp._id)) ?? { total: imp.total, done: 0, failed: 0 };
				return { ...task, correlation_id: imp.correlationId ?? imp._id, import: { kind: imp.kind, ...progress, items: items.map(itemView) } };
			}
		},

		/** DELETE /tracklist/cache (admins): every tracklist is fetched again on its next request; listings and robots.txt too. */
		clearCache: {
			rest: "DELETE /tracklist/cache",
			summary: "Mark every cached tracklist and page stale (admins)",
			responses: { 200: ok("How many pages were dropped and tracklists marked stale", obj({ cleared: obj({ pages: int, tracklists: int }) }), { cleared: { pages: 12, tracklists: 3 } }) },
			auth: "admin",
			async handler(this: ScraperThis) {
				return { cleared: await this.clearCaches() };
			}
		},

		get: {
			rest: "GET /tracklist/:id",
			summary: "A stored tracklist",
			responses: { 200: ok("The tracklist", TRACKLIST, TRACKLIST_EXAMPLE) },
			auth: "public",
			params: { id: idParam, include_transitions: { type: "boolean", default: false, convert: true } },
			async handler(this: ScraperThis, ctx: Context<{ id: string; include_transitions: boolean }>) {
				return tracklistView(await this.tracklistOr404(ctx.params.id), { includeTransitions: ctx.params.include_transitions });
			}
		},

		// --- versions and drafts ------------------------------------------------------------

		versions: {
			rest: "GET /tracklist/:id/versions",
			summary: "A tracklist's versions, newest first",
			responses: { 200: ok("The versions", VERSIONS, { tracklist_id: "tl_5e1", current: 1, versions: [] }) },
			auth: "public",
			params: { id: idParam },
			async handler(this: ScraperThis, ctx: Context<{ id: string }>) {
				const doc = await this.tracklistOr404(ctx.params.id);
				const versions = await this.store().versions.find({ tracklistId: doc._id }, { sort: { version: -1 }, limit: 1000 });
				return { tracklist_id: doc._id, current: doc.version, versions: versions.map(v => versionSummary(v, doc.version)) };
			}
		},

		version: {
			rest: "GET /tracklist/:id/versions/:version",
			summary: "One version of a tracklist",
			responses: { 200: ok("The version with its content", VERSION, VERSION_EXAMPLE) },
			auth: "public",
			params: { id: idParam, version: { type: "number", integer: true, min: 1, convert: true } },
			async handler(this: ScraperThis, ctx: Context<{ id: string; version: number }>) {
				const doc = await this.tracklistOr404(ctx.params.id);
				const v = await this.store().versions.findOne({ tracklistId: doc._id, version: ctx.params.version });
				if (!v) throw notFound(`Version ${ctx.params.version} of tracklist`, doc._id);
				return versionView(v, doc.version);
			}
		},

		/** Brings an old version back as a new version (history is never rewritten). */
		restore: {
			rest: "POST /tracklist/:id/versions/:version/restore",
			summary: "Bring an old version back as the newest",
			responses: { 200: ok("The tracklist now; changed is false when nothing differed", CHANGED_TRACKLIST, { changed: true, ...TRACKLIST_EXAMPLE }) },
			auth: "required",
			params: { id: idParam, version: { type: "number", integer: true, min: 1, convert: true } },
			async handler(this: ScraperThis, ctx: GatewayContext<{ id: string; version: number }>) {
				const user = requireUser(ctx);
				const doc = await this.tracklistOr404(ctx.params.id);
				const v = await this.store().versions.findOne({ tracklistId: doc._id, version: ctx.params.version });
				if (!v) throw notFound(`Version ${ctx.params.version} of tracklist`, doc._id);
				const links = await this.linkCatalog(v.content.tracks);
				const { doc: after, changed } = await publishContent(this.store(), doc._id, v.content, links, "restore", { userId: user.id, restoredFrom: v.version });
				return { changed, ...tracklistView(after) };
			}
		},

		getDraft: {
			rest: "GET /tracklist/:id/draft",
			summary: "The caller's draft of a tracklist",
			responses: { 200: ok("The draft", DRAFT, DRAFT_EXAMPLE) },
			auth: "required",
			params: { id: idParam },
			async handler(this: ScraperThis, ctx: GatewayContext<{ id: string }>) {
				const { doc, draft } = await this.callerDraft(ctx);
				return draftView(draft, doc.version);
			}
		},

		/** PUT /tracklist/:id/draft: creates the caller's draft from the current version, or edits it. */
		saveDraft: {
			rest: "PUT /tracklist/:id/draft",
			summary: "Create or edit the caller's draft of a tracklist",
			responses: { 200: ok("The draft as saved", DRAFT, DRAFT_EXAMPLE) },
			auth: "required",
			params: draftParams,
			async handler(this: ScraperThis, ctx: GatewayContext<DraftInput>) {
				const user = requireUser(ctx);
				const doc = await this.tracklistOr404(ctx.params.id);
				const existing = await this.drafts().findOne({ tracklistId: doc._id, userId: user.id });
				const content = applyDraftEdit(existing?.content ?? doc.content, ctx.params);
				const now = Date.now();
				const draft = await this.drafts().upsert(
					{ tracklistId: doc._id, userId: user.id },
					{ $set: { content, updatedAt: now }, $setOnInsert: { baseVersion: doc.version, createdAt: now } }
				);
				return draftView(draft, doc.version);
			}
		},

		deleteDraft: {
			rest: "DELETE /tracklist/:id/draft",
			summary: "Throw the caller's draft away",
			responses: { 200: ok("Deleted", obj({ deleted: bool }), { deleted: true }) },
			auth: "required",
			params: { id: idParam },
			async handler(this: ScraperThis, ctx: GatewayContext<{ id: string }>) {
				const user = requireUser(ctx);
				const removed = await this.drafts().delete({ tracklistId: ctx.params.id, userId: user.id });
				if (!removed) throw notFound("Draft of tracklist", ctx.params.id);
				return { deleted: true };
			}
		},

		/** Publishes the caller's draft as the newest version (none when nothing changed) and removes the draft. */
		publishDraft: {
			rest: "POST /tracklist/:id/draft/publish",
			summary: "Publish the caller's draft as the newest version",
			responses: { 200: ok("The tracklist now; changed is false when nothing differed", CHANGED_TRACKLIST, { changed: true, ...TRACKLIST_EXAMPLE }) },
			auth: "required",
			params: { id: idParam },
			async handler(this: ScraperThis, ctx: GatewayContext<{ id: string }>) {
				const { user, doc, draft } = await this.callerDraft(ctx);
				const links = await this.linkCatalog(draft.content.tracks);
				const { doc: after, changed } = await publishContent(this.store(), doc._id, draft.content, links, "draft", { userId: user.id });
				await this.drafts().delete({ _id: draft._id });
				return { changed, ...tracklistView(after) };
			}
		},

		// --- CUE sheets ---------------------------------------------------------------------

		/**
		 * POST /cue/generate. `tracklist_url` may name a page not scraped yet: it is scraped first.
		 * Tracks without a cue time are estimated (the seed systems' behaviour) unless
		 * `missing_times: "refuse"`. The audio file name defaults to one made from the title.
		 */
		cueGenerate: {
			rest: "POST /cue/generate",
			summary: "Make a CUE sheet from a tracklist (scraped first when given by URL)",
			responses: { 201: ok("The CUE sheet", CUE, CUE_EXAMPLE) },
			auth: "optional",
			timeout: SCRAPE_TIMEOUT_MS,
			params: {
				tracklist_id: { ...idParam, optional: true },
				tracklist_url: { ...urlParam, optional: true },
				audio_file_name: { type: "string", min: 1, max: 255, trim: true, optional: true },
				// The seed systems send a path; only its last part goes into the sheet.
				audio_file_path: { type: "string", min: 1, max: 1000, trim: true, optional: true },
				audio_file_names: { type: "array", items: { type: "string", min: 1, max: 255, trim: true }, max: 20, optional: true },
				format: { type: "enum", values: ["standard", "cdj", "traktor"], default: "standard" },
				include_pregap: { type: "boolean", default: false, convert: true },
				missing_times: { type: "enum", values: ["estimate", "refuse"], default: "estimate" }
			},
			async handler(this: ScraperThis, ctx: GatewayContext<CueParams>) {
				const { tracklist_id, tracklist_url } = ctx.params;
				if (Boolean(tracklist_id) === Boolean(tracklist_url)) throw crossFieldError("Give exactly one of tracklist_id and tracklist_url", ["tracklist_id", "tracklist_url"]);
				let doc: TracklistDoc;
				if (tracklist_id) doc = await this.tracklistOr404(tracklist_id);
				else {
					const url = fetchableUrl(tracklist_url ?? "", urlPolicy(this.config)).href;
					doc = (await findByUrl(this.store(), url)) ?? (await this.scrapeNow(ctx, url, false)).doc;
				}
				const audioFileName = ctx.params.audio_file_name ?? ctx.params.audio_file_path?.split(/[\\/]/).pop() ?? defaultAudioName(doc.content.title);
				const tempoByPosition = new Map<number, number>();
				doc.links.forEach((l, i) => l?.tempo !== undefined && tempoByPosition.set(doc.content.tracks[i]?.position ?? -1, l.tempo));
				const sheet = generateCue(doc.content, {
					audioFileName,
					audioFileNames: ctx.params.audio_file_names,
					format: ctx.params.format,
					includePregap: ctx.params.include_pregap,
					missingTimes: ctx.params.missing_times,
					tempoByPosition
				});
				const cue = await this.cues().insert({
					_id: randomUUID(),
					tracklistId: doc._id,
					tracklistVersion: doc.version,
					format: ctx.params.format,
					audioFileName,
					includePregap: ctx.params.include_pregap,
					missingTimes: ctx.params.missing_times,
					...sheet,
					ownerId: ctx.meta.user?.id,
					createdAt: Date.now()
				});
				ctx.meta.$statusCode = 201;
				return cueView(cue);
			}
		},

		/** GET /cue/:id, or with `download=true` the sheet itself as a .cue file. */
		cueGet: {
			rest: "GET /cue/:id",
			summary: "A CUE sheet, or with download=true the .cue file",
			responses: { 200: { ...ok("The CUE sheet, or the file itself with download=true", CUE, CUE_EXAMPLE), otherMedia: { "application/x-cue": str } } },
			auth: "public",
			params: { id: idParam, download: { type: "boolean", default: false, convert: true } },
			async handler(this: ScraperThis, ctx: GatewayContext<{ id: string; download: boolean }>) {
				const cue = await this.cues().findOne({ _id: ctx.params.id });
				if (!cue) throw notFound("CUE sheet", ctx.params.id);
				if (!ctx.params.download) return cueView(cue);
				const base = cue.audioFileName.replace(/\.[^.]*$/, "").replace(/[^\w. -]+/g, "_") || "set";
				ctx.meta.$responseType = "application/x-cue; charset=utf-8";
				ctx.meta.$responseHeaders = { "Content-Disposition": `attachment; filename="${base}.cue"`, "X-Checksum-SHA256": cue.checksum };
				return cue.text;
			}
		},

		/**
		 * POST /cue/validate: checks cue times against the audio's duration, given as a number or read
		 * from the head of the file (base64). Problems come line by line for a sheet, track by track
		 * for a tracklist.
		 */
		cueValidate: {
			rest: "POST /cue/validate",
			summary: "Check cue times against the audio's duration",
			responses: { 200: ok("Whether the cues fit, and each problem", CUE_VALIDATION, { audio: { format: null, method: "given" }, ok: true, durationMs: 3_600_000, trackCount: 12, problems: [] }) },
			auth: "public",
			params: {
				cue_id: { ...idParam, optional: true },
				cue_text: { type: "string", min: 1, max: 500_000, optional: true },
				tracklist_id: { ...idParam, optional: true },
				duration_seconds: { type: "number", positive: true, max: 7 * 86400, optional: true, convert: true },
				audio_header_base64: { type: "string", min: 4, max: 700_000, optional: true },
				audio_file_size: { type: "number", integer: true, positive: true, optional: true, convert: true }
			},
			async handler(this: ScraperThis, ctx: Context<ValidateParams>) {
				const p = ctx.params;
				if ([p.cue_id, p.cue_text, p.tracklist_id].filter(Boolean).length !== 1) throw crossFieldError("Give exactly one of cue_id, cue_text and tracklist_id", ["cue_id", "cue_text", "tracklist_id"]);
				if ((p.duration_seconds === undefined) === (p.audio_header_base64 === undefined)) {
					throw crossFieldError("Give the audio's duration_seconds or its head as audio_header_base64 (one of them)", ["duration_seconds", "audio_header_base64"]);
				}
				const audio = p.audio_header_base64 !== undefined ? audioDuration(Buffer.from(p.audio_header_base64, "base64"), p.audio_file_size) : undefined;
				const durationMs = audio?.durationMs ?? Math.round((p.duration_seconds ?? 0) * 1000);
				const source = audio ? { format: audio.format, method: audio.method } : { format: null, method: "given" };
				if (p.tracklist_id) return { audio: source, ...validateTracks((await this.tracklistOr404(p.tracklist_id)).content.tracks, durationMs) };
				let text = p.cue_text ?? "";
				if (p.cue_id) {
					const cue = await this.cues().findOne({ _id: p.cue_id });
					if (!cue) throw notFound("CUE sheet", p.cue_id);
					text = cue.text;
				}
				return { audio: source, ...validateSheet(text, durationMs) };
			}
		},

		// --- internal -----------------------------------------------------------------------

		/** The stored tracklist for a URL while it is fresh, for workers deciding whether to fetch. */
		fresh: {
			visibility: "public",
			params: { url: urlParam },
			async handler(this: ScraperThis, ctx: Context<{ url: string }>) {
				const doc = await findByUrl(this.store(), ctx.params.url);
				return doc && this.isFresh(doc) ? { id: doc._id } : null;
			}
		},

		/** Stores what a worker scraped: a new tracklist, a new version, or a refresh of an unchanged one. */
		ingest: {
			visibility: "public",
			params: {
				url: urlParam,
				requestedUrl: { ...urlParam, optional: true },
				page: { type: "object" },
				sourceHash: { type: "string", length: 64 },
				fetchMs: { type: "number", min: 0 },
				item: { type: "object", optional: true, props: itemParams }
			},
			async handler(this: ScraperThis, ctx: Context<ScrapeResult & { item?: { importId: string; index: number } }>) {
				const { doc, outcome } = await this.ingestScrape(ctx.params, Date.now() - ctx.params.fetchMs);
				const item = ctx.params.item;
				if (item && (await settleItem(this.store(), item.importId, item.index, { state: "done", tracklistId: doc._id, outcome: outcome as ImportItemDoc["outcome"] }))) {
					await this.reportProgress(item.importId);
				}
				return { tracklistId: doc._id, outcome };
			}
		},

		itemDone: {
			visibility: "public",
			params: { ...itemParams, tracklistId: idParam, outcome: { type: "enum", values: ["cached"] } },
			async handler(this: ScraperThis, ctx: Context<{ importId: string; index: number; tracklistId: string }>) {
				const { importId, index, tracklistId } = ctx.params;
				if (await settleItem(this.store(), importId, index, { state: "done", tracklistId, outcome: "cached" })) await this.reportProgress(importId);
				return { ok: true };
			}
		},

		itemFailed: {
			visibility: "public",
			params: { ...itemParams, error: { type: "object", props: { type: { type: "string", max: 100 }, message: { type: "string", max: 2000 } } } },
			async handler(this: ScraperThis, ctx: Context<{ importId: string; index: number; error: { type: string; message: string } }>) {
				const { importId, index, error } = ctx.params;
				if (await settleItem(this.store(), importId, index, { state: "failed", error })) await this.reportProgress(importId);
				return { ok: true };
			}
		},

		/** The latest processed tracklists, for the status page. */
		latest: {
			visibility: "public",
			params: { limit: { type: "number", integer: true, min: 1, max: 100, default: 10, convert: true } },
			async handler(this: ScraperThis, ctx: Context<{ limit: number }>) {
				const docs = await this.store().tracklists.find({}, { sort: { scrapedAt: -1 }, limit: ctx.params.limit, projection: { url: 1, "content.title": 1, "content.tracks": 1, scrapedAt: 1 } });
				return docs.map(d => ({ id: d._id, url: d.url, title: d.content.title, trackCount: d.content.tracks.length, scrapedAt: new Date(d.scrapedAt).toISOString() }));
			}
		},

		/** Figures for GET /admin/stats. */
		stats: {
			visibility: "public",
			async handler(this: ScraperThis) {
				const s = this.store();
				const [tracklists, versions, drafts, cues, imports, pendingItems] = await Promise.all([
					s.tracklists.count(),
					s.versions.count(),
					this.drafts().count(),
					this.cues().count(),
					s.imports.count(),
					s.items.count({ state: "pending" })
				]);
				return { tracklists, versions, drafts, cues, imports, pendingItems };
			}
		},

		/** Deletes a user's drafts, CUE sheets and imports, and their name on versions (the user's data deletion). */
		forgetUser: {
			visibility: "public",
			params: { userId: idParam },
			async handler(this: ScraperThis, ctx: Context<{ userId: string }>) {
				const { userId } = ctx.params;
				const s = this.store();
				const owned = await s.imports.find({ ownerId: userId }, { projection: { _id: 1 } });
				for (const imp of owned) await s.items.delete({ importId: imp._id }, { multi: true });
				return {
					drafts: await this.drafts().delete({ userId }, { multi: true }),
					cues: await this.cues().delete({ ownerId: userId }, { multi: true }),
					imports: await s.imports.delete({ ownerId: userId }, { multi: true }),
					versions: await s.versions.update({ userId }, { $unset: { userId: true } }, { multi: true })
				};
			}
		}
	},

	methods: {
		store(this: ScraperThis) {
			return {
				tracklists: this.collection<TracklistDoc>("tracklists"),
				versions: this.collection<VersionDoc>("versions"),
				imports: this.collection<ImportDoc>("imports"),
				items: this.collection<ImportItemDoc>("importItems")
			};
		},
		drafts(this: ScraperThis) {
			return this.collection<DraftDoc>("drafts");
		},
		cues(this: ScraperThis) {
			return this.collection<CueDoc>("cues");
		},
		pages(this: ScraperThis) {
			return this.collection<ListingPageDoc>("pages");
		},

		isFresh(this: ScraperThis, doc: TracklistDoc) {
			return !doc.stale && Date.now() - doc.scrapedAt < this.config.SCRAPER_CACHE_TTL_SEC * 1000;
		},

		async tracklistOr404(this: ScraperThis, id: string) {
			const doc = await this.store().tracklists.findOne({ _id: id });
			if (!doc) throw notFound("Tracklist", id);
			return doc;
		},

		async callerDraft(this: ScraperThis, ctx: GatewayContext<{ id: string }>) {
			const user = requireUser(ctx);
			const doc = await this.tracklistOr404(ctx.params.id);
			const draft = await this.drafts().findOne({ tracklistId: doc._id, userId: user.id });
			if (!draft) throw notFound("Draft of tracklist", doc._id);
			return { user, doc, draft };
		},

		/** Catalog links by ISRC or normalised name; none (not an error) while the catalog is away. */
		async linkCatalog(this: ScraperThis, tracks: TrackEntry[]): Promise<Array<CatalogLink | null>> {
			const links: Array<CatalogLink | null> = tracks.map(() => null);
			if (!actionAvailable(this.broker, "catalog.match")) return links;
			const wanted = tracks.map((t, i) => ({ t, i })).filter(({ t }) => !t.isId && t.artist && t.artist !== "ID");
			for (let from = 0; from < wanted.length; from += MATCH_CHUNK) {
				const chunk = wanted.slice(from, from + MATCH_CHUNK);
				try {
					const found = await this.broker.call<Array<CatalogLink | null>, object>("catalog.match", { items: chunk.map(({ t }) => ({ artist: t.artist, title: t.title })) });
					chunk.forEach(({ i }, k) => (links[i] = found[k] ?? null));
				} catch (err) {
					this.logger.warn(`catalog.match failed; tracks stay unlinked: ${(err as Error).message}`);
				}
			}
			return links;
		},

		async ingestScrape(this: ScraperThis, result: ScrapeResult, startedAt: number) {
			const links = await this.linkCatalog(normaliseContent(result.page).tracks);
			const { doc, outcome } = await saveScrape(this.store(), { url: result.url, requestedUrl: result.requestedUrl, page: result.page, sourceHash: result.sourceHash, links });
			this.broker.metrics?.increment(SCRAPER_METRICS.processed, { outcome });
			await this.broker.emit("tracklist.processed", { tracklistId: doc._id, url: doc.url, trackCount: doc.content.tracks.length, processingTimeMs: Math.max(0, Date.now() - startedAt) });
			return { doc, outcome };
		},

		async scrapeNow(this: ScraperThis, ctx: GatewayContext, url: string, forceRefresh: boolean) {
			if (!forceRefresh) {
				const stored = await findByUrl(this.store(), url);
				if (stored && this.isFresh(stored)) return { doc: stored, cached: true, outcome: "cached" };
			}
			const started = Date.now();
			const result = await ctx.call<ScrapeResult, { url: string }>("scraper-worker.fetchTracklist", { url }, { timeout: SCRAPE_TIMEOUT_MS });
			const { doc, outcome } = await this.ingestScrape(result, started);
			return { doc, cached: false, outcome };
		},

		async assertCorrelationFree(this: ScraperThis, correlationId: string) {
			const taken = (await this.store().imports.findOne({ correlationId })) ?? (await this.store().imports.findOne({ _id: correlationId }));
			if (taken) throw new Errors.MoleculerClientError(`correlation_id ${correlationId} is already in use; poll GET /tracklist/status/${correlationId}`, 409, "CORRELATION_ID_IN_USE", { correlation_id: correlationId });
		},

		async recordSyncScrape(this: ScraperThis, ctx: GatewayContext, correlationId: string, url: string, tracklistId: string, outcome: string) {
			if (!actionAvailable(this.broker, "tasks.create")) return;
			const ownerId = ctx.meta.user?.id;
			const task = await this.broker.call<TaskView, object>("tasks.create", { kind: "tracklist.scrape", total: 1, ...(ownerId ? { ownerId } : {}) });
			await createImport(this.store(), { _id: task.id, kind: "scrape", total: 1, forceRefresh: false, correlationId, createdAt: Date.now(), ...(ownerId ? { ownerId } : {}) }, [url]);
			await settleItem(this.store(), task.id, 0, { state: "done", tracklistId, outcome: outcome as ImportItemDoc["outcome"] });
			await this.finishTask(task.id);
		},

		async startImport(this: ScraperThis, ctx: GatewayContext, kind: ImportDoc["kind"], urls: string[], forceRefresh: boolean, correlationId?: string) {
			if (!serviceAvailable(this.broker, "scheduler")) throw new Errors.MoleculerError("The scheduler is not running, so scrapes cannot be queued; try again later", 503, "SCHEDULER_UNAVAILABLE");
			const ownerId = ctx.meta.user?.id;
			// A repeat of a request whose answer was lost (a timeout) finds the import it made, so it is not made twice.
			const requestKey = ownerId ? ctx.meta.idempotencyKey : undefined;
			if (requestKey) {
				const made = await this.store().imports.findOne({ ownerId, requestKey });
				if (made) return this.broker.call<TaskView, { id: string }>("tasks.get", { id: made._id });
			}
			const task = await this.broker.call<TaskView, object>("tasks.create", { kind: kind === "scrape" ? "tracklist.scrape" : "tracklist.import", total: urls.length, ...(ownerId ? { ownerId } : {}) });
			await createImport(this.store(), { _id: task.id, kind, total: urls.length, forceRefresh, createdAt: Date.now(), ...(ownerId ? { ownerId } : {}), ...(requestKey ? { requestKey } : {}), ...(correlationId ? { correlationId } : {}) }, urls);
			const jobs = urls.map((url, index) => ({ type: SCRAPE_JOB, entity: `${task.id}:${index}`, tier: "high", payload: { url, importId: task.id, index, forceRefresh } }));
			for (let from = 0; from < jobs.length; from += 1000) await this.broker.call("scheduler.enqueue", { jobs: jobs.slice(from, from + 1000) });
			return task;
		},

		/*
		 * Progress reports from several nodes can arrive out of order, and tasks.progress sets the
		 * task running again. So whoever reports progress checks afterwards whether the import has
		 * finished meanwhile, and finishes the task (again) if so: the last write is always a finish.
		 */
		async reportProgress(this: ScraperThis, importId: string) {
			const p = await progressOf(this.store(), importId);
			if (!p) return;
			if (!isFinished(p)) {
				await this.broker.call("tasks.progress", { id: importId, done: p.done + p.failed, total: p.total });
				const after = await progressOf(this.store(), importId);
				if (!after || !isFinished(after)) return;
			}
			await this.finishTask(importId);
		},

		async finishTask(this: ScraperThis, importId: string) {
			const s = this.store();
			const imp = await s.imports.findOne({ _id: importId });
			if (!imp) return;
			const items = await s.items.find({ importId }, { sort: { index: 1 }, limit: 10000 });
			const failed = items.filter(i => i.state === "failed");
			await this.broker.call("tasks.progress", { id: importId, done: items.length, total: imp.total });
			if (imp.kind === "scrape" && failed.length) {
				await this.broker.call("tasks.fail", { id: importId, message: failed[0].error?.message ?? "scrape failed", type: failed[0].error?.type ?? "ERROR" });
				return;
			}
			const result =
				imp.kind === "scrape"
					? { tracklist_id: items[0]?.tracklistId ?? null, url: items[0]?.url, outcome: items[0]?.outcome ?? null }
					: { total: imp.total, done: items.length - failed.length, failed: failed.length, items: items.map(itemView) };
			await this.broker.call("tasks.finish", { id: importId, result });
		},

		async readListing(this: ScraperThis, url: string): Promise<ListingPage> {
			const cached = await this.pages().findOne({ _id: url });
			if (cached && Date.now() - cached.fetchedAt < this.config.SCRAPER_CACHE_TTL_SEC * 1000) return { items: cached.items, ...(cached.next ? { next: cached.next } : {}) };
			const page = await this.broker.call<ListingPage, { url: string }>("scraper-worker.fetchListing", { url }, { timeout: SCRAPE_TIMEOUT_MS });
			await this.pages().upsert({ _id: url }, { $set: { items: page.items, next: page.next ?? null, fetchedAt: Date.now() } });
			return page;
		},

		listing(this: ScraperThis, first: string, params: ListingParams) {
			return collectListing(first, { ...params, maxPages: this.config.SCRAPER_SEARCH_MAX_PAGES }, url => this.readListing(url));
		},

		async clearCaches(this: ScraperThis) {
			const pages = await this.pages().delete({}, { multi: true });
			const tracklists = await this.store().tracklists.update({}, { $set: { stale: true } }, { multi: true });
			this.broker.broadcast("scraper.cache.cleared", {});
			return { pages, tracklists };
		}
	},

	created(this: ScraperThis) {
		this.config = configFor(this.broker);
		registerScraperMetrics(this.broker);
	}
};

export default ScraperService;
