/**
 * The public JSON of tracklists, versions, drafts and CUE sheets. The scraper's API speaks
 * snake_case, in its requests (`force_refresh`, `tracklist_url`) and its answers (`is_id`,
 * `scraped_at`) alike.
 */
import { bpmCurve, transitions } from "./content";
import type { CatalogLink, CueDoc, DraftDoc, PageLink, TrackEntry, TracklistContent, TracklistDoc, VersionDoc } from "./model";

const iso = (ms: number) => new Date(ms).toISOString();

/** A cue as people read it: "m:ss" under an hour, "h:mm:ss" above. */
export function cueLabel(ms: number | null): string | null {
	if (ms === null) return null;
	const s = Math.floor(ms / 1000);
	const pad = (n: number) => String(n).padStart(2, "0");
	const h = Math.floor(s / 3600);
	return h > 0 ? `${h}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}` : `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}

function linkView(l: PageLink | undefined) {
	return l ? { name: l.name, slug: l.slug ?? null, url: l.url ?? null } : null;
}

function trackView(t: TrackEntry, link: CatalogLink | null | undefined) {
	return {
		position: t.position,
		number: t.number,
		cue_ms: t.cueMs,
		cue: cueLabel(t.cueMs),
		artists: t.artists,
		artist: t.artist,
		title: t.title,
		remix: t.remix ?? null,
		label: t.label ?? null,
		genre: t.genre ?? null,
		duration_ms: t.durationMs ?? null,
		is_id: t.isId,
		played_with: t.playedWith,
		url: t.url ?? null,
		featured: t.featured ?? [],
		edit: t.edit ?? null,
		mashup_parts: (t.mashupParts ?? []).map(p => ({ artists: p.artists, artist: p.artist, title: p.title, remix: p.remix ?? null, label: p.label ?? null, is_id: p.isId, url: p.url ?? null })),
		recording: t.recording ?? null,
		play_count: t.playCount ?? null,
		players: t.players ?? [],
		catalog: link ? { track_id: link.trackId, tempo: link.tempo ?? null, tempo_alt: link.tempoAlt ?? null, matched_by: link.matchedBy } : null
	};
}

export function contentView(c: TracklistContent, links: Array<CatalogLink | null> = []) {
	return {
		title: c.title,
		djs: c.djs.map(linkView),
		event: linkView(c.event),
		venue: linkView(c.venue),
		date: c.date ?? null,
		genres: c.genres,
		sources: (c.sources ?? []).map(s => ({ ...linkView(s), kind: s.kind ?? null })),
		recordings: c.recordings ?? 1,
		track_count: c.tracks.length,
		tracks: c.tracks.map((t, i) => trackView(t, links[i]))
	};
}

export function tracklistView(doc: TracklistDoc, opts: { includeTransitions?: boolean; cached?: boolean } = {}) {
	const curve = bpmCurve(doc.content.tracks, doc.links);
	return {
		id: doc._id,
		url: doc.url,
		...contentView(doc.content, doc.links),
		claimed_tracks: doc.claimedTracks ?? null,
		author: doc.author ?? null,
		posted_by: doc.postedBy ?? null,
		posted_at: doc.postedAt ?? null,
		ided: doc.ided ?? null,
		bpm_curve: curve.map(p => ({ number: p.number, position: p.position, cue_ms: p.cueMs, bpm: p.bpm })),
		...(opts.includeTransitions
			? {
					transitions: transitions(doc.content.tracks, curve).map(t => ({
						from_position: t.fromPosition,
						to_position: t.toPosition,
						kind: t.kind,
						at_ms: t.atMs,
						played_ms: t.playedMs ?? null,
						bpm_from: t.bpmFrom ?? null,
						bpm_to: t.bpmTo ?? null
					}))
				}
			: {}),
		version: doc.version,
		content_hash: doc.contentHash,
		source_hash: doc.sourceHash,
		scraped_at: iso(doc.scrapedAt),
		updated_at: iso(doc.updatedAt),
		...(opts.cached === undefined ? {} : { cached: opts.cached })
	};
}

export function versionSummary(v: VersionDoc, current: number) {
	return {
		version: v.version,
		source: v.source,
		user_id: v.userId ?? null,
		restored_from: v.restoredFrom ?? null,
		content_hash: v.contentHash,
		track_count: v.content.tracks.length,
		created_at: iso(v.createdAt),
		current: v.version === current
	};
}

export function versionView(v: VersionDoc, current: number) {
	return { ...versionSummary(v, current), tracklist_id: v.tracklistId, ...contentView(v.content) };
}

export function draftView(d: DraftDoc, currentVersion: number) {
	return {
		tracklist_id: d.tracklistId,
		user_id: d.userId,
		base_version: d.baseVersion,
		// The tracklist moved on since the draft started; publishing still wins, as the newest version.
		outdated: d.baseVersion < currentVersion,
		...contentView(d.content),
		created_at: iso(d.createdAt),
		updated_at: iso(d.updatedAt)
	};
}

export function cueView(c: CueDoc, withText = true) {
	return {
		id: c._id,
		tracklist_id: c.tracklistId,
		tracklist_version: c.tracklistVersion,
		format: c.format,
		audio_file_name: c.audioFileName,
		include_pregap: c.includePregap,
		track_count: c.trackCount,
		files: c.files ?? [c.audioFileName],
		estimated_tracks: c.estimated ?? [],
		missing_times: c.missingTimes ?? "refuse",
		checksum: c.checksum,
		checksum_algorithm: "sha256",
		size: c.size,
		created_at: iso(c.createdAt),
		...(withText ? { text: c.text } : {})
	};
}
