/**
 * The holes a hostile-client audit found (issue 20), each as the attack that worked: every test
 * here failed before the fix.
 */
import * as zlib from "node:zlib";
import { Errors, type Context, type ServiceSchema } from "moleculer";
import { testConfig } from "../../../config";
import { brokerOptions } from "../../../moleculer.config";
import ScraperService from "../../../services/scraper.service";
import TasksService from "../../../services/tasks.service";
import UsersService, { type SessionView } from "../../../services/users.service";
import { clientIp } from "../../../services/api/auth";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { bearer, FAST_HASH, PASSWORD, register } from "../users/helpers";
import { rawRequest } from "./bad-input/http";

/** The production broker's retry policy and middlewares, which a test gateway otherwise lacks. */
function productionCalls() {
	const { retryPolicy, middlewares } = brokerOptions(testConfig());
	return { retryPolicy, middlewares, requestTimeout: 5000 };
}

/** Stands in for batch and write actions; counts how often each ran. */
function workService(runs: Record<string, number>): ServiceSchema {
	const ran = (name: string) => (runs[name] = (runs[name] ?? 0) + 1);
	return {
		name: "work",
		settings: { rest: "/" },
		actions: {
			slowImport: {
				rest: "POST /work/slow-import",
				auth: "required",
				timeout: 300,
				async handler() {
					ran("slowImport");
					await new Promise(r => setTimeout(r, 1000));
					return { stored: true };
				}
			},
			flakyRead: {
				rest: "GET /work/flaky",
				auth: "public",
				handler() {
					if (ran("flakyRead") === 1) throw new Errors.MoleculerRetryableError("a node went away", 503, "NODE_GONE");
					return { ok: true };
				}
			},
			import: {
				rest: "POST /work/import",
				auth: "required",
				batch: { items: "urls" },
				params: { urls: { type: "array", items: "string" }, wait: { type: "number", optional: true } },
				async handler(ctx: Context<{ urls: string[]; wait?: number }>) {
					const n = ran("import");
					if (ctx.params.wait) await new Promise(r => setTimeout(r, ctx.params.wait));
					(ctx.meta as { $statusCode?: number }).$statusCode = 202;
					return { task: n, urls: ctx.params.urls.length };
				}
			},
			ingest: {
				rest: "POST /listening/ingest",
				auth: "required",
				handler(ctx: Context) {
					(ctx.meta as { $statusCode?: number }).$statusCode = 202;
					return { queued: true };
				}
			}
		}
	};
}

/** The other data owners users.forgetData waits for before it deletes an account. */
function owner(name: string): ServiceSchema {
	return { name, actions: { forgetUser: { params: { userId: "string" }, handler: () => ({}) } } };
}

