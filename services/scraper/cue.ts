/**
 * CUE sheets (CDRWIN format) for a set recorded as one audio file. See REFERENCE.md: INDEX times
 * are mm:ss:ff with 75 frames a second, relative to the FILE, the first track starting at
 * 00:00:00; at most 99 tracks; strings double-quoted with no escape for `"`, so a `"` becomes `'`;
 * TITLE and PERFORMER at most 80 characters.
 *
 * Tracks played together (`w/` rows) share their partner's start, and two TRACKs cannot start at
 * the same time, so they become a `REM WITH` line of the track they join. A set with more than 99
 * other tracks is refused (CUE_TOO_MANY_TRACKS) rather than split: a second sheet would have to
 * point at the same file with times that do not start at 00:00:00, which players reject.
 */
import { createHash } from "node:crypto";
import { CueError } from "./errors";
import type { CueFormat, TrackEntry, TracklistContent } from "./model";

export const FRAMES_PER_SECOND = 75;
export const MAX_CUE_TRACKS = 99;
export const MAX_CUE_STRING = 80;
const EOL = "\r\n";

/** What to do with tracks the page gives no cue time: spread them between the known ones, or refuse the set. */
export type MissingTimes = "estimate" | "refuse";

export interface CueOptions {
	audioFileName: string;
	/** One file name per recording when the page has several ("Player 1", "Player 2"); else derived from `audioFileName`. */
	audioFileNames?: string[];
	format: CueFormat;
	/** When the first track starts after 0, mark the lead-in as its pregap (INDEX 00) instead of folding it into track 1. */
	includePregap: boolean;
	/** "estimate" (the default) or "refuse" (CUE_MISSING_TIMES). */
	missingTimes?: MissingTimes;
	/** Tempo per track position, for the traktor format's REM BPM lines. */
	tempoByPosition?: Map<number, number>;
}

export interface CueSheet {
	text: string;
	checksum: string;
	size: number;
	trackCount: number;
	/** Track numbers (the sheet's) whose INDEX was estimated. */
	estimated: number[];
	/** The FILE names, one per recording. */
	files: string[];
}

/** ms as mm:ss:ff; frames are floored, so 227.5 s is 03:47:37. Minutes go past 99 for long sets. */
export function cueTime(ms: number): string {
	const frames = Math.floor((Math.max(0, ms) * FRAMES_PER_SECOND) / 1000);
	const ff = frames % FRAMES_PER_SECOND;
	const totalSeconds = Math.floor(frames / FRAMES_PER_SECOND);
	const pad = (n: number) => String(n).padStart(2, "0");
	return `${pad(Math.floor(totalSeconds / 60))}:${pad(totalSeconds % 60)}:${pad(ff)}`;
}

/** Plain ASCII for players that show nothing else (the cdj format). */
function ascii(text: string): string {
	return text
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.replace(/[^\x20-\x7e]/g, "");
}

