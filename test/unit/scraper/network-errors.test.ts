import type { Limiter, LimiterStatus } from "../../../mixins/rate-limit/types";
import { PageFetcher } from "../../../services/scraper/fetcher";
import { httpGet, TransportError } from "../../../services/scraper/http";

const resolverError = () => Object.assign(new Error("getaddrinfo ENOTFOUND internal-db.corp.example"), { code: "ENOTFOUND", hostname: "internal-db.corp.example" });

const limiter: Limiter = {
	name: "host:test",
	schedule: fn => fn(),
	pauseUntil: async () => undefined,
	rateLimited: async () => undefined,
	status: async () => ({}) as LimiterStatus
};

/** Issue 20: a failed fetch tells the client what went wrong, not what the resolver said. */
describe("scraper network errors", () => {
	it("do not echo the resolver's words, host names or addresses; the detail stays on the error's cause", async () => {
		const cause = resolverError();
		const failing = httpGet(new URL("http://internal-db.corp.example/x"), {
			headers: {},
			timeoutMs: 5000,
			maxBytes: 1024,
			addressAllowed: () => true,
			resolve: () => Promise.reject(cause)
		});
		const err = (await failing.catch((e: unknown) => e)) as TransportError;
		expect(err).toBeInstanceOf(TransportError);
		expect(err.message).toBe("network error (the host name does not resolve)");
		expect(err.message).not.toMatch(/getaddrinfo|ENOTFOUND|corp\.example/);
		expect((err as { cause?: unknown }).cause).toBe(cause);
	});

	it("reach the client of a fetch as a generic reason", async () => {
		const fetcher = new PageFetcher({
			policy: { allowedHosts: ["internal-db.corp.example"], allowPrivate: false },
			guard: { addressAllowed: () => true, resolve: () => Promise.reject(resolverError()) },
			userAgent: "cratedigger-test/1",
			timeoutMs: 2000,
			maxBytes: 10_000,
			maxRedirects: 0,
			retries: 0,
			retryBaseMs: 1,
			robotsTtlMs: 60_000,
			robotsErrorTtlMs: 60_000,
			limiterFor: () => limiter,
			sleep: async () => undefined
		});
		const err = (await fetcher.fetch(new URL("https://internal-db.corp.example/tracklist/x.html")).catch((e: unknown) => e)) as Error & { data?: unknown };
		expect(err.message).toMatch(/does not resolve/);
		expect(`${err.message} ${JSON.stringify(err.data)}`).not.toMatch(/getaddrinfo|ENOTFOUND/);
	});
});
