/**
 * One guarded HTTP GET: the second SSRF gate. The connection goes only to an address that the
 * host name resolved to *and* that passed the address check, inside the socket's own lookup, so a
 * name that resolves to a public address for the check and a private one for the connection
 * (DNS rebinding) cannot slip through. The body is capped after decompression, so a small
 * gzip bomb cannot exhaust memory. Redirects are returned, not followed: the caller re-checks
 * every target.
 */
import * as dns from "node:dns";
import * as http from "node:http";
import * as https from "node:https";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import * as zlib from "node:zlib";
import { isIpLiteral, isPublicAddress } from "./addresses";
import { TooLargeError, UrlRefusedError } from "./errors";

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface AddressGuard {
	/** Decides whether an address may be connected to; public unicast only by default. */
	addressAllowed: (ip: string) => boolean;
	/** Resolves a host name to every address it has. */
	resolve: Resolver;
}

export interface HttpGetOptions extends AddressGuard {
	headers: Record<string, string>;
	timeoutMs: number;
	maxBytes: number;
}

export interface RawResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/** A timeout, reset or refused connection: worth another try. */
export class TransportError extends Error {
	constructor(message: string, readonly timedOut: boolean) {
		super(message);
		this.name = "TransportError";
	}
}

/** Resolver and socket failures, said without the resolver's words, host names or addresses (clients see this message). */
const NETWORK_FAILURES: Record<string, string> = {
	ENOTFOUND: "the host name does not resolve",
	EAI_AGAIN: "the host name does not resolve",
	ECONNREFUSED: "the connection was refused",
	ECONNRESET: "the connection was reset",
	ETIMEDOUT: "the connection timed out",
	EHOSTUNREACH: "the host is unreachable",
	ENETUNREACH: "the host is unreachable"
};

function networkError(err: NodeJS.ErrnoException): TransportError {
	const what = NETWORK_FAILURES[err.code ?? ""] ?? "the connection failed";
	return Object.assign(new TransportError(`network error (${what})`, false), { cause: err });
}

export const systemResolver: Resolver = hostname => dns.promises.lookup(hostname, { all: true, verbatim: true });

export function defaultGuard(allowPrivate: boolean, resolve: Resolver = systemResolver): AddressGuard {
	return { addressAllowed: allowPrivate ? () => true : isPublicAddress, resolve };
}

/*
 * Every address must pass, not just one: the socket may pick any of them (happy eyeballs), and a
 * name mixing public and private addresses is an attack, not an accident.
 */
function guardedLookup(guard: AddressGuard, url: string): LookupFunction {
	return (hostname, options, callback) => {
		guard
			.resolve(hostname)
			.then(addresses => {
				if (addresses.length === 0) throw new TransportError(`${hostname} has no addresses`, false);
				const bad = addresses.find(a => !guard.addressAllowed(a.address));
				if (bad) throw new UrlRefusedError(url, `${hostname} resolves to ${bad.address}, which is not a public address`);
				const wanted = options.family === 4 || options.family === 6 ? addresses.filter(a => a.family === options.family) : addresses;
				const usable = wanted.length ? wanted : addresses;
				if (options.all) callback(null, usable);
				else callback(null, usable[0].address, usable[0].family);
			})
			.catch((err: Error) => callback(err as NodeJS.ErrnoException, "", 0));
	};
}

function decoded(res: http.IncomingMessage): Readable {
	switch (String(res.headers["content-encoding"] ?? "").trim().toLowerCase()) {
		case "gzip":
		case "x-gzip":
			return res.pipe(zlib.createGunzip());
		case "deflate":
			return res.pipe(zlib.createInflate());
		case "br":
			return res.pipe(zlib.createBrotliDecompress());
		default:
			return res;
	}
}

function charsetOf(contentType: string | undefined): string {
	const m = /charset\s*=\s*"?([\w.-]+)"?/i.exec(contentType ?? "");
	return m ? m[1].toLowerCase() : "utf-8";
}

function decodeText(bytes: Buffer, contentType: string | undefined): string {
	try {
		return new TextDecoder(charsetOf(contentType)).decode(bytes);
	} catch {
		return bytes.toString("utf8");
	}
}

/** GETs `url` once; rejects with UrlRefusedError, TooLargeError or TransportError. */
export function httpGet(url: URL, opts: HttpGetOptions): Promise<RawResponse> {
	const literal = url.hostname.replace(/^\[|\]$/g, "");
	if (isIpLiteral(url.hostname) && !opts.addressAllowed(literal)) {
		return Promise.reject(new UrlRefusedError(url.href, `${literal} is not a public address`));
	}
	const client = url.protocol === "https:" ? https : http;
	return new Promise<RawResponse>((resolve, reject) => {
		let settled = false;
		const done = (err: Error | null, value?: RawResponse) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (err) {
				req.destroy();
				reject(err);
			} else resolve(value as RawResponse);
		};
		const req = client.request(url, { method: "GET", headers: opts.headers, lookup: guardedLookup(opts, url.href) }, res => {
			const status = res.statusCode ?? 0;
			const declared = Number(res.headers["content-length"]);
			if (Number.isFinite(declared) && declared > opts.maxBytes) return done(new TooLargeError(url.href, opts.maxBytes));
			const chunks: Buffer[] = [];
			let size = 0;
			const body = decoded(res);
			body.on("data", (chunk: Buffer) => {
				size += chunk.length;
				if (size > opts.maxBytes) {
					body.destroy();
					res.destroy();
					return done(new TooLargeError(url.href, opts.maxBytes));
				}
				chunks.push(chunk);
			});
			body.on("end", () => done(null, { status, headers: res.headers, body: decodeText(Buffer.concat(chunks), res.headers["content-type"]) }));
			body.on("error", err => done(new TransportError(`reading the body failed (${err.message})`, false)));
			res.on("aborted", () => done(new TransportError("the connection closed mid-body", false)));
		});
		const timer = setTimeout(() => done(new TransportError(`timed out after ${opts.timeoutMs} ms`, true)), opts.timeoutMs);
		req.on("error", err => done(err instanceof UrlRefusedError || err instanceof TransportError ? err : networkError(err)));
		req.end();
	});
}
