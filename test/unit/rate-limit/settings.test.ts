import { loadLimitConfig } from "../../../config/limits";
import { testConfig } from "../../../config";
import { formatSettings, hostLimiterName, hostSettings, limiterSettingsFromConfig, parseLimitSpec } from "../../../mixins/rate-limit/settings";
import { isDeezerQuotaError, PauseBook, retryAfterMs } from "../../../mixins/rate-limit/pause";

describe("limiter settings", () => {
	it("reads the limits from configuration, with defaults for what it lacks", () => {
		const o = limiterSettingsFromConfig(testConfig() as unknown as Record<string, unknown>);
		expect(o.named.spotify).toEqual({ maxPerWindow: 180, windowMs: 30000, maxConcurrent: 16 });
		expect(o.named.deezer).toEqual({ maxPerWindow: 50, windowMs: 5000, maxConcurrent: 10 });
		expect(o.named.llm).toEqual({ maxPerWindow: 60, windowMs: 60000, maxConcurrent: 4 });
		expect(o.scrapeDefaultDelayMs).toBe(2000);
		expect(o.expirationMs).toBe(60000);
		expect(o.prefix).toBe("cratedigger");
		expect(o.redisUrl).toBeUndefined();
	});

	it("takes the values a configuration carries", () => {
		const config = { REDIS_URL: "redis://r:6379", ...loadLimitConfig({ DEEZER_RATE: "10", DEEZER_WINDOW_MS: "1000", LIMITER_ID_PREFIX: "x" }) };
		const o = limiterSettingsFromConfig(config);
		expect(o.named.deezer).toEqual({ maxPerWindow: 10, windowMs: 1000, maxConcurrent: 10 });
		expect(o.prefix).toBe("x");
		expect(o.redisUrl).toBe("redis://r:6379");
	});

	it("rejects bad limit variables by name", () => {
		expect(() => loadLimitConfig({ DEEZER_RATE: "0" })).toThrow(/DEEZER_RATE must be an integer between 1/);
	});

	it("turns a crawl delay into one request per delay, and no delay into the default", () => {
		expect(hostSettings(1.5, 2000)).toEqual({ maxPerWindow: 1, windowMs: 1500 });
		expect(hostSettings(undefined, 2000)).toEqual({ maxPerWindow: 1, windowMs: 2000 });
		expect(hostSettings(0, 2000)).toEqual({ maxPerWindow: 1, windowMs: 2000 });
		expect(hostLimiterName(" WWW.Example.com ")).toBe("host:www.example.com");
	});

	it("parses and prints an operator's limit", () => {
		expect(parseLimitSpec("120/30s")).toEqual({ maxPerWindow: 120, windowMs: 30000 });
		expect(parseLimitSpec("60/1m")).toEqual({ maxPerWindow: 60, windowMs: 60000 });
		expect(parseLimitSpec("10/s")).toEqual({ maxPerWindow: 10, windowMs: 1000 });
		expect(parseLimitSpec("5/500ms")).toEqual({ maxPerWindow: 5, windowMs: 500 });
		expect(() => parseLimitSpec("fast")).toThrow(/120\/30s/);
		expect(() => parseLimitSpec("0/1s")).toThrow();
		expect(formatSettings({ maxPerWindow: 60, windowMs: 60000, maxConcurrent: 4 })).toBe("60/1m, ≤4 at once");
	});
});

describe("pause helpers", () => {
	it("extends a pause and never shortens it", () => {
		const book = new PauseBook();
		expect(book.extend("s", 2000, 0)).toBe(2000);
		expect(book.extend("s", 1000, 0)).toBe(0);
		expect(book.extend("s", 3000, 0)).toBe(1000);
		expect(book.until("s", 2500)).toBe(3000);
		expect(book.until("s", 3000)).toBe(0);
	});

	it("reads Retry-After and Deezer's quota error", () => {
		expect(retryAfterMs("2")).toBe(2000);
		expect(retryAfterMs(null, 1500)).toBe(1500);
		expect(retryAfterMs(new Date(10000).toUTCString(), 0, 4000)).toBe(6000);
		expect(isDeezerQuotaError({ error: { type: "Exception", message: "Quota limit exceeded", code: 4 } })).toBe(true);
		expect(isDeezerQuotaError({ error: { code: 800 } })).toBe(false);
		expect(isDeezerQuotaError(null)).toBe(false);
	});
});
