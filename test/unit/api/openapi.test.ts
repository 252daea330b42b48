/**
 * The OpenAPI document (issue 19): built from the service schemas, so a gateway that runs only
 * `api` publishes every route; each operation has a summary, its real success answers with a
 * schema and an example that conforms to it, and says who may call it.
 */
import { serviceCatalog } from "../../../services";
import { documentedRoutes } from "../../../services/api/doc/routes";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { conforms, type Components, type JsonSchema } from "./bad-input/schema";

interface Operation {
	operationId: string;
	summary?: string;
	security?: Array<Record<string, unknown>>;
	responses: Record<string, { description: string; content?: Record<string, { schema?: JsonSchema; example?: unknown }> }>;
}
interface Document {
	paths: Record<string, Record<string, Operation>>;
	components: { schemas: Components; securitySchemes: Record<string, unknown> };
}

function operations(doc: Document): Array<{ route: string; op: Operation }> {
	return Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));
}

/** Every `$ref` under a value. */
function refs(value: unknown): string[] {
	if (typeof value !== "object" || value === null) return [];
	return Object.entries(value).flatMap(([k, v]) => (k === "$ref" && typeof v === "string" ? [v] : refs(v)));
}

describe("the OpenAPI document", () => {
	let gw: TestGateway;
	let doc: Document;
	beforeAll(async () => {
		gw = await startGateway([]);
		doc = (await gw.request<Document>("GET", "/api/openapi.json")).body;
	});
	afterAll(() => gw.stop());

	it("is whole on a gateway that runs no other service: every route the service schemas declare", () => {
		const declared = documentedRoutes(Object.values(serviceCatalog)).map(r => `${r.method} ${r.fullPath.replace(/:(\w+)/g, "{$1}")}`);
		expect(declared.length).toBeGreaterThan(80);
		expect(operations(doc).map(o => o.route).sort()).toEqual([...new Set(declared)].sort());
		for (const route of ["GET /api/v1/songs/bpm/{bpm}", "POST /api/v1/auth/login", "GET /api/v1/tracks/{id}", "GET /api/v1/crawl/dead", "POST /api/users/register"]) {
			expect(declared).toContain(route);
		}
	});

	it("gives each operation a summary of its own, a success answer with a schema and an example that conforms to it", () => {
		const problems: string[] = [];
		const htmlOnly: string[] = [];
		for (const { route, op } of operations(doc)) {
			if (!op.summary || op.summary === op.operationId) problems.push(`${route}: no summary`);
			const success = Object.entries(op.responses).filter(([status]) => status.startsWith("2"));
			if (success.length === 0) problems.push(`${route}: no success answer`);
			for (const [status, res] of success) {
				const json = res.content?.["application/json"];
				// A page for people (the docs page, the status page) answers HTML only, and says so.
				const html = res.content?.["text/html"];
				if (!json && html) {
					if (!html.schema) problems.push(`${route} ${status}: no schema`);
					else htmlOnly.push(route);
					continue;
				}
				if (!json?.schema) problems.push(`${route} ${status}: no schema`);
				else if (json.example === undefined) problems.push(`${route} ${status}: no example`);
				else if (!conforms(json.schema, json.example, "answer", doc.components.schemas)) problems.push(`${route} ${status}: the example does not conform`);
			}
		}
		expect(problems).toEqual([]);
		expect(htmlOnly.sort()).toEqual(["GET /api/docs", "GET /status"]);
	});

	it("documents the probes outside /api/v1 as public operations", () => {
		for (const path of ["/health", "/ready"]) {
			const op = doc.paths[path]?.get;
			expect({ path, security: op?.security, schema: Boolean(op?.responses["200"]?.content?.["application/json"]?.schema) }).toEqual({ path, security: [], schema: true });
		}
	});

	it("resolves every $ref, and every component's examples conform to it", () => {
		for (const ref of refs(doc)) expect(doc.components.schemas[ref.replace("#/components/schemas/", "")]).toBeDefined();
		for (const [name, schema] of Object.entries(doc.components.schemas)) {
			const examples = (schema as { examples?: unknown[] }).examples ?? [];
			expect({ name, examples: examples.length > 0 }).toEqual({ name, examples: true });
			for (const example of examples) expect({ name, conforms: conforms(schema, example, "answer", doc.components.schemas) }).toEqual({ name, conforms: true });
		}
	});

	it("states the real status codes: register and the seeds' registration answer 201, async work 202", () => {
		const codes = (path: string, method = "post") => Object.keys(doc.paths[path][method].responses).filter(s => s.startsWith("2"));
		expect(codes("/api/v1/users/register")).toEqual(["201"]);
		expect(codes("/api/users/register")).toEqual(["201"]);
		expect(codes("/api/v1/auth/login")).toEqual(["200"]);
		expect(codes("/api/v1/recommendations/user/{id}/refresh")).toEqual(["202"]);
		expect(codes("/api/v1/tracklist").sort()).toEqual(["200", "202"]);
	});

	it("says who may call each operation: public ones need nothing, the others a bearer token", () => {
		expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
		const security = (path: string, method = "get") => doc.paths[path][method].security;
		expect(security("/api/v1/tracks/{id}")).toEqual([]);
		expect(security("/api/v1/auth/login", "post")).toEqual([]);
		expect(security("/api/v1/songs/bpm/{bpm}")).toEqual([{ bearerAuth: [] }, {}]);
		expect(security("/api/v1/users/{id}")).toEqual([{ bearerAuth: [] }]);
		for (const { route, op } of operations(doc)) expect({ route, security: Array.isArray(op.security) }).toEqual({ route, security: true });
	});

	it("documents the error shape with the request id and the fields at fault", () => {
		const error = doc.components.schemas.Error as { properties: { error: { properties: Record<string, unknown>; required: string[] } } };
		expect(Object.keys(error.properties.error.properties)).toEqual(expect.arrayContaining(["status", "type", "message", "requestId", "fields", "data"]));
		expect(error.properties.error.required).toEqual(["status", "type", "message"]);
		expect(doc.paths["/api/v1/users/register"].post.responses["422"].content?.["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
	});
});
