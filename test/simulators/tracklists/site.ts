/**
 * A local 1001tracklists-style site for tests: robots.txt with Disallow rules and a Crawl-delay,
 * generated set pages, the hand-written fixtures, search / DJ / event listings, and the ways such
 * a site fails: challenge and IP-block pages, 5xx, slow answers, redirects (to itself, off-site
 * and to private addresses), oversized and gzip-encoded bodies.
 *
 * Routes (besides generated sets at /tracklist/<id>/<slug>.html):
 *   /robots.txt                      per `robots` option (text, or a status)
 *   /tracklist/fixture/<name>.html   test/fixtures/tracklists/<name>.html
 *   /tracklist/challenge/<x>.html    403 with the Turnstile challenge
 *   /tracklist/ipblock/<x>.html      200 with the IP-block notice
 *   /tracklist/flaky/<n>/<x>.html    503 the first n times, then the full fixture
 *   /tracklist/error/<status>/<x>.html   always that status
 *   /tracklist/slow/<ms>/<x>.html    the full fixture after a delay
 *   /tracklist/gzip/<x>.html         the full fixture, gzip-encoded
 *   /tracklist/huge/<x>.html         a page of several MB
 *   /go?to=<url>                     302 to any URL; /go/<n>/<x>.html: n redirects, then the fixture
 *   /private/...                     disallowed by robots.txt (fetching it is recorded as a violation)
 *   /search/index.html?q=&type=      sets whose DJ, event or a track matches q, paged
 *   /dj/<slug>/index.html, /source/<slug>/index.html  that DJ's or event's sets, paged (?page=)
 */
import * as fs from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { renderListing, renderSetPage, setPath, trackText } from "./pages";
import { generateSets, type SimSet } from "./sets";

export interface SiteOptions {
	seed?: number;
	sets?: number;
	tracksPerSet?: number;
	/** robots.txt body, or a status code to answer /robots.txt with instead. */
	robots?: string | number;
	/** Listing entries per page. */
	pageSize?: number;
	host?: string;
	port?: number;
}

export interface RequestRecord {
	at: number;
	path: string;
	userAgent: string;
}

export interface TracklistSite {
	url: string;
	/** host:port, for SCRAPER_ALLOWED_HOSTS. */
	host: string;
	sets: SimSet[];
	requests: RequestRecord[];
	/** Requests for paths robots.txt disallows. */
	violations(): RequestRecord[];
	count(pathPrefix: string): number;
	setRobots(robots: string | number): void;
	pathOf(set: SimSet): string;
	close(): Promise<void>;
}

export const DEFAULT_ROBOTS = ["User-agent: *", "Disallow: /private/", "Crawl-delay: 0.05", "", "User-agent: badbot", "Disallow: /", ""].join("\n");

/** Fixtures live in test/fixtures/tracklists, whether this runs from ts-jest or from dist/. */
function fixtureDir(): string {
	const candidates = [path.resolve(__dirname, "../../fixtures/tracklists"), path.resolve(__dirname, "../../../../test/fixtures/tracklists")];
	return candidates.find(d => fs.existsSync(d)) ?? candidates[0];
}

export function readFixture(name: string): string {
	return fs.readFileSync(path.join(fixtureDir(), `${name}.html`), "utf8");
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
	res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": String(Buffer.byteLength(body)), ...headers });
	res.end(body);
}

function matches(set: SimSet, type: string, q: string): boolean {
	const needle = q.toLowerCase();
	if (type === "event") return set.event.name.toLowerCase().includes(needle);
	if (type === "track") return set.tracks.some(t => trackText(t).toLowerCase().includes(needle));
	return set.djs.some(d => d.name.toLowerCase().includes(needle));
}

