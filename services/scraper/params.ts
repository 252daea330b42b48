/** fastest-validator schemas of the scraper's actions, and the draft input turned into content. */
import { Errors } from "moleculer";
import { normaliseContent } from "./content";
import type { PageLink, TrackEntry, TracklistContent } from "./model";
import { MAX_ROWS } from "./parser";
import { clean, isUnknown, splitArtists } from "./text";

export const idParam = { type: "string", min: 1, max: 100 } as const;
export const urlParam = { type: "string", min: 8, max: 2000 } as const;
const text = (max: number) => ({ type: "string", max, optional: true }) as const;
const date = { type: "string", pattern: /^\d{4}-\d{2}-\d{2}$/, optional: true, nullable: true } as const;

export const listingParams = {
	page: { type: "number", integer: true, min: 1, max: 1000, default: 1, convert: true },
	limit: { type: "number", integer: true, min: 1, max: 100, default: 20, convert: true },
	start_date: date,
	end_date: date
} as const;

const linkInput = { type: "object", strict: "remove", props: { name: { type: "string", min: 1, max: 500 }, slug: text(200), url: text(2000) } } as const;

const trackInput = {
	type: "object",
	strict: "remove",
	props: {
		number: { type: "number", integer: true, min: 0, max: 100000, optional: true },
		cue_ms: { type: "number", integer: true, min: 0, max: 7 * 86400 * 1000, optional: true, nullable: true },
		artist: { type: "string", min: 1, max: 500 },
		artists: { type: "array", items: { type: "string", min: 1, max: 500 }, max: 50, optional: true },
		title: { type: "string", min: 1, max: 500 },
		remix: text(500),
		label: text(500),
		genre: text(500),
		duration_ms: { type: "number", integer: true, min: 0, max: 86400 * 1000, optional: true },
		is_id: { type: "boolean", optional: true },
		played_with: { type: "boolean", optional: true },
		url: text(2000),
		featured: { type: "array", items: { type: "string", min: 1, max: 500 }, max: 50, optional: true },
		edit: text(500),
		recording: { type: "number", integer: true, min: 1, max: 20, optional: true }
	}
} as const;

/** PUT /tracklist/:id/draft: every field optional; the ones sent replace the draft's (tracks as a whole). */
export const draftParams = {
	id: idParam,
	title: { type: "string", min: 1, max: 500, optional: true },
	djs: { type: "array", items: linkInput, max: 50, optional: true },
	event: { ...linkInput, optional: true, nullable: true },
	venue: { ...linkInput, optional: true, nullable: true },
	date,
	genres: { type: "array", items: { type: "string", min: 1, max: 200 }, max: 50, optional: true },
	tracks: { type: "array", items: trackInput, min: 1, max: MAX_ROWS, optional: true }
} as const;

export interface LinkInput {
	name: string;
	slug?: string;
	url?: string;
}

export interface TrackInput {
	number?: number;
	cue_ms?: number | null;
	artist: string;
	artists?: string[];
	title: string;
	remix?: string;
	label?: string;
	genre?: string;
	duration_ms?: number;
	is_id?: boolean;
	played_with?: boolean;
	url?: string;
	featured?: string[];
	edit?: string;
	recording?: number;
}

export interface DraftInput {
	id: string;
	title?: string;
	djs?: LinkInput[];
	event?: LinkInput | null;
	venue?: LinkInput | null;
	date?: string | null;
	genres?: string[];
	tracks?: TrackInput[];
}

function toTracks(input: TrackInput[]): TrackEntry[] {
	const out: TrackEntry[] = [];
	for (const t of input) {
		const prev = out[out.length - 1];
		const playedWith = Boolean(t.played_with) && prev !== undefined;
		const artist = clean(t.artist);
		const title = clean(t.title);
		const track: TrackEntry = {
			position: out.length + 1,
			number: playedWith ? (prev?.number ?? 1) : (t.number ?? (prev?.number ?? 0) + 1),
			cueMs: t.cue_ms ?? (playedWith ? (prev?.cueMs ?? null) : null),
			artists: t.artists?.map(clean).filter(Boolean) ?? (isUnknown(artist) ? [] : splitArtists(artist)),
			artist,
			title,
			isId: t.is_id ?? isUnknown(title),
			playedWith
		};
		if (clean(t.remix)) track.remix = clean(t.remix);
		if (clean(t.label)) track.label = clean(t.label);
		if (clean(t.genre)) track.genre = clean(t.genre);
		if (t.duration_ms !== undefined) track.durationMs = t.duration_ms;
		if (clean(t.url)) track.url = clean(t.url);
		const featured = t.featured?.map(clean).filter(Boolean);
		if (featured?.length) track.featured = featured;
		if (clean(t.edit)) track.edit = clean(t.edit);
		// A w/ row is in its partner's recording.
		const recording = playedWith ? prev?.recording : t.recording;
		if (recording !== undefined) track.recording = recording;
		out.push(track);
	}
	return out;
}

function toLink(l: LinkInput | null | undefined): PageLink | undefined {
	return l ? { name: clean(l.name), ...(l.slug ? { slug: clean(l.slug) } : {}), ...(l.url ? { url: clean(l.url) } : {}) } : undefined;
}

/** The draft's content after an edit: fields sent replace the old ones, `null` removes one. */
export function applyDraftEdit(base: TracklistContent, edit: DraftInput): TracklistContent {
	const next: TracklistContent = { ...base };
	if (edit.title !== undefined) next.title = clean(edit.title);
	if (edit.djs !== undefined) next.djs = edit.djs.map(d => toLink(d)).filter((d): d is PageLink => d !== undefined);
	if (edit.event !== undefined) next.event = toLink(edit.event);
	if (edit.venue !== undefined) next.venue = toLink(edit.venue);
	if (edit.date !== undefined) next.date = edit.date ?? undefined;
	if (edit.genres !== undefined) next.genres = edit.genres.map(clean).filter(Boolean);
	if (edit.tracks !== undefined) {
		next.tracks = toTracks(edit.tracks);
		const recordings = new Set(next.tracks.map(t => t.recording ?? 1)).size;
		next.recordings = recordings > 1 ? recordings : undefined;
	}
	if (!next.title) throw new Errors.MoleculerClientError("A tracklist needs a title", 422, "VALIDATION_ERROR");
	return normaliseContent(next);
}
