import type { Limiter, LimiterStatus } from "../../../mixins/rate-limit/types";
import { isIpLiteral, isPublicAddress } from "../../../services/scraper/addresses";
import {
	BlockedError,
	FetchFailedError,
	PageNotFoundError,
	RobotsDisallowedError,
	RobotsUnavailableError,
	SiteRateLimitedError,
	TooLargeError,
	UrlRefusedError
} from "../../../services/scraper/errors";
import { PageFetcher, type FetcherOptions } from "../../../services/scraper/fetcher";
import { defaultGuard, type AddressGuard, type Resolver } from "../../../services/scraper/http";
import { parseTracklistPage } from "../../../services/scraper/parser";
import { startTracklistSite, type TracklistSite } from "../../simulators/tracklists";

const UA = "cratedigger/0.1 (+https://example.invalid/cratedigger)";

interface FakeLimiters {
	limiterFor(host: string, delay?: number): Limiter;
	delays: Array<[string, number | undefined]>;
	rateLimited: number[];
}

/** Limiters that run at once and record how they were set up: pacing has its own tests. */
function fakeLimiters(): FakeLimiters {
	const out: FakeLimiters = {
		delays: [],
		rateLimited: [],
		limiterFor(host, delay) {
			out.delays.push([host, delay]);
			return {
				name: `host:${host}`,
				schedule: fn => fn(),
				pauseUntil: async () => undefined,
				rateLimited: async ms => void out.rateLimited.push(ms),
				status: async () => ({}) as LimiterStatus
			};
		}
	};
	return out;
}

function fetcher(site: TracklistSite, overrides: Partial<FetcherOptions> = {}, limiters = fakeLimiters()): PageFetcher {
	return new PageFetcher({
		policy: { allowedHosts: [site.host], allowPrivate: true },
		guard: defaultGuard(true),
		userAgent: UA,
		timeoutMs: 2000,
		maxBytes: 2_000_000,
		maxRedirects: 5,
		retries: 2,
		retryBaseMs: 1,
		robotsTtlMs: 60_000,
		robotsErrorTtlMs: 60_000,
		limiterFor: limiters.limiterFor,
		sleep: async () => undefined,
		...overrides
	});
}

async function failure(p: Promise<unknown>): Promise<Error> {
	try {
		await p;
	} catch (err) {
		return err as Error;
	}
	throw new Error("expected a failure");
}

