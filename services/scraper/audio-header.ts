/**
 * The duration of an audio file from its first bytes, without decoding it: WAV (fmt and data
 * chunks), AIFF (COMM chunk), FLAC (STREAMINFO) and MP3 (Xing/Info or VBRI frame count, else the
 * constant bit rate and the file's size). A client uploads the head of its recording, not the
 * whole hour.
 */
import { Errors } from "moleculer";

export interface AudioDuration {
	durationMs: number;
	format: "wav" | "aiff" | "flac" | "mp3";
	/** How the duration was found: "header" when the file states it, "bitrate" when estimated from CBR and the file size. */
	method: "header" | "bitrate";
}

export class AudioHeaderError extends Errors.MoleculerClientError {
	constructor(message: string) {
		super(message, 422, "AUDIO_HEADER", {});
	}
}

const ms = (seconds: number) => Math.round(seconds * 1000);

function wav(buf: Buffer, fileSize?: number): AudioDuration {
	let byteRate = 0;
	for (let off = 12; off + 8 <= buf.length; ) {
		const id = buf.toString("latin1", off, off + 4);
		const size = buf.readUInt32LE(off + 4);
		if (id === "fmt " && off + 20 <= buf.length) byteRate = buf.readUInt32LE(off + 16);
		if (id === "data") {
			if (!byteRate) break;
			// Streaming writers leave the size at 0 or 0xFFFFFFFF; the file's size tells then.
			const dataBytes = size > 0 && size < 0xffffffff ? size : fileSize !== undefined ? fileSize - (off + 8) : 0;
			if (dataBytes <= 0) break;
			return { durationMs: ms(dataBytes / byteRate), format: "wav", method: "header" };
		}
		off += 8 + size + (size % 2);
	}
	throw new AudioHeaderError("The WAV header has no fmt and data chunks in the bytes sent; send more of the file's head");
}

/** The 80-bit IEEE extended float AIFF stores its sample rate in. */
function extended80(buf: Buffer, off: number): number {
	const exponent = buf.readUInt16BE(off) & 0x7fff;
	const mantissa = buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6);
	return mantissa * 2 ** (exponent - 16383 - 63);
}

function aiff(buf: Buffer): AudioDuration {
	for (let off = 12; off + 8 <= buf.length; ) {
		const id = buf.toString("latin1", off, off + 4);
		const size = buf.readUInt32BE(off + 4);
		if (id === "COMM" && off + 26 <= buf.length) {
			const frames = buf.readUInt32BE(off + 10);
			const rate = extended80(buf, off + 16);
			if (rate > 0) return { durationMs: ms(frames / rate), format: "aiff", method: "header" };
		}
		off += 8 + size + (size % 2);
	}
	throw new AudioHeaderError("The AIFF header has no COMM chunk in the bytes sent");
}

function flac(buf: Buffer): AudioDuration {
	// STREAMINFO is always the first metadata block: 4 bytes of block header, then 34 bytes.
	if (buf.length < 8 + 34 || (buf[4] & 0x7f) !== 0) throw new AudioHeaderError("The FLAC header has no STREAMINFO block");
	const s = 8;
	const rate = (buf[s + 10] << 12) | (buf[s + 11] << 4) | (buf[s + 12] >> 4);
	const total = (buf[s + 13] & 0x0f) * 2 ** 32 + buf.readUInt32BE(s + 14);
	if (!rate || !total) throw new AudioHeaderError("The FLAC STREAMINFO does not state the number of samples");
	return { durationMs: ms(total / rate), format: "flac", method: "header" };
}

