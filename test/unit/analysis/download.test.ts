import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { downloadPreview } from "../../../services/audio-feature/download";
import { assertMp3 } from "../../../services/audio-feature/sniff";
import { AnalysisFailure, type FailureReason } from "../../../services/audio-feature/types";
import { RateLimitedError } from "../../../mixins/upstream/errors";
import { clipMp3 } from "../../fixtures/audio/testset";
import { SIMULATOR_MP3 } from "../../simulators/previews";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const MP3 = clipMp3({ seed: 5, bpm: 120, pattern: "four-on-the-floor", genre: "house", seconds: 10 }, SIMULATOR_MP3);

describe("preview download", () => {
	let server: http.Server;
	let base = "";
	const routes = new Map<string, Handler>();

	beforeAll(async () => {
		server = http.createServer((req, res) => {
			const handler = routes.get(req.url ?? "");
			if (handler) handler(req, res);
			else res.writeHead(404).end("nope");
		});
		await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		routes.set("/ok.mp3", (_, res) => res.writeHead(200, { "content-type": "audio/mpeg" }).end(MP3));
		routes.set("/gone.mp3", (_, res) => res.writeHead(410).end());
		routes.set("/busy.mp3", (_, res) => res.writeHead(503).end("busy"));
		routes.set("/forbidden.mp3", (_, res) => res.writeHead(403).end("expired"));
		routes.set("/slow-down.mp3", (_, res) => res.writeHead(429, { "retry-after": "7" }).end());
		routes.set("/empty.mp3", (_, res) => res.writeHead(200, { "content-type": "audio/mpeg" }).end());
		routes.set("/html.mp3", (_, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>Denied</html>"));
		routes.set("/big.mp3", (_, res) => res.writeHead(200, { "content-type": "audio/mpeg", "content-length": "5000000" }).end());
		routes.set("/big-chunked.mp3", (_, res) => {
			// No Content-Length: the cap must hold while reading.
			res.writeHead(200, { "content-type": "audio/mpeg" });
			const chunk = Buffer.alloc(64 * 1024, 1);
			let sent = 0;
			const pump = () => {
				while (sent < 40 && res.write(chunk)) sent++;
				if (sent < 40) res.once("drain", pump);
				else res.end();
			};
			pump();
		});
		routes.set("/cut.mp3", (req, res) => {
			res.writeHead(200, { "content-type": "audio/mpeg", "content-length": String(MP3.length) });
			res.write(MP3.subarray(0, 1000));
			setTimeout(() => req.socket.destroy(), 20);
		});
		routes.set("/stall.mp3", () => undefined);
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise(resolve => server.close(resolve));
	});

	const opts = { maxBytes: 1_000_000, timeoutMs: 1000 };

	async function reason(path: string, options = opts): Promise<FailureReason> {
		try {
			await downloadPreview(`${base}${path}`, options);
		} catch (err) {
			if (err instanceof AnalysisFailure) return err.reason;
			throw err;
		}
		throw new Error(`${path} downloaded`);
	}

	it("returns the bytes of a good preview", async () => {
		const bytes = await downloadPreview(`${base}/ok.mp3`, opts);
		expect(Buffer.from(bytes).equals(MP3)).toBe(true);
	});

	it("types each failure by what it means for a retry", async () => {
		expect(await reason("/missing.mp3")).toBe("not-found");
		expect(await reason("/gone.mp3")).toBe("not-found");
		expect(await reason("/busy.mp3")).toBe("download");
		expect(await reason("/forbidden.mp3")).toBe("http");
		expect(await reason("/empty.mp3")).toBe("empty");
		expect(await reason("/html.mp3")).toBe("not-mp3");
		expect(await reason("/big.mp3")).toBe("oversized");
		expect(await reason("/big-chunked.mp3")).toBe("oversized");
		expect(await reason("/cut.mp3")).toBe("download");
		expect(await reason("/stall.mp3", { ...opts, timeoutMs: 200 })).toBe("download");
	});

	it("refuses URLs that are not http(s)", async () => {
		await expect(downloadPreview("file:///etc/passwd", opts)).rejects.toMatchObject({ reason: "http" });
		await expect(downloadPreview("not a url", opts)).rejects.toMatchObject({ reason: "http" });
	});

	it("reports a 429 as a rate limit with the host's Retry-After", async () => {
		const err = await downloadPreview(`${base}/slow-down.mp3`, opts).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(RateLimitedError);
		expect((err as RateLimitedError).retryAfterMs).toBe(7000);
	});
});

describe("MP3 sniffing", () => {
	const fails = (bytes: Uint8Array) => {
		try {
			assertMp3(bytes);
			return undefined;
		} catch (err) {
			return (err as AnalysisFailure).reason;
		}
	};

	it("accepts an MP3 and names what else it got", () => {
		expect(fails(MP3)).toBeUndefined();
		expect(fails(new Uint8Array(0))).toBe("empty");
		expect(fails(Buffer.from("<!DOCTYPE html><html><body>403</body></html>"))).toBe("not-mp3");
		expect(fails(Buffer.from('{"error":"expired"}'))).toBe("not-mp3");
		expect(fails(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]))).toBe("not-mp3");
		expect(() => assertMp3(Buffer.from("<html>"))).toThrow(/HTML/);
	});
});