describe("the page fetcher against the tracklist-site simulator", () => {
	let site: TracklistSite;
	beforeEach(async () => {
		site = await startTracklistSite();
	});
	afterEach(() => site.close());

	const at = (path: string) => new URL(site.url + path);

	it("fetches a page with the configured User-Agent, reading robots.txt once per host and pacing by its Crawl-delay", async () => {
		const limiters = fakeLimiters();
		const f = fetcher(site, {}, limiters);
		const page = await f.fetch(at("/tracklist/fixture/full.html"));
		expect(parseTracklistPage(page.body, page.url).tracks).toHaveLength(9);
		await f.fetch(at(site.pathOf(site.sets[0])));
		await f.fetch(at(site.pathOf(site.sets[1])));
		expect(site.count("/robots.txt")).toBe(1);
		expect(site.requests.every(r => r.userAgent === UA)).toBe(true);
		expect(limiters.delays.filter(([, d]) => d === 0.05).length).toBe(3);
		expect(limiters.delays.every(([h]) => h === site.host)).toBe(true);
	});

	it("honours Disallow rules for its product token, without requesting the page", async () => {
		const err = await failure(fetcher(site).fetch(at("/private/set.html")));
		expect(err).toBeInstanceOf(RobotsDisallowedError);
		expect(site.violations()).toEqual([]);
		const bad = await failure(fetcher(site, { userAgent: "badbot/2.0" }).fetch(at("/tracklist/fixture/full.html")));
		expect(bad).toBeInstanceOf(RobotsDisallowedError);
		expect(site.count("/tracklist/")).toBe(0);
	});

	it("treats a robots.txt 4xx as allowing everything", async () => {
		site.setRobots(404);
		const page = await fetcher(site).fetch(at("/private/anything.html"));
		expect(page.status).toBe(200);
	});

	it("treats a robots.txt 5xx as disallowing everything for now, and does not ask again until the error expires", async () => {
		site.setRobots(503);
		const f = fetcher(site);
		expect(await failure(f.fetch(at("/tracklist/fixture/full.html")))).toBeInstanceOf(RobotsUnavailableError);
		site.setRobots("User-agent: *\nAllow: /\n");
		expect(await failure(f.fetch(at("/tracklist/fixture/full.html")))).toBeInstanceOf(RobotsUnavailableError);
		expect(site.count("/robots.txt")).toBe(1);
		expect(site.count("/tracklist/")).toBe(0);
		const later = fetcher(site, { robotsErrorTtlMs: 1 });
		site.setRobots(500);
		await failure(later.fetch(at("/tracklist/fixture/full.html")));
		site.setRobots("User-agent: *\nAllow: /\n");
		await new Promise(r => setTimeout(r, 5));
		expect((await later.fetch(at("/tracklist/fixture/full.html"))).status).toBe(200);
	});

	it("retries 5xx with backoff until it works, and gives up after the configured retries", async () => {
		const sleeps: number[] = [];
		const ok = await fetcher(site, { retries: 2, retryBaseMs: 100, sleep: async ms => void sleeps.push(ms) }).fetch(at("/tracklist/flaky/2/a.html"));
		expect(ok.attempts).toBe(3);
		expect(sleeps).toHaveLength(2);
		expect(sleeps[0]).toBeGreaterThanOrEqual(50);
		expect(sleeps[1]).toBeGreaterThanOrEqual(100);
		const err = await failure(fetcher(site, { retries: 1 }).fetch(at("/tracklist/error/502/b.html")));
		expect(err).toBeInstanceOf(FetchFailedError);
		expect(site.count("/tracklist/error/502/")).toBe(2);
	});

	it("retries a timeout", async () => {
		const err = await failure(fetcher(site, { retries: 1, timeoutMs: 150 }).fetch(at("/tracklist/slow/3000/c.html")));
		expect(err).toBeInstanceOf(FetchFailedError);
		expect(err.message).toMatch(/timed out/);
		expect(site.count("/tracklist/slow/")).toBe(2);
	});

	it("stops at once on a challenge page, an IP block, a 403 and a 404", async () => {
		const challenge = await failure(fetcher(site).fetch(at("/tracklist/challenge/x.html")));
		expect(challenge).toBeInstanceOf(BlockedError);
		// Not retried now, but retried later: the scheduler's backoff spaces the next attempt.
		expect((challenge as BlockedError).data).toMatchObject({ reason: "challenge", status: 403, kind: "retryable", retryAfterMs: 15 * 60 * 1000 });
		const ipBlock = await failure(fetcher(site).fetch(at("/tracklist/ipblock/x.html")));
		expect((ipBlock as BlockedError).data).toMatchObject({ reason: "ip-block", status: 200 });
		const forbidden = await failure(fetcher(site).fetch(at("/tracklist/error/403/x.html")));
		expect((forbidden as BlockedError).data).toMatchObject({ reason: "forbidden" });
		expect(await failure(fetcher(site).fetch(at("/tracklist/error/404/x.html")))).toBeInstanceOf(PageNotFoundError);
		for (const prefix of ["/tracklist/challenge/", "/tracklist/ipblock/", "/tracklist/error/403/", "/tracklist/error/404/"]) expect(site.count(prefix)).toBe(1);
	});

	it("pauses the host's limiter on a 429", async () => {
		const limiters = fakeLimiters();
		const err = await failure(fetcher(site, {}, limiters).fetch(at("/tracklist/error/429/x.html")));
		expect(err).toBeInstanceOf(SiteRateLimitedError);
		expect(limiters.rateLimited).toEqual([1000]);
	});

	it("caps the body size and reads gzip-encoded pages", async () => {
		expect(await failure(fetcher(site, { maxBytes: 1_000_000 }).fetch(at("/tracklist/huge/x.html")))).toBeInstanceOf(TooLargeError);
		const gz = await fetcher(site).fetch(at("/tracklist/gzip/x.html"));
		expect(parseTracklistPage(gz.body, gz.url).tracks).toHaveLength(9);
	});

	it("follows redirects on allowed hosts, and refuses more than the configured number", async () => {
		const ok = await fetcher(site).fetch(at("/go/3/x.html"));
		expect(ok.url).toBe(`${site.url}/tracklist/fixture/full.html`);
		const err = await failure(fetcher(site, { maxRedirects: 2 }).fetch(at("/go/3/x.html")));
		expect(err).toBeInstanceOf(UrlRefusedError);
		expect(err.message).toMatch(/more than 2 redirects/);
	});
});

