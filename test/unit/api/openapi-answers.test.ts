/**
 * The OpenAPI document against a running gateway (issue 19): one well-formed request to every
 * operation, as an admin on seeded data. Each success answers with a status the document states,
 * and its body conforms to the documented schema, so a generated client types what comes back.
 */
import type { TestGateway } from "../../harness/gateway";
import { wellFormedRequests, type KnownIds, type OpenApiDocument } from "./bad-input/cases";
import { rawRequest } from "./bad-input/http";
import { conforms, type Components, type JsonSchema } from "./bad-input/schema";
import { startSeededGateway } from "./bad-input/setup";

interface Document extends OpenApiDocument {
	paths: Record<string, Record<string, OpenApiDocument["paths"][string][string] & { responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>>;
	components: { schemas: Components };
}

describe("the documented answers are the answers", () => {
	let gw: TestGateway;
	let ids: KnownIds;
	let adminAuth: Record<string, string>;
	let doc: Document;

	beforeAll(async () => {
		({ gw, ids, adminAuth } = await startSeededGateway());
		doc = (await gw.request<Document>("GET", "/api/openapi.json")).body;
	}, 120_000);
	afterAll(() => gw?.stop());

	it("answers each well-formed request with a documented status and a body of the documented shape", async () => {
		const problems: string[] = [];
		const succeeded: string[] = [];
		for (const req of wellFormedRequests(doc, ids)) {
			const [method, template] = req.route.split(" ");
			const documented = doc.paths[template][method.toLowerCase()].responses;
			const res = await rawRequest(gw.base, { method: req.method, path: req.path, headers: { ...adminAuth, ...req.headers }, body: req.body });
			if (res.status >= 500) problems.push(`${req.route}: ${res.status} ${res.text.slice(0, 200)}`);
			if (res.status < 200 || res.status >= 300) continue;
			succeeded.push(req.route);
			const answer = documented[String(res.status)];
			if (!answer) {
				problems.push(`${req.route}: answered ${res.status}, documented ${Object.keys(documented).join(", ")}`);
				continue;
			}
			const schema = answer.content?.["application/json"]?.schema;
			if (!schema || !String(res.headers["content-type"] ?? "").startsWith("application/json")) continue;
			if (!conforms(schema, res.json, "answer", doc.components.schemas)) problems.push(`${req.route}: the body does not conform: ${res.text.slice(0, 300)}`);
		}
		expect(problems).toEqual([]);
		// Most operations succeed on seeded data; the rest stop at a missing upstream or a conflict.
		expect(succeeded.length).toBeGreaterThan(Object.values(doc.paths).flatMap(Object.keys).length / 2);
		expect(succeeded).toEqual(expect.arrayContaining(["GET /api/v1/songs/bpm/{bpm}", "GET /api/v1/tracks/{id}", "GET /api/v1/playlists/{id}", "GET /api/v1/tasks/{id}", "GET /api/v1/crawl/status"]));
	}, 120_000);

	it("registers with 201 and signs in with 200, each in the documented session shape", async () => {
		const session = (path: string, status: number) => doc.paths[path].post.responses[String(status)].content?.["application/json"].schema as JsonSchema;
		const body = { email: "answers@example.com", password: "correct horse battery", displayName: "answers" };
		const registered = await gw.request("POST", "/api/v1/users/register", { body });
		expect(registered.status).toBe(201);
		expect(conforms(session("/api/v1/users/register", 201), registered.body, "answer", doc.components.schemas)).toBe(true);
		const login = await gw.request("POST", "/api/v1/auth/login", { body: { email: body.email, password: body.password } });
		expect(login.status).toBe(200);
		expect(conforms(session("/api/v1/auth/login", 200), login.body, "answer", doc.components.schemas)).toBe(true);
		const seedRegistration = await gw.request("POST", "/api/users/register", { body: { email: "seed-answers@example.com", password: "correct horse battery", username: "seeded" } });
		expect([seedRegistration.status, conforms(session("/api/users/register", 201), seedRegistration.body, "answer", doc.components.schemas)]).toEqual([201, true]);
	});
});