export async function startTracklistSite(opts: SiteOptions = {}): Promise<TracklistSite> {
	const sets = generateSets({ seed: opts.seed ?? 1, sets: opts.sets ?? 12, tracks: opts.tracksPerSet ?? 20 });
	const byId = new Map(sets.map(s => [s.id, s]));
	const pageSize = opts.pageSize ?? 5;
	let robots: string | number = opts.robots ?? DEFAULT_ROBOTS;
	const requests: RequestRecord[] = [];
	const hits = new Map<string, number>();
	const timers = new Set<NodeJS.Timeout>();
	let base = "";

	const listing = (res: ServerResponse, url: URL, found: SimSet[]) => {
		const page = Math.max(1, Number(url.searchParams.get("page") ?? 1) || 1);
		const slice = found.slice((page - 1) * pageSize, page * pageSize);
		let next: string | undefined;
		if (page * pageSize < found.length) {
			const n = new URL(url.href);
			n.searchParams.set("page", String(page + 1));
			next = n.pathname + n.search;
		}
		send(res, 200, renderListing(slice, next));
	};

	const handle = (req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? "/", base);
		const p = url.pathname;
		requests.push({ at: Date.now(), path: p + url.search, userAgent: String(req.headers["user-agent"] ?? "") });
		hits.set(p, (hits.get(p) ?? 0) + 1);
		const full = () => readFixture("full");
		if (p === "/robots.txt") {
			if (typeof robots === "number") return send(res, robots, `status ${robots}`, { "content-type": "text/plain" });
			return send(res, 200, robots, { "content-type": "text/plain; charset=utf-8" });
		}
		let m: RegExpExecArray | null;
		if ((m = /^\/tracklist\/fixture\/([\w-]+)\.html$/.exec(p))) return send(res, 200, readFixture(m[1]));
		if (p.startsWith("/tracklist/challenge/")) return send(res, 403, readFixture("challenge"));
		if (p.startsWith("/tracklist/ipblock/")) return send(res, 200, readFixture("ip-block"));
		if ((m = /^\/tracklist\/flaky\/(\d+)\//.exec(p))) return (hits.get(p) ?? 0) <= Number(m[1]) ? send(res, 503, "busy") : send(res, 200, full());
		if ((m = /^\/tracklist\/error\/(\d{3})\//.exec(p))) return send(res, Number(m[1]), `status ${m[1]}`);
		if ((m = /^\/tracklist\/slow\/(\d+)\//.exec(p))) {
			const timer = setTimeout(() => {
				timers.delete(timer);
				if (!res.destroyed) send(res, 200, full());
			}, Number(m[1]));
			timers.add(timer);
			return;
		}
		if (p.startsWith("/tracklist/gzip/")) return send(res, 200, gzipSync(full()), { "content-encoding": "gzip" });
		if (p.startsWith("/tracklist/huge/")) return send(res, 200, full().replace("</body>", `<!-- ${"x".repeat(6_000_000)} --></body>`));
		if (p === "/go") return send(res, 302, "", { location: url.searchParams.get("to") ?? "/" });
		if ((m = /^\/go\/(\d+)\/(.*)$/.exec(p))) {
			const left = Number(m[1]);
			return send(res, 302, "", { location: left > 1 ? `/go/${left - 1}/${m[2]}` : "/tracklist/fixture/full.html" });
		}
		if ((m = /^\/tracklist\/([^/]+)\/[^/]+\.html$/.exec(p)) && byId.has(m[1])) return send(res, 200, renderSetPage(byId.get(m[1]) as SimSet));
		if (p === "/search/index.html") return listing(res, url, sets.filter(s => matches(s, url.searchParams.get("type") ?? "dj", url.searchParams.get("q") ?? "")));
		if ((m = /^\/dj\/([^/]+)\/index\.html$/.exec(p))) {
			const slug = m[1];
			return listing(res, url, sets.filter(s => s.djs.some(d => d.slug === slug)));
		}
		if ((m = /^\/source\/([^/]+)\/index\.html$/.exec(p))) {
			const slug = m[1];
			return listing(res, url, sets.filter(s => s.event.slug === slug));
		}
		if (p.startsWith("/private/")) return send(res, 200, full());
		send(res, 404, "<html><body><h1>Page not found</h1></body></html>");
	};

	const server = createServer(handle);
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
	});
	const address = server.address() as AddressInfo;
	const host = `${address.address}:${address.port}`;
	base = `http://${host}`;
	return {
		url: base,
		host,
		sets,
		requests,
		violations: () => requests.filter(r => r.path.startsWith("/private/")),
		count: prefix => requests.filter(r => r.path.startsWith(prefix)).length,
		setRobots: value => (robots = value),
		pathOf: setPath,
		close: async () => {
			for (const t of timers) clearTimeout(t);
			server.closeAllConnections();
			await new Promise<void>(resolve => server.close(() => resolve()));
		}
	};
}
