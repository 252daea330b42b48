/** What a tracklist is, as parsed from a page, as stored, and as the API shows it. */
import type { Doc } from "../../mixins/store/types";

/** A DJ, event or venue as the page links it. */
export interface PageLink {
	name: string;
	slug?: string;
	url?: string;
}

/** A source the header links, with the kind the page's source box gives it ("Radio Show", "Festival", "Event Location", …). */
export interface SourceLink extends PageLink {
	kind?: string;
}

/** One song inside a mashup: the page lists them as hidden rows under the mashup's own row. */
export interface MashupPart {
	artists: string[];
	artist: string;
	title: string;
	remix?: string;
	label?: string;
	isId: boolean;
	url?: string;
}

export interface TrackEntry {
	/** Row order on the page, from 1. */
	position: number;
	/** The number the page shows; a `w/` row takes the number of the track it is played with. */
	number: number;
	/** Where the track starts in the set, in ms; null when the page does not say. */
	cueMs: number | null;
	artists: string[];
	/** The artist credit as written ("A & B"). */
	artist: string;
	title: string;
	remix?: string;
	label?: string;
	genre?: string;
	durationMs?: number;
	/** An unidentified track: "ID - ID", or a known artist with title "ID". */
	isId: boolean;
	/** A `w/` row: played together with the track before it. */
	playedWith: boolean;
	/** The site's page of the track. */
	url?: string;
	/** Artists credited after "ft." / "feat.", also in `artists`. */
	featured?: string[];
	/** An edit note the page shows beside the name ("Intro Edit", "Acappella", "ID Remix"). */
	edit?: string;
	/** For a mashup, the songs it is made of. */
	mashupParts?: MashupPart[];
	/** Which recording of the page the cue belongs to (1, 2, …), when the page has more than one. */
	recording?: number;
	/** How often the track was played in tracklists, when the page says. */
	playCount?: number;
	/** The players the row links (YouTube, SoundCloud, Spotify, …). */
	players?: string[];
}

/** The part of a tracklist that versions and drafts hold; its hash decides whether a rescrape changed it. */
export interface TracklistContent {
	title: string;
	djs: PageLink[];
	event?: PageLink;
	venue?: PageLink;
	/** YYYY-MM-DD when the page gives it. */
	date?: string;
	genres: string[];
	tracks: TrackEntry[];
	/** Every source the header links, in order, with its kind where the page gives it. */
	sources?: SourceLink[];
	/** The recordings ("Player 1", "Player 2") the cues refer to, when there is more than one. */
	recordings?: number;
}

/** What the parser makes of one page. */
export interface ParsedTracklist extends TracklistContent {
	/** How many tracks the page's metadata claims, when it says. */
	claimedTracks?: number;
	/** The playlist's author as its metadata names it. */
	author?: string;
	/** The user who posted the tracklist, and when (the page's Article metadata). */
	postedBy?: string;
	postedAt?: string;
	/** The page's "IDed x / N" figure. */
	ided?: { identified: number; total: number };
}

/** A track's link to the catalog, by ISRC or normalised artist and title. */
export interface CatalogLink {
	trackId: string;
	tempo?: number;
	tempoAlt?: number;
	matchedBy: "isrc" | "name";
}

export interface TracklistDoc extends Doc {
	/** Canonical source URL; unique. */
	url: string;
	/** URLs that redirected here. */
	aliases?: string[];
	content: TracklistContent;
	/** One entry per track (same order), null where the catalog has no match. */
	links: Array<CatalogLink | null>;
	version: number;
	contentHash: string;
	/** Hash of the content as last scraped: a rescrape makes a version only when this changes. */
	scrapedContentHash: string;
	/** SHA-256 of the page's HTML as last fetched. */
	sourceHash: string;
	claimedTracks?: number;
	author?: string;
	postedBy?: string;
	postedAt?: string;
	ided?: { identified: number; total: number };
	scrapedAt: number;
	createdAt: number;
	updatedAt: number;
	/** Set by a cache clear: the next request fetches the page again. */
	stale?: boolean;
}

export type VersionSource = "scrape" | "draft" | "restore";

export interface VersionDoc extends Doc {
	tracklistId: string;
	version: number;
	content: TracklistContent;
	contentHash: string;
	source: VersionSource;
	/** The user who published or restored it; absent for scrapes. */
	userId?: string;
	/** For restores, the version brought back. */
	restoredFrom?: number;
	createdAt: number;
}

export interface DraftDoc extends Doc {
	tracklistId: string;
	userId: string;
	/** The version the draft started from, to tell the user when the tracklist moved on. */
	baseVersion: number;
	content: TracklistContent;
	createdAt: number;
	updatedAt: number;
}

export type CueFormat = "standard" | "cdj" | "traktor";

export interface CueDoc extends Doc {
	tracklistId: string;
	tracklistVersion: number;
	format: CueFormat;
	audioFileName: string;
	includePregap: boolean;
	text: string;
	/** SHA-256 of the sheet's bytes (UTF-8), hex. */
	checksum: string;
	/** Bytes of the sheet, UTF-8. */
	size: number;
	trackCount: number;
	/** One FILE per recording. */
	files?: string[];
	/** Sheet track numbers whose INDEX was estimated. */
	estimated?: number[];
	missingTimes?: "estimate" | "refuse";
	ownerId?: string;
	createdAt: number;
}

/** A scrape request or batch import: the task it reports to and its URLs. */
export interface ImportDoc extends Doc {
	/** The task id (tasks service). */
	kind: "scrape" | "import";
	ownerId?: string;
	/** The client's Idempotency-Key of the request that made it: a repeat of that request finds it. */
	requestKey?: string;
	total: number;
	forceRefresh: boolean;
	/** The client's own id for the request (seed systems send `correlation_id`); status answers to it too. */
	correlationId?: string;
	createdAt: number;
}

export type ImportItemState = "pending" | "done" | "failed";

export interface ImportItemDoc extends Doc {
	importId: string;
	index: number;
	url: string;
	state: ImportItemState;
	tracklistId?: string;
	/** Whether the scrape made a new version, reused the cache, or found the content unchanged. */
	outcome?: "created" | "updated" | "unchanged" | "cached";
	error?: { type: string; message: string };
	updatedAt: number;
}

/** A listing (search, DJ or event page) entry. */
export interface ListingItem {
	title: string;
	url: string;
	date?: string;
	trackCount?: number;
	djs?: string[];
}

export interface ListingPage {
	items: ListingItem[];
	/** The site's next page, when there is one. */
	next?: string;
}