describe("issue 20: holes a hostile client found", () => {
	let gw: TestGateway;
	const runs: Record<string, number> = {};

	beforeAll(async () => {
		gw = await startGateway(
			[UsersService as ServiceSchema, TasksService as ServiceSchema, workService(runs), ...["activity", "insights", "playlists", "recommendations", "scraper"].map(owner)],
			{ ...FAST_HASH, LOGIN_MAX_FAILURES: "5", BATCH_ITEMS_PER_HOUR: "30", BATCH_CONCURRENT_PER_USER: "1", API_RATE_LIMIT_PER_MIN: "100000" },
			productionCalls()
		);
	}, 60_000);
	afterAll(() => gw?.stop());

	describe("1. the login lockout", () => {
		it("counts 40 concurrent logins before checking any password: no more than the limit get past, the right password sent last is refused", async () => {
			const s = await register(gw);
			const attempts = Array.from({ length: 40 }, (_, i) => (i === 39 ? PASSWORD : `wrong password ${i}`));
			const answers = await Promise.all(attempts.map(password => gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password } })));
			const statuses = answers.map(a => a.status);
			expect(statuses.filter(st => st !== 429).length).toBeLessThanOrEqual(5);
			expect(statuses[39]).toBe(429);
		});
	});

	describe("2. retried writes", () => {
		it("runs a POST that times out once and answers 504, not a 404 after four runs", async () => {
			const s = await register(gw);
			const before = runs.slowImport ?? 0;
			const res = await gw.request("POST", "/api/v1/work/slow-import", { headers: bearer(s), body: {} });
			expect(res.status).toBe(504);
			expect(res.body.error).toMatchObject({ status: 504, type: "GATEWAY_TIMEOUT" });
			expect(JSON.stringify(res.body)).not.toMatch(/work\.slowImport|nodeID/);
			await new Promise(r => setTimeout(r, 1500));
			expect((runs.slowImport ?? 0) - before).toBe(1);
		});

		it("still retries actions that are idempotent (GET)", async () => {
			const res = await gw.request("GET", "/api/v1/work/flaky");
			expect(res.status).toBe(200);
			expect(runs.flakyRead).toBe(2);
		});

		it("replays the answer to a repeated POST with the same Idempotency-Key instead of running it again", async () => {
			const s = await register(gw);
			const post = (key: string, urls: string[]) => gw.request<{ task: number } & ErrorBody>("POST", "/api/v1/work/import", { headers: { ...bearer(s), "idempotency-key": key }, body: { urls } });
			const first = await post("import-1", ["a", "b"]);
			expect(first.status).toBe(202);
			const again = await post("import-1", ["a", "b"]);
			expect(again.status).toBe(202);
			expect(again.body.task).toBe(first.body.task);
			expect(again.headers.get("idempotent-replayed")).toBe("true");
			const reused = await post("import-1", ["c"]);
			expect(reused.status).toBe(422);
			expect(reused.body.error.type).toBe("IDEMPOTENCY_KEY_REUSED");
			// Another user's identical key is theirs alone.
			const other = await register(gw);
			const theirs = await gw.request<{ task: number }>("POST", "/api/v1/work/import", { headers: { ...bearer(other), "idempotency-key": "import-1" }, body: { urls: ["a", "b"] } });
			expect(theirs.body.task).not.toBe(first.body.task);
		});

		it("refuses a repeat while the first request with its key still runs", async () => {
			const s = await register(gw);
			const post = () => gw.request("POST", "/api/v1/work/import", { headers: { ...bearer(s), "idempotency-key": "slow-1" }, body: { urls: ["a"], wait: 400 } });
			const first = post();
			await new Promise(r => setTimeout(r, 100));
			const second = await post();
			expect(second.status).toBe(409);
			expect(second.body.error.type).toBe("IDEMPOTENCY_KEY_IN_USE");
			expect((await first).status).toBe(202);
		});

		it("holds each user to the batch quota per hour and to one batch request at a time", async () => {
			const s = await register(gw);
			const post = (urls: number, wait = 0) =>
				gw.request("POST", "/api/v1/work/import", { headers: bearer(s), body: { urls: Array.from({ length: urls }, (_, i) => `u${i}`), ...(wait ? { wait } : {}) } });
			const slow = post(5, 400);
			await new Promise(r => setTimeout(r, 100));
			const busy = await post(1);
			expect(busy.status).toBe(429);
			expect(busy.body.error.type).toBe("BATCH_BUSY");
			expect((await slow).status).toBe(202);
			expect((await post(20)).status).toBe(202);
			const over = await post(10);
			expect(over.status).toBe(429);
			expect(over.body.error.type).toBe("BATCH_QUOTA_EXCEEDED");
			expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
			// A refused request does not use up the quota.
			expect((await post(5)).status).toBe(202);
		});

		it("declares the tracklist import as batch work and not idempotent", () => {
			const action = (ScraperService.actions as Record<string, { batch?: unknown; idempotent?: boolean }>).import;
			expect(action.batch).toEqual({ items: "urls" });
			expect(action.idempotent).not.toBe(true);
		});
	});

	describe("4. OPTIONS", () => {
		it("never runs the action, with or without a body", async () => {
			const s = await register(gw);
			const options = await rawRequest(gw.base, {
				method: "OPTIONS",
				path: `/api/v1/users/${s.user.id}`,
				headers: { ...bearer(s), "access-control-request-method": "PATCH", "content-type": "application/json" },
				body: JSON.stringify({ displayName: "Renamed by OPTIONS" })
			});
			expect(options.status).toBe(204);
			const profile = await gw.request<{ displayName: string }>("GET", `/api/v1/users/${s.user.id}`, { headers: bearer(s) });
			expect(profile.body.displayName).toBe(s.user.displayName);

			const email = `options-${Date.now()}@example.com`;
			const create = await rawRequest(gw.base, { method: "OPTIONS", path: `/api/v1/users/register?email=${email}&password=${encodeURIComponent(PASSWORD)}&displayName=x`, headers: { "access-control-request-method": "POST" } });
			expect(create.status).toBe(204);
			expect((await gw.request("POST", "/api/v1/users/register", { body: { email, password: PASSWORD, displayName: "Real" } })).status).toBe(201);
		});
	});

	describe("5. __proto__", () => {
		it("refuses prototype keys before validation, in the body and the query", async () => {
			const s = await register(gw);
			const patch = await rawRequest(gw.base, {
				method: "PATCH",
				path: `/api/v1/users/${s.user.id}`,
				headers: { ...bearer(s), "content-type": "application/json" },
				body: '{"__proto__":{"displayName":"Smuggled"}}'
			});
			expect(patch.status).toBe(422);
			const profile = await gw.request<{ displayName: string }>("GET", `/api/v1/users/${s.user.id}`, { headers: bearer(s) });
			expect(profile.body.displayName).toBe(s.user.displayName);

			const login = await rawRequest(gw.base, {
				method: "POST",
				path: "/api/v1/auth/login",
				headers: { "content-type": "application/json" },
				body: `{"__proto__":{"email":"${s.user.email}","password":"${PASSWORD}"}}`
			});
			expect(login.status).toBe(422);
			expect((login.json as ErrorBody).error.fields?.[0]).toMatchObject({ field: "__proto__", type: "forbiddenKey" });
			const nested = await rawRequest(gw.base, { method: "POST", path: "/api/v1/auth/login", headers: { "content-type": "application/json" }, body: `{"email":"${s.user.email}","password":"x","a":{"constructor":{"prototype":{}}}}` });
			expect(nested.status).toBe(422);
		});
	});

	describe("6. bodies that crashed the gateway", () => {
		const login = '{"email":"nobody@example.com","password":"whatever"}';
		const broken: Array<[string, Buffer]> = [
			["gzip", Buffer.from("not gzip at all")],
			["deflate", Buffer.from("not deflate")],
			["br", Buffer.from("not brotli")],
			["zstd", Buffer.from("not zstd")],
			["gzip", zlib.gzipSync(login).subarray(0, 20)]
		];
		it.each(broken)("answers a %s body that does not decode with a 400 in the error shape", async (encoding, body) => {
			const res = await rawRequest(gw.base, { method: "POST", path: "/api/v1/auth/login", headers: { "content-type": "application/json", "content-encoding": encoding }, body });
			expect(res.status).toBe(400);
			expect((res.json as ErrorBody).error).toMatchObject({ status: 400, type: "INVALID_ENCODING" });
		});

		it("still reads a body that decodes", async () => {
			const res = await rawRequest(gw.base, { method: "POST", path: "/api/v1/auth/login", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: zlib.gzipSync(login) });
			expect(res.status).toBe(401);
		});

		it("answers an array nested 10,000 levels in a 20 KB body with a 400", async () => {
			const body = `{"email":${"[".repeat(10_000)}${"]".repeat(10_000)},"password":"x"}`;
			const res = await rawRequest(gw.base, { method: "POST", path: "/api/v1/auth/login", headers: { "content-type": "application/json" }, body });
			expect(res.status).toBe(400);
			expect((res.json as ErrorBody).error).toMatchObject({ status: 400, type: "TOO_DEEP" });
		});
	});

	describe("8. currentPassword guesses", () => {
		it("are throttled like logins: after the limit, even the right one is refused", async () => {
			const s = await register(gw);
			const change = (currentPassword: string) =>
				gw.request("PATCH", `/api/v1/users/${s.user.id}`, { headers: bearer(s), body: { password: "a brand new passphrase", currentPassword } });
			const wrong: number[] = [];
			for (let i = 0; i < 12; i++) wrong.push((await change(`guess number ${i}`)).status);
			expect(wrong.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
			expect(wrong.slice(5).every(st => st === 429)).toBe(true);
			const right = await change(PASSWORD);
			expect(right.status).toBe(429);
			expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: "a brand new passphrase" } })).status).not.toBe(200);
		});
	});

	describe("9. a deleted account's access token", () => {
		it("no longer writes once the account is deleted", async () => {
			const s = await register(gw);
			expect((await gw.request("POST", "/api/v1/listening/ingest", { headers: bearer(s) })).status).toBe(202);
			const deleted = await gw.request<{ accountDeleted: boolean }>("DELETE", `/api/v1/users/${s.user.id}/data?account=true`, { headers: bearer(s) });
			expect(deleted.body.accountDeleted).toBe(true);
			const after = await gw.request("POST", "/api/v1/listening/ingest", { headers: bearer(s) });
			expect(after.status).toBe(401);
			expect(after.body.error.type).toBe("INVALID_TOKEN");
		});
	});

	describe("10. lookalike emails", () => {
		it("do not make a second account: invisible characters and fullwidth letters fold into the first, combining marks and other scripts are refused", async () => {
			const email = `lookalike${Date.now()}@example.com`;
			const reg = (e: string) => gw.request("POST", "/api/v1/users/register", { body: { email: e, password: PASSWORD, displayName: "Look" } });
			expect((await reg(email)).status).toBe(201);
			const [local, domain] = email.split("@");
			expect((await reg(`${local.slice(0, 3)}\u200b${local.slice(3)}@${domain}`)).status).toBe(409);
			expect((await reg(`\uff4c${local.slice(1)}@${domain}`)).status).toBe(409);
			expect((await reg(`${local}\u00ad@${domain}`)).status).toBe(409);
			const combining = await reg(`${local.slice(0, 2)}\u0301${local.slice(2)}@${domain}`);
			expect(combining.status).toBe(422);
			expect(combining.body.error.fields?.[0]).toMatchObject({ field: "email" });
			expect((await reg(`l\u043eokalike${Date.now()}@${domain}`)).status).toBe(422);
			// The folded spelling signs in to the one account.
			expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: `\uff4c${local.slice(1)}@${domain}`, password: PASSWORD } })).status).toBe(200);
		});
	});

	describe("11. credentials in the URL", () => {
		it("are refused on POST /auth/login, even with a body", async () => {
			const s = await register(gw);
			const res = await gw.request("POST", `/api/v1/auth/login?email=${encodeURIComponent(s.user.email ?? "")}&password=${encodeURIComponent(PASSWORD)}`, { body: {} });
			expect(res.status).toBe(400);
			expect(res.body.error.type).toBe("CREDENTIALS_IN_URL");
			const mixed = await gw.request("POST", `/api/v1/auth/login?password=${encodeURIComponent(PASSWORD)}`, { body: { email: s.user.email, password: "wrong" } });
			expect(mixed.status).toBe(400);
		});
	});

	describe("also: the docs page", () => {
		it("is sent with a CSP that allows only its own script and style, nosniff and no framing", async () => {
			const res = await fetch(`${gw.base}/api/docs`);
			expect(res.status).toBe(200);
			const csp = res.headers.get("content-security-policy") ?? "";
			expect(csp).toMatch(/default-src 'none'/);
			expect(csp).toMatch(/frame-ancestors 'none'/);
			expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
			expect(csp).not.toMatch(/unsafe-inline/);
			expect(res.headers.get("x-content-type-options")).toBe("nosniff");
			const html = await res.text();
			const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
			const { createHash } = await import("node:crypto");
			expect(csp).toContain(`'sha256-${createHash("sha256").update(script).digest("base64")}'`);
		});
	});
});

