import * as http from "node:http";

/** A request exactly as it goes on the wire: the path is sent unnormalised, the body as given. */
export interface RawRequest {
	method: string;
	/** Path and query, sent as-is (no URL normalisation, so `..` and bad escapes reach the server). */
	path: string;
	headers?: Record<string, string>;
	body?: string | Buffer;
}

export interface RawResponse {
	status: number;
	headers: http.IncomingHttpHeaders;
	text: string;
	/** The parsed body, or undefined when it is not JSON. */
	json: unknown;
}

/** Sends one request over a fresh connection; node:http leaves the path alone, unlike fetch(). */
export function rawRequest(base: string, req: RawRequest): Promise<RawResponse> {
	const url = new URL(base);
	const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, "utf8");
	const headers: Record<string, string | number> = { ...req.headers };
	if (body) headers["content-length"] = body.length;
	return new Promise((resolve, reject) => {
		const r = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent: false }, res => {
			const chunks: Buffer[] = [];
			res.on("data", (c: Buffer) => chunks.push(c));
			res.on("end", () => {
				const text = Buffer.concat(chunks).toString("utf8");
				let json: unknown;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
			});
			res.on("error", reject);
		});
		r.on("error", reject);
		r.end(body);
	});
}
