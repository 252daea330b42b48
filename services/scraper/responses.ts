/** JSON Schemas of the scraper's answers (services/scraper/view.ts), snake_case like the API they describe. */
import { bool, dateTime, int, list, nullable, num, obj, ref, str } from "../api/doc/schemas";

const nstr = nullable(str);
const link = nullable(obj({ name: str, slug: nstr, url: nstr }));
const entry = obj(
	{
		position: int,
		number: nullable(int),
		cue_ms: nullable(int),
		cue: nstr,
		artists: list(str),
		artist: str,
		title: str,
		remix: nstr,
		label: nstr,
		is_id: bool,
		url: nstr,
		catalog: nullable(obj({ track_id: str, tempo: nullable(num), tempo_alt: nullable(num), matched_by: str }))
	},
	["number", "artists"]
);
const content = { title: str, djs: list(link), event: link, venue: link, date: nstr, genres: list(str), recordings: int, track_count: int, tracks: list(entry) };

const TRACK_EXAMPLE = { position: 1, number: 1, cue_ms: 0, cue: "00:00", artists: ["Bicep"], artist: "Bicep", title: "Glue", remix: null, label: "Ninja Tune", is_id: false, url: null, catalog: null };
const CONTENT_EXAMPLE = { title: "Bicep @ Printworks 2026-11-28", djs: [{ name: "Bicep", slug: "bicep", url: null }], event: null, venue: null, date: "2026-11-28", genres: ["techno"], recordings: 1, track_count: 1, tracks: [TRACK_EXAMPLE] };

export const TRACKLIST = obj({ id: str, url: str, ...content, scraped_at: dateTime, cached: bool, bpm_curve: list(obj({ number: nullable(int), position: int, cue_ms: nullable(int), bpm: num })) }, ["scraped_at", "cached"]);
export const TRACKLIST_EXAMPLE = { id: "tl_5e1", url: "https://www.1001tracklists.com/tracklist/1ab2/bicep-printworks.html", ...CONTENT_EXAMPLE, bpm_curve: [] };

export const CHANGED_TRACKLIST = { allOf: [obj({ changed: bool }), TRACKLIST] };

const versionSummary = { version: int, source: str, user_id: nstr, restored_from: nullable(int), content_hash: str, track_count: int, created_at: dateTime, current: bool };
export const VERSIONS = obj({ tracklist_id: str, current: int, versions: list(obj(versionSummary)) });
export const VERSION = obj({ ...versionSummary, tracklist_id: str, ...content });
export const DRAFT = obj({ tracklist_id: str, user_id: str, base_version: int, outdated: bool, ...content, created_at: dateTime, updated_at: dateTime });

const VERSION_SUMMARY_EXAMPLE = { version: 1, source: "scrape", user_id: null, restored_from: null, content_hash: "c0ffee", track_count: 1, created_at: "2026-12-06T21:00:00.000Z", current: true };
export const VERSION_EXAMPLE = { ...VERSION_SUMMARY_EXAMPLE, tracklist_id: "tl_5e1", ...CONTENT_EXAMPLE };
export const DRAFT_EXAMPLE = { tracklist_id: "tl_5e1", user_id: "u_9f2c", base_version: 1, outdated: false, ...CONTENT_EXAMPLE, created_at: "2026-12-06T21:00:00.000Z", updated_at: "2026-12-06T21:05:00.000Z" };

export const LISTING = obj({ items: list(obj({ title: str, url: str, date: str, trackCount: int, djs: list(str) }, ["date", "trackCount", "djs"])), page: int, limit: int, has_more: bool, truncated: bool });
export const LISTING_EXAMPLE = { items: [{ title: "Bicep @ Printworks", url: "https://www.1001tracklists.com/tracklist/1ab2/bicep-printworks.html", date: "2026-11-28" }], page: 1, limit: 20, has_more: false, truncated: false };

/** An async scrape or an import: the task, with each URL's state under `import` when read back. */
export const SCRAPE_TASK = { allOf: [ref("Task"), obj({ correlation_id: str }, ["correlation_id"])] };
export const SCRAPE_STATUS = {
	allOf: [
		ref("Task"),
		obj({ correlation_id: str, import: obj({ kind: str, total: int, done: int, failed: int, items: list(obj({ index: int, url: str, state: str, tracklist_id: nstr })) }) })
	]
};

const TASK_EXAMPLE = { id: "9a1e7c2b-4d3f-4e5a-8b6c-1d2e3f4a5b6c", kind: "tracklist.scrape", status: "pending", progress: { done: 0, total: 1 }, createdAt: "2026-12-06T21:00:00.000Z", updatedAt: "2026-12-06T21:00:00.000Z" };
export const SCRAPE_TASK_EXAMPLE = { ...TASK_EXAMPLE, correlation_id: "my-job-17" };
export const SCRAPE_STATUS_EXAMPLE = {
	...TASK_EXAMPLE,
	correlation_id: "my-job-17",
	import: { kind: "scrape", total: 1, done: 0, failed: 0, items: [{ index: 0, url: "https://www.1001tracklists.com/tracklist/1ab2/bicep-printworks.html", state: "queued", tracklist_id: null }] }
};

export const CUE = obj(
	{ id: str, tracklist_id: str, tracklist_version: int, format: str, audio_file_name: str, include_pregap: bool, track_count: int, files: list(str), estimated_tracks: list(int), missing_times: str, checksum: str, checksum_algorithm: str, size: int, created_at: dateTime, text: str },
	["text"]
);
export const CUE_EXAMPLE = {
	id: "cue_3f",
	tracklist_id: "tl_5e1",
	tracklist_version: 1,
	format: "standard",
	audio_file_name: "bicep-printworks.mp3",
	include_pregap: false,
	track_count: 1,
	files: ["bicep-printworks.mp3"],
	estimated_tracks: [],
	missing_times: "estimate",
	checksum: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	checksum_algorithm: "sha256",
	size: 120,
	created_at: "2026-12-06T21:00:00.000Z",
	text: 'PERFORMER "Bicep"\nTITLE "Bicep @ Printworks 2026-11-28"\nFILE "bicep-printworks.mp3" MP3\n  TRACK 01 AUDIO\n    TITLE "Glue"\n    INDEX 01 00:00:00\n'
};

export const CUE_VALIDATION = obj({
	audio: obj({ format: nstr, method: str }),
	ok: bool,
	durationMs: int,
	trackCount: int,
	problems: list(obj({ track: int, line: int, severity: str, message: str }, ["line"]))
});