describe("issue 20 (3): the client IP behind a trusted proxy", () => {
	const req = (xff: string | undefined) => ({ headers: xff === undefined ? {} : { "x-forwarded-for": xff }, socket: { remoteAddress: "10.0.0.2" } }) as unknown as Parameters<typeof clientIp>[0];

	it("is the entry the trusted hop added, not the left-most one the client wrote", () => {
		expect(clientIp(req("198.51.100.7, 203.0.113.77"), true, 1)).toBe("203.0.113.77");
		expect(clientIp(req("198.51.100.7, 203.0.113.77, 10.0.0.9"), true, 2)).toBe("203.0.113.77");
		expect(clientIp(req("203.0.113.77"), true, 2)).toBe("203.0.113.77");
		expect(clientIp(req(undefined), true, 1)).toBe("10.0.0.2");
		expect(clientIp(req("198.51.100.7"), false, 1)).toBe("10.0.0.2");
	});

	it("cannot dodge the per-IP limit by writing its own X-Forwarded-For entries", async () => {
		const gw = await startGateway([], { TRUST_PROXY: "true", API_RATE_LIMIT_PER_MIN: "5" });
		try {
			const statuses: number[] = [];
			for (let n = 0; n < 10; n++) {
				statuses.push((await fetch(`${gw.base}/api/v1/openapi.json`, { headers: { "x-forwarded-for": `198.51.100.${n}, 203.0.113.77` } })).status);
			}
			expect(statuses.filter(s => s === 429).length).toBe(5);
		} finally {
			await gw.stop();
		}
	});
});

