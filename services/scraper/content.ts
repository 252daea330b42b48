/**
 * The versioned content of a tracklist: normalised to one shape (so equal content hashes equal),
 * its hash, and what is derived from it with the catalog links: the BPM curve and transitions.
 */
import { createHash } from "node:crypto";
import type { CatalogLink, MashupPart, PageLink, SourceLink, TrackEntry, TracklistContent } from "./model";

function link(l: PageLink | undefined): PageLink | undefined {
	if (!l || !l.name) return undefined;
	return { name: l.name, ...(l.slug ? { slug: l.slug } : {}), ...(l.url ? { url: l.url } : {}) };
}

function track(t: TrackEntry): TrackEntry {
	const out: TrackEntry = {
		position: t.position,
		number: t.number,
		cueMs: t.cueMs ?? null,
		artists: [...t.artists],
		artist: t.artist,
		title: t.title,
		isId: t.isId,
		playedWith: t.playedWith
	};
	if (t.remix) out.remix = t.remix;
	if (t.label) out.label = t.label;
	if (t.genre) out.genre = t.genre;
	if (t.durationMs !== undefined) out.durationMs = t.durationMs;
	if (t.url) out.url = t.url;
	if (t.featured?.length) out.featured = [...t.featured];
	if (t.edit) out.edit = t.edit;
	if (t.mashupParts?.length) out.mashupParts = t.mashupParts.map(mashupPart);
	if (t.recording !== undefined) out.recording = t.recording;
	if (t.playCount !== undefined) out.playCount = t.playCount;
	if (t.players?.length) out.players = [...t.players];
	return out;
}

function mashupPart(p: MashupPart): MashupPart {
	const out: MashupPart = { artists: [...p.artists], artist: p.artist, title: p.title, isId: p.isId };
	if (p.remix) out.remix = p.remix;
	if (p.label) out.label = p.label;
	if (p.url) out.url = p.url;
	return out;
}

function source(s: SourceLink): SourceLink {
	return { ...(link(s) ?? { name: s.name }), ...(s.kind ? { kind: s.kind } : {}) };
}

/** The content with its keys in one order and nothing extra, so that JSON of equal content is equal. */
export function normaliseContent(c: TracklistContent): TracklistContent {
	const out: TracklistContent = { title: c.title, djs: c.djs.map(d => link(d)).filter((d): d is PageLink => d !== undefined), genres: [...c.genres], tracks: c.tracks.map(track) };
	const event = link(c.event);
	const venue = link(c.venue);
	if (event) out.event = event;
	if (venue) out.venue = venue;
	if (c.date) out.date = c.date;
	if (c.sources?.length) out.sources = c.sources.filter(s => s.name).map(source);
	if (c.recordings !== undefined && c.recordings > 1) out.recordings = c.recordings;
	return out;
}

export function contentHash(c: TracklistContent): string {
	return createHash("sha256").update(JSON.stringify(normaliseContent(c))).digest("hex");
}

export function sha256(text: string): string {
	return createHash("sha256").update(text).digest("hex");
}

export interface BpmPoint {
	number: number;
	position: number;
	cueMs: number | null;
	bpm: number;
}

/*
 * The catalog may know a track at half or double time (tempoAlt). A DJ keeps the tempo roughly
 * steady, so of the two readings the curve takes the one nearer the previous point.
 */
export function bpmCurve(tracks: TrackEntry[], links: Array<CatalogLink | null>): BpmPoint[] {
	const points: BpmPoint[] = [];
	tracks.forEach((t, i) => {
		const l = links[i];
		if (!l || l.tempo === undefined || t.playedWith) return;
		const previous = points[points.length - 1]?.bpm;
		let bpm = l.tempo;
		if (previous !== undefined && l.tempoAlt !== undefined && Math.abs(l.tempoAlt - previous) < Math.abs(bpm - previous)) bpm = l.tempoAlt;
		points.push({ number: t.number, position: t.position, cueMs: t.cueMs, bpm: Math.round(bpm * 100) / 100 });
	});
	return points;
}

export interface Transition {
	fromPosition: number;
	toPosition: number;
	/** "mix": the next track takes over; "layer": a w/ row played on top of the previous track. */
	kind: "mix" | "layer";
	atMs: number | null;
	/** How long the outgoing track played, when both cues are known. */
	playedMs?: number;
	bpmFrom?: number;
	bpmTo?: number;
}

/** Each change in the set, in play order, with the tempo on both sides where the curve knows it. */
export function transitions(tracks: TrackEntry[], curve: BpmPoint[]): Transition[] {
	const bpmAt = new Map(curve.map(p => [p.position, p.bpm]));
	const out: Transition[] = [];
	let current: TrackEntry | undefined;
	for (const t of tracks) {
		if (!current) {
			current = t;
			continue;
		}
		const tr: Transition = { fromPosition: current.position, toPosition: t.position, kind: t.playedWith ? "layer" : "mix", atMs: t.cueMs };
		if (!t.playedWith && t.cueMs !== null && current.cueMs !== null) tr.playedMs = t.cueMs - current.cueMs;
		const from = bpmAt.get(current.position);
		const to = bpmAt.get(t.position);
		if (from !== undefined) tr.bpmFrom = from;
		if (to !== undefined) tr.bpmTo = to;
		out.push(tr);
		if (!t.playedWith) current = t;
	}
	return out;
}