const MP3_BITRATES: Record<string, number[]> = {
	"1-1": [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
	"1-2": [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
	"1-3": [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
	"2-1": [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
	"2-2": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
	"2-3": [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
};
const MP3_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

interface FrameHeader {
	offset: number;
	version: 1 | 2;
	layer: 1 | 2 | 3;
	kbps: number;
	sampleRate: number;
	samplesPerFrame: number;
	mono: boolean;
}

function frameAt(buf: Buffer, off: number): FrameHeader | undefined {
	if (off + 4 > buf.length || buf[off] !== 0xff || (buf[off + 1] & 0xe0) !== 0xe0) return undefined;
	const versionBits = (buf[off + 1] >> 3) & 3;
	const layerBits = (buf[off + 1] >> 1) & 3;
	const bitrateIndex = buf[off + 2] >> 4;
	const rateIndex = (buf[off + 2] >> 2) & 3;
	if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
	const version = versionBits === 3 ? 1 : 2;
	const layer = (4 - layerBits) as 1 | 2 | 3;
	const samplesPerFrame = layer === 1 ? 384 : layer === 2 || version === 1 ? 1152 : 576;
	return {
		offset: off,
		version,
		layer,
		kbps: MP3_BITRATES[`${version}-${layer}`][bitrateIndex],
		sampleRate: MP3_RATES[versionBits][rateIndex],
		samplesPerFrame,
		mono: buf[off + 3] >> 6 === 3
	};
}

function mp3(buf: Buffer, fileSize?: number): AudioDuration {
	let start = 0;
	if (buf.toString("latin1", 0, 3) === "ID3" && buf.length >= 10) {
		const size = ((buf[6] & 0x7f) << 21) | ((buf[7] & 0x7f) << 14) | ((buf[8] & 0x7f) << 7) | (buf[9] & 0x7f);
		start = 10 + size + (buf[5] & 0x10 ? 10 : 0);
	}
	let frame: FrameHeader | undefined;
	for (let off = start; off + 4 <= buf.length && off < start + 64 * 1024 && !frame; off++) frame = frameAt(buf, off);
	if (!frame) throw new AudioHeaderError("No MPEG audio frame in the bytes sent (the ID3 tag may be larger: send more of the file's head)");
	const sideInfo = frame.version === 1 ? (frame.mono ? 17 : 32) : frame.mono ? 9 : 17;
	const xing = frame.offset + 4 + sideInfo;
	const tag = buf.toString("latin1", xing, xing + 4);
	if ((tag === "Xing" || tag === "Info") && xing + 12 <= buf.length && buf.readUInt32BE(xing + 4) & 1) {
		const frames = buf.readUInt32BE(xing + 8);
		return { durationMs: ms((frames * frame.samplesPerFrame) / frame.sampleRate), format: "mp3", method: "header" };
	}
	const vbri = frame.offset + 36;
	if (buf.toString("latin1", vbri, vbri + 4) === "VBRI" && vbri + 18 <= buf.length) {
		const frames = buf.readUInt32BE(vbri + 14);
		return { durationMs: ms((frames * frame.samplesPerFrame) / frame.sampleRate), format: "mp3", method: "header" };
	}
	if (fileSize === undefined) throw new AudioHeaderError("This MP3 has no Xing/Info or VBRI header; send audio_file_size so the duration can be computed from its bit rate");
	return { durationMs: ms(((fileSize - frame.offset) * 8) / (frame.kbps * 1000)), format: "mp3", method: "bitrate" };
}

/** The duration the head of an audio file states; `fileSize` (bytes) helps CBR MP3s and streamed WAVs. */
export function audioDuration(head: Buffer, fileSize?: number): AudioDuration {
	let found: AudioDuration | undefined;
	try {
		const magic = head.toString("latin1", 0, 4);
		if (magic === "RIFF" && head.toString("latin1", 8, 12) === "WAVE") found = wav(head, fileSize);
		else if (magic === "FORM" && /^AIF[FC]$/.test(head.toString("latin1", 8, 12))) found = aiff(head);
		else if (magic === "fLaC") found = flac(head);
		else if (magic.startsWith("ID3") || frameAt(head, 0)) found = mp3(head, fileSize);
	} catch (err) {
		if (err instanceof AudioHeaderError) throw err;
		// A read past the end of a truncated header.
		throw new AudioHeaderError("The audio header is truncated or malformed; send more of the file's head");
	}
	if (!found) throw new AudioHeaderError("Unknown audio format: send the head of a WAV, AIFF, FLAC or MP3 file");
	if (!Number.isFinite(found.durationMs) || found.durationMs <= 0) throw new AudioHeaderError(`The ${found.format.toUpperCase()} header states no usable duration`);
	return found;
}
