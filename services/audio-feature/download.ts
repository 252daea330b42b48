/**
 * Downloads one preview with a size cap and a time cap. The cap is checked against the announced
 * Content-Length before reading and against the bytes actually read while reading, so a server
 * that lies about (or omits) the length cannot make the node buffer more than the cap.
 *
 * Everything that can go wrong becomes an AnalysisFailure with a reason, except a 429, which is a
 * RateLimitedError: the caller pauses the host and the scheduler retries the job later.
 */
import { RateLimitedError } from "../../mixins/upstream/errors";
import { parseRetryAfter } from "../../mixins/upstream/http";
import { AnalysisFailure } from "./types";

export interface DownloadOptions {
	maxBytes: number;
	timeoutMs: number;
	userAgent?: string;
}

const NOT_AUDIO = /^(text\/|application\/(json|xml|xhtml))/i;

function describe(err: unknown): string {
	const e = err as { name?: string; message?: string; cause?: { message?: string } };
	return [e.message ?? String(err), e.cause?.message].filter(Boolean).join(": ");
}

export async function downloadPreview(url: string, opts: DownloadOptions): Promise<Uint8Array> {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new AnalysisFailure("http", `not a URL: ${url.slice(0, 200)}`);
	}
	if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new AnalysisFailure("http", `unsupported URL scheme ${parsed.protocol}`);

	const signal = AbortSignal.timeout(opts.timeoutMs);
	let res: Response;
	try {
		res = await fetch(parsed, { signal, headers: { accept: "audio/mpeg, audio/*;q=0.9, */*;q=0.1", ...(opts.userAgent ? { "user-agent": opts.userAgent } : {}) } });
	} catch (err) {
		throw new AnalysisFailure("download", signal.aborted ? `no answer within ${opts.timeoutMs} ms` : `network error (${describe(err)})`);
	}
	const drop = () => res.body?.cancel().catch(() => undefined);
	if (res.status === 429) {
		void drop();
		throw new RateLimitedError("HTTP 429", { provider: "preview", endpoint: parsed.host, status: 429, retryAfterMs: parseRetryAfter(res.headers.get("retry-after")) });
	}
	if (res.status === 404 || res.status === 410) {
		void drop();
		throw new AnalysisFailure("not-found", `HTTP ${res.status}: the preview is gone`);
	}
	if (res.status >= 500 || res.status === 408) {
		void drop();
		throw new AnalysisFailure("download", `HTTP ${res.status}`);
	}
	if (res.status < 200 || res.status >= 300) {
		void drop();
		throw new AnalysisFailure("http", `HTTP ${res.status}`);
	}
	const announced = Number(res.headers.get("content-length"));
	if (Number.isFinite(announced) && announced > opts.maxBytes) {
		void drop();
		throw new AnalysisFailure("oversized", `the preview is ${announced} bytes, over the ${opts.maxBytes}-byte cap`);
	}
	const type = res.headers.get("content-type") ?? "";
	if (NOT_AUDIO.test(type)) {
		void drop();
		throw new AnalysisFailure("not-mp3", `not an MP3: the server sent ${type.split(";")[0]}`);
	}

	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		const reader = res.body?.getReader();
		if (reader) {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				size += value.byteLength;
				if (size > opts.maxBytes) {
					await reader.cancel().catch(() => undefined);
					throw new AnalysisFailure("oversized", `the preview is over the ${opts.maxBytes}-byte cap`);
				}
				chunks.push(value);
			}
		}
	} catch (err) {
		if (err instanceof AnalysisFailure) throw err;
		throw new AnalysisFailure("download", signal.aborted ? `the download took longer than ${opts.timeoutMs} ms` : `the download broke off after ${size} bytes (${describe(err)})`);
	}
	if (size === 0) throw new AnalysisFailure("empty", "the preview is empty (0 bytes)");
	const out = new Uint8Array(size);
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.byteLength;
	}
	return out;
}
