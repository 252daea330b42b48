/**
 * Is this an MP3? Checked on the first few kilobytes before a worker spends time on it: servers
 * answer with HTML error pages, JSON and images under an `.mp3` URL and a `200 audio/mpeg` header.
 */
import { audioDuration } from "../scraper/audio-header";
import { AnalysisFailure } from "./types";

/** A name for what the bytes look like instead, for the failure message. */
function lookalike(b: Uint8Array): string {
	const head = Buffer.from(b.subarray(0, 64)).toString("latin1").trimStart().toLowerCase();
	if (head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<")) return "HTML or XML";
	if (head.startsWith("{") || head.startsWith("[")) return "JSON";
	if (head.startsWith("\x89png")) return "a PNG image";
	if (head.startsWith("\xff\xd8\xff")) return "a JPEG image";
	if (head.startsWith("riff")) return "a RIFF/WAV file";
	if (head.startsWith("oggs")) return "an Ogg file";
	if (head.startsWith("flac")) return "a FLAC file";
	if (head.slice(4, 8) === "ftyp") return "an MP4/M4A file";
	if (head.startsWith("%pdf")) return "a PDF";
	return "unknown data";
}

/**
 * Throws `empty` for no bytes and `not-mp3` unless the file opens with an ID3 tag or an MPEG audio
 * frame that states a duration (the scraper's header reader, which also knows WAV, AIFF and FLAC).
 */
export function assertMp3(b: Uint8Array): void {
	if (b.length === 0) throw new AnalysisFailure("empty", "the preview is empty (0 bytes)");
	let format: string | undefined;
	try {
		format = audioDuration(Buffer.from(b.buffer, b.byteOffset, b.byteLength), b.byteLength).format;
	} catch {
		format = undefined;
	}
	if (format !== "mp3") throw new AnalysisFailure("not-mp3", `not an MP3 (${b.length} bytes that look like ${format ? `a ${format.toUpperCase()} file` : lookalike(b)})`);
}
