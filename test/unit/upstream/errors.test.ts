import { ServiceBroker } from "moleculer";
import { FatalError, NotFoundError, RateLimitedError, RetryableError, errorKind, isRetryable, retryAfterOf } from "../../../mixins/upstream/errors";
import { DEFAULT_RETRY_AFTER_MS, parseRetryAfter } from "../../../mixins/upstream/http";
import { rebase } from "../../../mixins/upstream/paging";
import { rejectionOf } from "./helpers";

const at = { provider: "spotify", endpoint: "tracks" };

describe("upstream errors", () => {
	it("carry a kind the scheduler branches on", () => {
		const errors = [
			new RetryableError("HTTP 503", { ...at, status: 503 }),
			new RateLimitedError("HTTP 429", { ...at, status: 429, retryAfterMs: 2000 }),
			new NotFoundError("HTTP 404", { ...at, status: 404 }),
			new FatalError("HTTP 403", { ...at, status: 403 })
		];
		expect(errors.map(errorKind)).toEqual(["retryable", "rate-limited", "not-found", "fatal"]);
		expect(errors.map(isRetryable)).toEqual([true, true, false, false]);
		expect(errors.map(e => e.retryable)).toEqual([false, false, false, false]);
		expect(errors[1]).toMatchObject({ provider: "spotify", endpoint: "tracks", status: 429, retryAfterMs: 2000 });
		expect(errorKind(new Error("boom"))).toBeUndefined();
		expect(errorKind({ data: { kind: "fatal" } })).toBe("fatal");
		expect(errorKind({ kind: "nonsense" })).toBeUndefined();
	});

	it("keep their kind and Retry-After across nodes, and are not retried by the broker", async () => {
		const thrower = new ServiceBroker({ nodeID: "thrower", transporter: "Fake", logger: false });
		const caller = new ServiceBroker({ nodeID: "caller", transporter: "Fake", logger: false, retryPolicy: { enabled: true, retries: 3, delay: 10 } });
		let calls = 0;
		thrower.createService({
			name: "upstream",
			actions: {
				fetch() {
					calls++;
					throw new RateLimitedError("HTTP 429", { ...at, status: 429, retryAfterMs: 7000 });
				}
			}
		});
		await Promise.all([thrower.start(), caller.start()]);
		try {
			await caller.waitForServices("upstream");
			const err = await rejectionOf(caller.call("upstream.fetch"));
			expect(err).not.toBeInstanceOf(RateLimitedError);
			expect(errorKind(err)).toBe("rate-limited");
			expect(retryAfterOf(err)).toBe(7000);
			expect(isRetryable(err)).toBe(true);
			expect(calls).toBe(1);
		} finally {
			await Promise.all([caller.stop(), thrower.stop()]);
		}
	});
});

describe("Retry-After", () => {
	it("reads seconds, HTTP dates and nothing", () => {
		const now = Date.parse("2026-11-21T12:00:00Z");
		expect(parseRetryAfter("30", now)).toBe(30_000);
		expect(parseRetryAfter("1.5", now)).toBe(1500);
		expect(parseRetryAfter("Sat, 21 Nov 2026 12:00:10 GMT", now)).toBe(10_000);
		expect(parseRetryAfter("Sat, 21 Nov 2026 11:00:00 GMT", now)).toBe(0);
		expect(parseRetryAfter(null, now)).toBe(DEFAULT_RETRY_AFTER_MS);
		expect(parseRetryAfter("soon", now)).toBe(DEFAULT_RETRY_AFTER_MS);
	});
});

describe("next links", () => {
	it("stay on the configured base and never leave it", () => {
		const sim = "http://127.0.0.1:4000/v1";
		expect(rebase(`${sim}/albums/x/tracks?offset=50`, "https://api.spotify.com/v1", sim)).toBe(`${sim}/albums/x/tracks?offset=50`);
		expect(rebase("https://api.spotify.com/v1/albums/x/tracks?offset=50", "https://api.spotify.com/v1", sim)).toBe(`${sim}/albums/x/tracks?offset=50`);
		expect(() => rebase("https://evil.example/v1/albums", "https://api.spotify.com/v1", sim)).toThrow(/outside/);
	});
});