describe("issue 20 (7): secrets in logs", () => {
	it("are redacted at LOG_LEVEL=debug: no password, access or refresh token reaches the console", async () => {
		const lines: string[] = [];
		const capture = (...args: unknown[]) => void lines.push(args.map(a => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
		const spies = (["log", "info", "warn", "error", "debug"] as const).map(m => jest.spyOn(console, m).mockImplementation(capture));
		const logger = brokerOptions(testConfig({ LOG_LEVEL: "debug", LOG_FORMAT: "json" })).logger;
		const gw = await startGateway([UsersService as ServiceSchema], { ...FAST_HASH }, { logger });
		try {
			const password = "hunter2 but longer";
			const reg = await gw.request<SessionView>("POST", "/api/v1/users/register", { body: { email: `logs${Date.now()}@example.com`, password, displayName: "Logs" } });
			expect(reg.status).toBe(201);
			const refreshed = await gw.request<SessionView>("POST", "/api/v1/auth/refresh", { body: { refreshToken: reg.body.refreshToken } });
			expect(refreshed.status).toBe(200);
			await gw.request("GET", `/api/v1/users/${reg.body.user.id}`, { headers: bearer(refreshed.body) });
			const all = lines.join("\n");
			expect(all).toMatch(/Params|users\.register|auth\/login|register/);
			for (const secret of [password, reg.body.refreshToken, reg.body.accessToken, refreshed.body.refreshToken, refreshed.body.accessToken]) expect(all).not.toContain(secret);
		} finally {
			await gw.stop();
			for (const s of spies) s.mockRestore();
		}
	});
});