/** A value ready to go between double quotes: no `"`, no control characters, at most `max` characters. */
export function cueString(text: string, format: CueFormat = "standard", max = MAX_CUE_STRING): string {
	// Control characters would end the line or confuse players; they go the way of quotes.
	// eslint-disable-next-line no-control-regex
	let s = text.replace(/"/g, "'").replace(/[\u0000-\u001f\u007f]/g, " ");
	if (format === "cdj") s = ascii(s);
	s = s.replace(/\s+/g, " ").trim();
	return [...s].slice(0, max).join("").trim();
}

/** FILE's type keyword from the audio file's extension. */
export function fileType(fileName: string): "MP3" | "AIFF" | "WAVE" {
	const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
	if (ext === "mp3") return "MP3";
	if (ext === "aif" || ext === "aiff") return "AIFF";
	return "WAVE";
}

function trackTitle(t: TrackEntry): string {
	const version = [t.remix, t.edit].filter(Boolean).map(v => ` (${v})`).join("");
	return `${t.title}${version}`;
}

function trackLine(t: { artist: string; title: string; remix?: string; edit?: string }): string {
	return `${t.artist} - ${trackTitle(t as TrackEntry)}`;
}

/** Without a cue, a track after the last known one is assumed to start this long after the one before (when no duration says otherwise). */
const DEFAULT_GAP_MS = 4 * 60 * 1000;

interface CueTrack {
	main: TrackEntry;
	with: TrackEntry[];
	startMs: number;
	estimated: boolean;
	recording: number;
}

/*
 * Tracks without a cue are spread evenly between the known cues around them; after the last known
 * cue of a recording each one starts when the one before ends (its duration) or, without one, the
 * recording's mean gap between known cues. The sheet says which INDEX lines are estimates.
 */
function estimate(group: CueTrack[]): void {
	const known = group.map((t, i) => ({ t, i })).filter(({ t }) => !Number.isNaN(t.startMs));
	const gaps = known.slice(1).map(({ t, i }, k) => (t.startMs - known[k].t.startMs) / (i - known[k].i));
	const meanGap = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : DEFAULT_GAP_MS;
	for (let k = 0; k < known.length; k++) {
		const from = known[k];
		const to = known[k + 1];
		const end = to ? to.i : group.length;
		for (let i = from.i + 1; i < end; i++) {
			const prev = group[i - 1];
			group[i].startMs = to ? from.t.startMs + ((to.t.startMs - from.t.startMs) * (i - from.i)) / (to.i - from.i) : prev.startMs + (prev.main.durationMs ?? meanGap);
			group[i].startMs = Math.round(group[i].startMs);
			group[i].estimated = true;
		}
	}
}

/** The sheet's tracks: w/ rows folded into their partner, grouped by recording, cue times checked or estimated. */
function cueTracks(content: TracklistContent, missingTimes: MissingTimes): CueTrack[][] {
	const out: CueTrack[] = [];
	for (const t of content.tracks) {
		const last = out[out.length - 1];
		const recording = t.recording ?? last?.recording ?? 1;
		if (t.playedWith && last) last.with.push(t);
		else {
			const first = !last || last.recording !== recording;
			out.push({ main: t, with: [], startMs: t.cueMs ?? (first ? 0 : NaN), estimated: false, recording });
		}
	}
	if (out.length > MAX_CUE_TRACKS) {
		throw new CueError(
			`This tracklist has ${out.length} tracks; a CUE sheet holds at most ${MAX_CUE_TRACKS}. Edit a draft to merge or drop tracks, then generate again.`,
			"CUE_TOO_MANY_TRACKS",
			{ tracks: out.length, max: MAX_CUE_TRACKS }
		);
	}
	const missing = out.filter(t => Number.isNaN(t.startMs)).map(t => t.main.number);
	if (missing.length && missingTimes === "refuse") {
		throw new CueError(`Tracks ${missing.join(", ")} have no cue time; add them in a draft first.`, "CUE_MISSING_TIMES", { tracks: missing });
	}
	const groups: CueTrack[][] = [];
	for (const t of out) {
		const g = groups[groups.length - 1];
		if (g && g[0].recording === t.recording) g.push(t);
		else groups.push([t]);
	}
	for (const g of groups) {
		for (let i = 1, last = g[0].startMs; i < g.length; i++) {
			if (Number.isNaN(g[i].startMs)) continue;
			if (g[i].startMs <= last) {
				throw new CueError(
					`Track ${g[i].main.number} starts at ${cueTime(g[i].startMs)}, not after the track before it (${cueTime(last)}).`,
					"CUE_TIMES_NOT_RISING",
					{ track: g[i].main.number }
				);
			}
			last = g[i].startMs;
		}
		if (missing.length) estimate(g);
	}
	return groups;
}

function performerOf(content: TracklistContent): string {
	return content.djs.map(d => d.name).join(" & ");
}

/** The FILE of each recording: the names given, else "set-1.mp3", "set-2.mp3" from the one name. */
function fileNames(opts: CueOptions, recordings: number, f: CueFormat): string[] {
	const clean = (name: string) => cueString(name.split(/[\\/]/).pop() ?? "", f, 255);
	const base = clean(opts.audioFileName) || "set.mp3";
	return Array.from({ length: recordings }, (_, i) => {
		const given = opts.audioFileNames?.[i] ? clean(opts.audioFileNames[i]) : "";
		if (given) return given;
		if (recordings === 1) return base;
		const m = /^(.*?)(\.[a-z0-9]+)?$/i.exec(base);
		return `${m?.[1] || "set"}-${i + 1}${m?.[2] ?? ""}`;
	});
}

export function generateCue(content: TracklistContent, opts: CueOptions): CueSheet {
	const groups = cueTracks(content, opts.missingTimes ?? "estimate");
	const f = opts.format;
	const q = (s: string) => `"${cueString(s, f)}"`;
	const lines: string[] = [];
	if (f !== "cdj") {
		if (content.genres[0]) lines.push(`REM GENRE ${q(content.genres[0])}`);
		if (content.date) lines.push(`REM DATE ${content.date.slice(0, 4)}`);
	}
	const performer = performerOf(content);
	if (performer) lines.push(`PERFORMER ${q(performer)}`);
	lines.push(`TITLE ${q(content.title)}`);
	const files = fileNames(opts, groups.length, f);
	const estimated: number[] = [];
	let n = 0;
	groups.forEach((group, g) => {
		lines.push(`FILE "${files[g]}" ${fileType(files[g])}`);
		group.forEach((t, i) => {
			n++;
			lines.push(`  TRACK ${String(n).padStart(2, "0")} AUDIO`);
			const title = f === "cdj" && t.with.length ? `${trackTitle(t.main)} w/ ${t.with.map(trackLine).join(" w/ ")}` : trackTitle(t.main);
			lines.push(`    TITLE ${q(title)}`);
			lines.push(`    PERFORMER ${q(t.main.artist)}`);
			if (f !== "cdj") {
				for (const w of t.with) lines.push(`    REM WITH ${q(trackLine(w))}`);
				for (const p of t.main.mashupParts ?? []) lines.push(`    REM MASHUP ${q(trackLine(p))}`);
				if (t.estimated) lines.push("    REM INDEX_ESTIMATED");
			}
			if (t.estimated) estimated.push(n);
			if (f === "traktor") {
				if (t.main.label) lines.push(`    REM LABEL ${q(t.main.label)}`);
				if (t.main.genre) lines.push(`    REM GENRE ${q(t.main.genre)}`);
				const bpm = opts.tempoByPosition?.get(t.main.position);
				if (bpm !== undefined) lines.push(`    REM BPM ${bpm.toFixed(2)}`);
			}
			if (i === 0 && t.startMs > 0 && opts.includePregap) {
				lines.push("    INDEX 00 00:00:00");
				lines.push(`    INDEX 01 ${cueTime(t.startMs)}`);
			} else lines.push(`    INDEX 01 ${i === 0 ? "00:00:00" : cueTime(t.startMs)}`);
		});
	});
	const text = lines.join(EOL) + EOL;
	const bytes = Buffer.from(text, "utf8");
	return { text, checksum: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, trackCount: n, estimated, files };
}
