/**
 * The bad-input suite (issue 5): malformed requests to every route the gateway publishes in its
 * OpenAPI document, as an admin (so authorization is not what stops them) and a sample without a
 * token. Each must get a 4xx in the documented error shape, none a 5xx, and nothing stored may
 * change. Routes are read from GET /api/v1/openapi.json, so a new route is covered without edits.
 * Since issue 20 it also sends OPTIONS with bodies, bodies that do not decode as their
 * Content-Encoding, nesting 10,000 levels deep, prototype keys and credentials in the query, and
 * races concurrent requests.
 */
import type { TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { anonymousSample, casesFor, oversizedUrlCase, unknownRouteCases, type Case, type KnownIds, type OpenApiDocument } from "./bad-input/cases";
import { rawRequest, type RawRequest } from "./bad-input/http";
import { changedCollections, storedData } from "./bad-input/stored";
import { verdict } from "./bad-input/verdict";
import { BODY_LIMIT, startSeededGateway } from "./bad-input/setup";

/** Stored data once background work (events, caches) has settled: two reads in a row agree. */
async function settledData(gw: TestGateway) {
	let last = JSON.stringify(await storedData(gw.broker));
	return eventually("stored data to settle", async () => {
		await new Promise(r => setTimeout(r, 200));
		const now = await storedData(gw.broker);
		const same = JSON.stringify(now) === last;
		last = JSON.stringify(now);
		return same ? now : undefined;
	});
}

function toRequest(c: Case, adminAuth: Record<string, string>): RawRequest {
	return { method: c.method, path: c.path, headers: { ...(c.anonymous ? {} : adminAuth), ...c.headers }, body: c.body };
}

describe("malformed requests to every route get a 4xx in the error shape and change nothing", () => {
	let gw: TestGateway;
	let ids: KnownIds;
	let adminAuth: Record<string, string>;

	beforeAll(async () => {
		({ gw, ids, adminAuth } = await startSeededGateway());
	}, 120_000);
	afterAll(() => gw?.stop());

	it("covers every route of the OpenAPI document and answers each malformed request as promised", async () => {
		const doc = await gw.request<OpenApiDocument>("GET", "/api/v1/openapi.json");
		expect(doc.status).toBe(200);
		const routes = Object.entries(doc.body.paths).flatMap(([p, ms]) => Object.keys(ms).map(m => `${m.toUpperCase()} ${p}`));
		const asAdmin = casesFor(doc.body, { ids, bodyLimit: BODY_LIMIT });
		const cases = [...asAdmin, ...anonymousSample(asAdmin, 3), ...unknownRouteCases(doc.body), oversizedUrlCase(doc.body)];
		// Every route gets malformed requests, so a new route cannot slip through untested.
		const covered = new Set(cases.map(c => c.route));
		expect(routes.filter(r => !covered.has(r))).toEqual([]);

		const before = await settledData(gw);
		const failures = new Map<string, string[]>();
		for (const c of cases) {
			const res = await rawRequest(gw.base, toRequest(c, adminAuth));
			const problem = verdict(c, res);
			if (!problem) continue;
			// Grouped by what went wrong, so one cause shared by many routes reads as one line.
			const key = `${c.family}${c.anonymous ? " (anonymous)" : ""}: ${c.label.replace(/^(path|query|body)\.\w+/, "$1.<field>")} -> ${problem.replace(/: .*$/s, "")}`;
			failures.set(key, [...(failures.get(key) ?? []), `${c.route}${c.label.match(/^(path|query|body)\.(\w+)/) ? ` (${c.label.split(" ")[0]})` : ""}`]);
		}
		const changed = changedCollections(before, await settledData(gw));

		const byFamily = new Map<string, number>();
		for (const c of cases) byFamily.set(c.family, (byFamily.get(c.family) ?? 0) + 1);
		const failed = [...failures.values()].reduce((n, routes) => n + routes.length, 0);
		console.log(
			`bad-input: ${cases.length} malformed requests to ${routes.length} routes (${cases.filter(c => c.anonymous).length} without a token; ` +
				`${cases.filter(c => c.expect.kind === "4xx").length} must get a 4xx, ${cases.filter(c => c.expect.kind === "no-5xx").length} odd but valid reads must not fail); ` +
				[...byFamily].map(([f, n]) => `${f} ${n}`).join(", ") +
				`; ${failed} answered wrongly; ${changed.length} collections changed`
		);
		expect(cases.length).toBeGreaterThanOrEqual(300);
		// One assertion, so a run shows both the wrong answers and the changed data.
		expect({ wrongAnswers: [...failures].map(([what, where]) => `${what}: ${where.join(", ")}`), changedData: changed }).toEqual({ wrongAnswers: [], changedData: [] });
	}, 300_000);

	it("holds under concurrent races: one account per email, the login limit, one run per Idempotency-Key", async () => {
		const email = `race-${Date.now()}@example.com`;
		const registrations = await Promise.all(
			Array.from({ length: 20 }, () => gw.request("POST", "/api/v1/users/register", { body: { email, password: "correct horse battery", displayName: "Race" } }))
		);
		expect(registrations.map(r => r.status).sort()).toEqual([201, ...Array.from({ length: 19 }, () => 409)]);

		const logins = await Promise.all(Array.from({ length: 30 }, (_, i) => gw.request("POST", "/api/v1/auth/login", { body: { email, password: `wrong guess ${i}` } })));
		// LOGIN_MAX_FAILURES (5 by default) attempts are checked; every other one is refused unchecked.
		expect(logins.filter(r => r.status !== 429).length).toBeLessThanOrEqual(5);
		expect(logins.filter(r => r.status >= 500)).toEqual([]);

		const playlists = await Promise.all(
			Array.from({ length: 10 }, () => gw.request<{ id?: string }>("POST", "/api/v1/playlist/bpm/171", { headers: { ...adminAuth, "idempotency-key": "race-playlist" }, body: { duration: 10, spotify: false } }))
		);
		const created = new Set(playlists.filter(r => r.status === 201).map(r => r.body.id));
		expect(created.size).toBe(1);
		expect(playlists.every(r => r.status === 201 || r.status === 409)).toBe(true);
	}, 120_000);
});
