/**
 * Checks cue times against a recording: they must rise, start at 00:00:00 and fit inside the
 * audio. Works on a CUE sheet's text (problems name the sheet's lines) or on a tracklist's cue
 * times (problems name the tracks).
 */
import { cueTime, FRAMES_PER_SECOND, MAX_CUE_TRACKS } from "./cue";
import type { TrackEntry } from "./model";

export type ProblemCode = "bad_time" | "missing_index" | "track_number" | "not_rising" | "first_not_zero" | "beyond_end" | "too_many_tracks" | "missing_time";

export interface CueProblem {
	/** 1-based line of the CUE sheet, when validating a sheet. */
	line?: number;
	track: number;
	code: ProblemCode;
	severity: "error" | "warning";
	message: string;
}

export interface CueValidation {
	ok: boolean;
	durationMs: number;
	trackCount: number;
	problems: CueProblem[];
}

interface CuePoint {
	line?: number;
	track: number;
	/** null when the track has no time. */
	startMs: number | null;
	/** INDEX 00 (the pregap's start), when the sheet has one. */
	pregapMs?: number;
}

function sheetTimeMs(text: string): number | undefined {
	const t = /^(\d{2,3}):(\d{2}):(\d{2})$/.exec(text);
	if (!t || Number(t[2]) > 59 || Number(t[3]) >= FRAMES_PER_SECOND) return undefined;
	return Math.round(((Number(t[1]) * 60 + Number(t[2])) * FRAMES_PER_SECOND + Number(t[3])) * (1000 / FRAMES_PER_SECOND));
}

/** Reads `TRACK nn` and their first `INDEX 01 mm:ss:ff` from a sheet; syntax problems go to `problems`. */
export function cuePointsOfSheet(text: string, problems: CueProblem[]): CuePoint[] {
	const points: CuePoint[] = [];
	let current: CuePoint | undefined;
	let expected = 1;
	const close = () => {
		if (current && current.startMs === null && !problems.some(p => p.track === current?.track && p.code === "bad_time")) {
			problems.push({ line: current.line, track: current.track, code: "missing_index", severity: "error", message: `Track ${current.track} has no INDEX 01` });
		}
	};
	text.split(/\r?\n/).forEach((raw, i) => {
		const line = i + 1;
		const trackMatch = /^\s*TRACK\s+(\d+)\s+\S+/i.exec(raw);
		if (trackMatch) {
			close();
			const n = Number(trackMatch[1]);
			if (n !== expected) problems.push({ line, track: n, code: "track_number", severity: "error", message: `TRACK ${trackMatch[1]} should be TRACK ${String(expected).padStart(2, "0")}: numbers rise by one from 01` });
			expected = n + 1;
			current = { line, track: n, startMs: null };
			points.push(current);
			return;
		}
		const indexMatch = /^\s*INDEX\s+(\d{2})\s+(\S+)/i.exec(raw);
		if (!indexMatch || !current || !["00", "01"].includes(indexMatch[1])) return;
		const ms = sheetTimeMs(indexMatch[2]);
		if (ms === undefined) {
			problems.push({ line, track: current.track, code: "bad_time", severity: "error", message: `"${indexMatch[2]}" is not mm:ss:ff (seconds 00-59, frames 00-74)` });
		} else if (indexMatch[1] === "00") current.pregapMs ??= ms;
		else if (current.startMs === null) {
			current.line = line;
			current.startMs = ms;
		}
	});
	close();
	return points;
}

/** A tracklist's main tracks (w/ rows share their partner's time) as cue points. */
export function cuePointsOfTracks(tracks: TrackEntry[]): CuePoint[] {
	return tracks.filter(t => !t.playedWith).map(t => ({ track: t.number, startMs: t.cueMs }));
}

function checkPoints(points: CuePoint[], durationMs: number, problems: CueProblem[]): void {
	const at = (p: CuePoint) => (p.line !== undefined ? { line: p.line } : {});
	if (points.length > MAX_CUE_TRACKS) {
		problems.push({ track: points[MAX_CUE_TRACKS].track, ...at(points[MAX_CUE_TRACKS]), code: "too_many_tracks", severity: "error", message: `${points.length} tracks; a CUE sheet holds at most ${MAX_CUE_TRACKS}` });
	}
	let previous: CuePoint | undefined;
	points.forEach((p, i) => {
		if (p.startMs === null) {
			if (p.line === undefined) problems.push({ track: p.track, code: "missing_time", severity: "error", message: `Track ${p.track} has no cue time` });
			return;
		}
		if (i === 0 && Math.min(p.startMs, p.pregapMs ?? Infinity) !== 0) {
			problems.push({ ...at(p), track: p.track, code: "first_not_zero", severity: "warning", message: `The first track starts at ${cueTime(p.startMs)}; players expect 00:00:00` });
		}
		if (previous && previous.startMs !== null && p.startMs <= previous.startMs) {
			problems.push({ ...at(p), track: p.track, code: "not_rising", severity: "error", message: `Track ${p.track} starts at ${cueTime(p.startMs)}, not after track ${previous.track} (${cueTime(previous.startMs)})` });
		}
		if (p.startMs >= durationMs) {
			problems.push({ ...at(p), track: p.track, code: "beyond_end", severity: "error", message: `Track ${p.track} starts at ${cueTime(p.startMs)}, at or after the end of the audio (${cueTime(durationMs)})` });
		}
		previous = p;
	});
}

export function validateSheet(text: string, durationMs: number): CueValidation {
	const problems: CueProblem[] = [];
	const points = cuePointsOfSheet(text, problems);
	checkPoints(points, durationMs, problems);
	return result(points.length, durationMs, problems);
}

export function validateTracks(tracks: TrackEntry[], durationMs: number): CueValidation {
	const problems: CueProblem[] = [];
	const points = cuePointsOfTracks(tracks);
	checkPoints(points, durationMs, problems);
	return result(points.length, durationMs, problems);
}

function result(trackCount: number, durationMs: number, problems: CueProblem[]): CueValidation {
	problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.track - b.track);
	return { ok: !problems.some(p => p.severity === "error"), durationMs, trackCount, problems };
}
