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

export interface CueOptions {
	audioFileName: string;
	format: CueFormat;
	/** When the first track starts after 0, mark the lead-in as its pregap (INDEX 00) instead of folding it into track 1. */
	includePregap: boolean;
	/** Tempo per track position, for the traktor format's REM BPM lines. */
	tempoByPosition?: Map<number, number>;
}

export interface CueSheet {
	text: string;
	checksum: string;
	size: number;
	trackCount: number;
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
	return t.remix ? `${t.title} (${t.remix})` : t.title;
}

function trackLine(t: TrackEntry): string {
	return `${t.artist} - ${trackTitle(t)}`;
}

interface CueTrack {
	main: TrackEntry;
	with: TrackEntry[];
	startMs: number;
}

/** The sheet's tracks: w/ rows folded into their partner, cue times checked. */
function cueTracks(content: TracklistContent): CueTrack[] {
	const out: CueTrack[] = [];
	for (const t of content.tracks) {
		const last = out[out.length - 1];
		if (t.playedWith && last) last.with.push(t);
		else out.push({ main: t, with: [], startMs: t.cueMs ?? (out.length === 0 ? 0 : NaN) });
	}
	if (out.length > MAX_CUE_TRACKS) {
		throw new CueError(
			`This tracklist has ${out.length} tracks; a CUE sheet holds at most ${MAX_CUE_TRACKS}. Edit a draft to merge or drop tracks, then generate again.`,
			"CUE_TOO_MANY_TRACKS",
			{ tracks: out.length, max: MAX_CUE_TRACKS }
		);
	}
	const missing = out.filter(t => Number.isNaN(t.startMs)).map(t => t.main.number);
	if (missing.length) {
		throw new CueError(`Tracks ${missing.join(", ")} have no cue time; add them in a draft first.`, "CUE_MISSING_TIMES", { tracks: missing });
	}
	for (let i = 1; i < out.length; i++) {
		if (out[i].startMs <= out[i - 1].startMs) {
			throw new CueError(
				`Track ${out[i].main.number} starts at ${cueTime(out[i].startMs)}, not after track ${out[i - 1].main.number} (${cueTime(out[i - 1].startMs)}).`,
				"CUE_TIMES_NOT_RISING",
				{ track: out[i].main.number }
			);
		}
	}
	return out;
}

function performerOf(content: TracklistContent): string {
	return content.djs.map(d => d.name).join(" & ");
}

export function generateCue(content: TracklistContent, opts: CueOptions): CueSheet {
	const tracks = cueTracks(content);
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
	const fileName = cueString(opts.audioFileName.split(/[\\/]/).pop() ?? "", f, 255) || "set.mp3";
	lines.push(`FILE "${fileName}" ${fileType(fileName)}`);
	tracks.forEach((t, i) => {
		const n = String(i + 1).padStart(2, "0");
		lines.push(`  TRACK ${n} AUDIO`);
		const title = f === "cdj" && t.with.length ? `${trackTitle(t.main)} w/ ${t.with.map(trackLine).join(" w/ ")}` : trackTitle(t.main);
		lines.push(`    TITLE ${q(title)}`);
		lines.push(`    PERFORMER ${q(t.main.artist)}`);
		if (f !== "cdj") for (const w of t.with) lines.push(`    REM WITH ${q(trackLine(w))}`);
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
	const text = lines.join(EOL) + EOL;
	const bytes = Buffer.from(text, "utf8");
	return { text, checksum: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, trackCount: tracks.length };
}