describe("SSRF refusals", () => {
	let site: TracklistSite;
	let port: string;
	beforeAll(async () => {
		site = await startTracklistSite();
		port = site.host.split(":")[1];
	});
	afterAll(() => site.close());

	/*
	 * The simulator runs on 127.0.0.1, which production refuses. Here a fake resolver gives it the
	 * name sim.test, and only 127.0.0.1 counts as public; every other name resolves to an address
	 * that is refused before any connection (a name with one bad address among good ones is refused
	 * whole), so no test reaches an outside host.
	 */
	const names: Record<string, string[]> = {
		"sim.test": ["127.0.0.1"],
		"metadata.test": ["169.254.169.254"],
		"intranet.test": ["10.1.2.3"],
		"mixed.test": ["93.184.216.34", "10.0.0.7"],
		"v6.test": ["::1"]
	};
	const resolve: Resolver = async host => {
		const found = names[host];
		if (!found) throw new Error(`ENOTFOUND ${host}`);
		return found.map(address => ({ address, family: address.includes(":") ? 6 : 4 }));
	};
	const guard: AddressGuard = { resolve, addressAllowed: ip => ip === "127.0.0.1" || isPublicAddress(ip) };
	const strict = (extraHosts: string[] = []) =>
		fetcher(site, {
			policy: { allowedHosts: [`sim.test:${port}`, `metadata.test:${port}`, `intranet.test:${port}`, `mixed.test:${port}`, `v6.test:${port}`, "169.254.169.254", ...extraHosts], allowPrivate: false },
			guard
		});

	it("fetches an allowed host through the guarded lookup", async () => {
		const page = await strict().fetch(new URL(`http://sim.test:${port}/tracklist/fixture/full.html`));
		expect(page.status).toBe(200);
	});

	it.each([
		["a scheme other than http(s)", "file:///etc/passwd", /scheme/],
		["credentials in the URL", "http://user:pw@sim.test:PORT/", /credentials/],
		["a host off the allowlist", "http://elsewhere.test/", /not in SCRAPER_ALLOWED_HOSTS/],
		["an allowed host on another port", "http://sim.test:1/", /not in SCRAPER_ALLOWED_HOSTS/],
		["an IP literal", "http://169.254.169.254/latest/meta-data/", /IP literals/],
		["a name resolving to link-local", "http://metadata.test:PORT/", /169\.254\.169\.254/],
		["a name resolving to a private address", "http://intranet.test:PORT/", /10\.1\.2\.3/],
		["a name with one private address among public ones", "http://mixed.test:PORT/", /10\.0\.0\.7/],
		["a name resolving to IPv6 loopback", "http://v6.test:PORT/", /::1/]
	])("refuses %s", async (_what, url, message) => {
		const before = site.requests.length;
		const err = await failure(strict().fetch(new URL(url.replace("PORT", port))));
		expect(err).toBeInstanceOf(UrlRefusedError);
		expect(err.message).toMatch(message);
		expect(site.requests.length).toBe(before);
	});

	it.each([
		["an IP literal", "http://169.254.169.254/latest/meta-data/", /IP literals/],
		["a name resolving to link-local", "http://metadata.test:PORT/x", /169\.254\.169\.254/],
		["a private address", "http://intranet.test:PORT/x", /10\.1\.2\.3/],
		["a host off the allowlist", "http://elsewhere.test/x", /not in SCRAPER_ALLOWED_HOSTS/],
		["the loopback address by number", "http://2130706433:PORT/x", /not in SCRAPER_ALLOWED_HOSTS|IP literals/],
		["a file URL", "file:///etc/passwd", /scheme/]
	])("refuses a redirect to %s", async (_what, target, message) => {
		const err = await failure(strict().fetch(new URL(`http://sim.test:${port}/go?to=${encodeURIComponent(target.replace("PORT", port))}`)));
		expect(err).toBeInstanceOf(UrlRefusedError);
		expect(err.message).toMatch(message);
	});

	it("refuses loopback names with the production guard", async () => {
		const prod = fetcher(site, { policy: { allowedHosts: [`localhost:${port}`, site.host], allowPrivate: false }, guard: defaultGuard(false) });
		expect(await failure(prod.fetch(new URL(`http://localhost:${port}/`)))).toBeInstanceOf(UrlRefusedError);
		expect(await failure(prod.fetch(new URL(`${site.url}/`)))).toBeInstanceOf(UrlRefusedError);
	});
});

describe("address classification", () => {
	it("lets only public unicast addresses through", () => {
		for (const ip of ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "93.184.216.34"]) expect([ip, isPublicAddress(ip)]).toEqual([ip, true]);
		for (const ip of [
			"127.0.0.1",
			"10.0.0.1",
			"172.16.5.4",
			"192.168.1.1",
			"169.254.169.254",
			"100.64.0.1",
			"0.0.0.0",
			"224.0.0.1",
			"255.255.255.255",
			"198.18.0.1",
			"::1",
			"::",
			"fe80::1",
			"fd00::1",
			"ff02::1",
			"::ffff:127.0.0.1",
			"::ffff:7f00:1",
			"64:ff9b::a00:1",
			"2002:a00:1::1",
			"not-an-ip"
		]) {
			expect([ip, isPublicAddress(ip)]).toEqual([ip, false]);
		}
		expect([isIpLiteral("[::1]"), isIpLiteral("10.0.0.1"), isIpLiteral("example.com")]).toEqual([true, true, false]);
	});
});
