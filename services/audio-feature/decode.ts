/**
 * MP3 to mono PCM with mpg123-decoder (WebAssembly, no native code). Loaded only inside analysis
 * worker threads (and the benchmark): the package is ESM-only, which Node 24 can require but Jest
 * cannot.
 *
 * The input is fed in slices and decoding stops once `maxSeconds` of audio are out, so a long file
 * that slipped under the byte cap (a low bitrate) cannot fill the worker's memory.
 */
import { MPEGDecoder } from "mpg123-decoder";
import { AnalysisFailure } from "./types";

const SLICE = 64 * 1024;

export interface DecodedAudio {
	pcm: Float32Array;
	sampleRate: number;
	/** Frames mpg123 could not decode. */
	errors: number;
}

let shared: MPEGDecoder | undefined;

/*
 * mpg123-decoder prints every bad frame with console.error. They are counted from its result
 * instead; a corrupt preview would otherwise write hundreds of lines to the node's log.
 */
const consoleError = console.error.bind(console);
console.error = (...args: unknown[]) => {
	if (typeof args[0] === "string" && args[0].startsWith("mpg123-decoder:")) return;
	consoleError(...args);
};

async function decoder(): Promise<MPEGDecoder> {
	if (!shared) {
		const d = new MPEGDecoder();
		await d.ready;
		shared = d;
	}
	return shared;
}

/** Frees the decoder after a failure; the next call builds a fresh one. */
function discard(): void {
	try {
		shared?.free();
	} catch {
		// Already unusable.
	}
	shared = undefined;
}

export async function decodeMp3(bytes: Uint8Array, maxSeconds: number): Promise<DecodedAudio> {
	const d = await decoder();
	const chunks: Float32Array[] = [];
	let samples = 0;
	let sampleRate = 0;
	let errors = 0;
	try {
		for (let offset = 0; offset < bytes.length; offset += SLICE) {
			const out = d.decode(bytes.subarray(offset, offset + SLICE));
			errors += out.errors.length;
			if (out.samplesDecoded > 0) {
				sampleRate = out.sampleRate;
				const [left, right] = out.channelData;
				const mono = new Float32Array(out.samplesDecoded);
				for (let i = 0; i < mono.length; i++) mono[i] = right ? (left[i] + right[i]) / 2 : left[i];
				chunks.push(mono);
				samples += mono.length;
				if (samples >= maxSeconds * sampleRate) break;
			}
		}
		await d.reset();
	} catch (err) {
		discard();
		throw new AnalysisFailure("corrupt", `the MP3 could not be decoded (${(err as Error).message})`);
	}
	if (samples === 0) throw new AnalysisFailure("corrupt", `no audio could be decoded from ${bytes.length} bytes (${errors} bad frames)`);
	const frames = samples / 1152;
	if (errors > 10 && errors > frames * 0.1) {
		throw new AnalysisFailure("corrupt", `the MP3 is corrupt: ${errors} of about ${Math.round(frames + errors)} frames could not be decoded`);
	}
	const pcm = new Float32Array(Math.min(samples, Math.floor(maxSeconds * sampleRate)));
	let at = 0;
	for (const c of chunks) {
		if (at >= pcm.length) break;
		pcm.set(c.subarray(0, pcm.length - at), at);
		at += c.length;
	}
	return { pcm, sampleRate, errors };
}
