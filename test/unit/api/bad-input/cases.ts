/**
 * Malformed requests for every operation of the gateway's OpenAPI document: each field of each
 * route gets wrong types, huge values, operator objects, traversal and unicode oddities, required
 * fields go missing, and bodies come broken, non-object, mistyped or oversized.
 */
import { effective, jsonBody, pathSegment, queryPairs } from "./encode";
import { conforms, requiredSample, sample, type Carrier, type JsonSchema } from "./schema";
import { BAD_BYTES, DEEPEST, DEPTH, describe, nestedArray, nestedObject, RawJson, variantsFor, type Family, type Variant } from "./values";

/** Nesting depth of values sent in a URL, where 2000 levels would not fit. */
const URL_DEPTH = 60;

export interface OpenApiParameter {
	name: string;
	in: "path" | "query";
	required?: boolean;
	schema: JsonSchema;
}
export interface OpenApiOperation {
	operationId: string;
	security?: unknown[];
	parameters?: OpenApiParameter[];
	requestBody?: { content: { "application/json": { schema: JsonSchema } } };
}
export interface OpenApiDocument {
	paths: Record<string, Record<string, OpenApiOperation>>;
}

/**
 * What a request must get. "4xx": it is malformed, so a client error (exactly `status` when set).
 * "no-5xx": it is odd but conforms to the contract, on a route that only reads: anything but a
 * server error (and nothing stored may change, which the suite checks at the end).
 */
export type Expectation = { kind: "4xx"; status?: number } | { kind: "no-5xx" } | { kind: "exact"; status: number };

export interface Case {
	/** "POST /api/v1/playlist/bpm/{bpm}" */
	route: string;
	family: Family;
	/** What is wrong, e.g. "body.duration = \"abc\"". */
	label: string;
	method: string;
	path: string;
	headers: Record<string, string>;
	body?: Buffer;
	anonymous: boolean;
	expect: Expectation;
}

/** Real ids of the seeded data, so lookups succeed and only the malformed part can stop a request. */
export interface KnownIds {
	user: string;
	track: string;
	playlist: string;
	task: string;
}

const JSON_TYPE = { "content-type": "application/json" };
const STRICT: Expectation = { kind: "4xx" };
const LENIENT: Expectation = { kind: "no-5xx" };

/** A field that names an entity (ids, URLs): odd text there names nothing, so a write must fail. */
const ID_LIKE = /(^ids?$|_ids?$|Ids?$|url)/i;

/** The seeded id a path parameter or body field should get, judged from the path segment before it or its name. */
export function hintFor(ids: KnownIds, name: string, segmentBefore = ""): string | undefined {
	const where = `${segmentBefore}/${name}`.toLowerCase();
	if (/(tracks|song)\/|trackid/.test(where)) return ids.track;
	if (/(users|user)\/|userid|user_id/.test(where)) return ids.user;
	if (/playlists\//.test(where)) return ids.playlist;
	if (/tasks\//.test(where)) return ids.task;
	return undefined;
}

/** What the server holds for a value once it has travelled: path and query values are text, so 1e400 stays "1e400". */
function onWire(value: unknown, carrier: Carrier): unknown {
	if (carrier === "body") return effective(value);
	const v = value instanceof RawJson ? value.text : effective(value);
	if (carrier === "path") return typeof v === "string" ? v : JSON.stringify(v);
	return typeof v === "number" || typeof v === "boolean" ? String(v) : v;
}

/** An id the API could have given out: no spaces, slashes, controls or operators, and not only dots. */
const PLAUSIBLE_ID = /^(?!\.+$)[A-Za-z0-9_.:-]+$/;

/**
 * The expectation for one malformed value, or null when the value is legitimate for a route that
 * writes (then sending it could rightly store something, and it proves nothing). A write must also
 * refuse control characters, lone surrogates and invalid UTF-8, and odd text where an id belongs.
 */
function judge(method: string, carrier: Carrier, name: string, schema: JsonSchema, v: Variant): Expectation | null {
	const wire = onWire(v.value, carrier);
	if (!conforms(schema, wire, carrier)) return STRICT;
	if (method === "GET") return LENIENT;
	if (v.badText) return STRICT;
	const idLike = carrier === "path" || ID_LIKE.test(name);
	return idLike && typeof wire === "string" && !PLAUSIBLE_ID.test(wire) ? STRICT : null;
}

/** A path segment written by hand (unencoded slashes, bad escapes): judged on what the server decodes. */
function judgeRaw(method: string, name: string, schema: JsonSchema, raw: string): Expectation | null {
	if (raw.includes("/")) return STRICT;
	let text: string;
	try {
		text = decodeURIComponent(raw);
	} catch {
		return STRICT;
	}
	return judge(method, "path", name, schema, { family: "traversal", label: raw, value: text, badText: [...text].some(ch => ch.charCodeAt(0) < 0x20) });
}

/** Query and path values are text: huge ones stay below what an HTTP request line may hold. */
function shortened(v: Variant): Variant {
	if (v.label === "nested arrays") return { ...v, value: nestedArray(URL_DEPTH) };
	if (v.label === "nested objects") return { ...v, value: nestedObject(URL_DEPTH) };
	if (typeof v.value === "string" && v.value.length > 8000) return { ...v, value: v.value.slice(0, 8000), label: describe(v.value.slice(0, 8000)) };
	if (Array.isArray(v.value) && v.value.length > 500) return { ...v, value: v.value.slice(0, 500), label: `array of 500` };
	return v;
}

interface Op {
	route: string;
	method: string;
	template: string;
	pathParams: OpenApiParameter[];
	queryParams: OpenApiParameter[];
	bodySchema?: JsonSchema;
}

function operations(doc: OpenApiDocument): Op[] {
	const out: Op[] = [];
	for (const [template, methods] of Object.entries(doc.paths)) {
		for (const [m, op] of Object.entries(methods)) {
			const method = m.toUpperCase();
			const params = op.parameters ?? [];
			out.push({
				route: `${method} ${template}`,
				method,
				template,
				pathParams: params.filter(p => p.in === "path"),
				queryParams: params.filter(p => p.in === "query"),
				bodySchema: op.requestBody?.content["application/json"].schema
			});
		}
	}
	return out;
}

/** Builds the request of an operation from path values, query pairs and a body. */
function build(o: Op, path: Record<string, string>, query: string[], body: Buffer | undefined, headers: Record<string, string> = JSON_TYPE) {
	const p = o.template.replace(/\{(\w+)\}/g, (_m, name: string) => path[name]);
	return { method: o.method, path: query.length ? `${p}?${query.join("&")}` : p, headers: body === undefined ? {} : headers, body };
}

export interface CaseOptions {
	ids: KnownIds;
	/** The gateway's body limit in bytes: the oversized body goes just over it. */
	bodyLimit: number;
}

/** Every malformed request for every operation in the document, as an admin. */
export function casesFor(doc: OpenApiDocument, opts: CaseOptions): Case[] {
	const cases: Case[] = [];
	for (const o of operations(doc)) cases.push(...operationCases(o, opts));
	return cases;
}

/** The well-formed request of an operation that its malformed ones vary: seeded ids, required fields only. */
function baseline(o: Op, ids: KnownIds) {
	const segments = o.template.split("/");
	const basePath: Record<string, string> = {};
	for (const p of o.pathParams) {
		const before = segments[segments.indexOf(`{${p.name}}`) - 1] ?? "";
		basePath[p.name] = pathSegment(sample(p.schema, hintFor(ids, p.name, before)));
	}
	const hints = (props: Record<string, JsonSchema>) => Object.fromEntries(Object.keys(props).map(k => [k, hintFor(ids, k)]));
	const required = o.queryParams.filter(p => p.required);
	const baseQuery = required.flatMap(p => queryPairs(p.name, sample(p.schema, hintFor(ids, p.name))));
	const bodySchema = o.bodySchema ?? (o.method === "GET" ? undefined : { type: "object", properties: {} });
	const baseBody = bodySchema ? requiredSample(bodySchema, hints(bodySchema.properties ?? {})) : undefined;
	const baseBodyBytes = baseBody === undefined ? undefined : jsonBody(baseBody);
	return { basePath, baseQuery, bodySchema, baseBody, baseBodyBytes };
}

/** One well-formed request per operation of the document, as an admin. */
export function wellFormedRequests(doc: OpenApiDocument, ids: KnownIds): Array<{ route: string } & ReturnType<typeof build>> {
	return operations(doc).map(o => {
		const { basePath, baseQuery, baseBodyBytes } = baseline(o, ids);
		return { route: o.route, ...build(o, basePath, baseQuery, baseBodyBytes) };
	});
}

function operationCases(o: Op, { ids, bodyLimit }: CaseOptions): Case[] {
	const out: Case[] = [];
	const add = (family: Family, label: string, req: ReturnType<typeof build>, expect: Expectation) =>
		out.push({ route: o.route, family, label, ...req, anonymous: false, expect });
	const { basePath, baseQuery, bodySchema, baseBody, baseBodyBytes } = baseline(o, ids);

	// Path parameters: every family, percent-encoded, and a few raw forms no encoder produces.
	for (const p of o.pathParams) {
		for (const v0 of variantsFor(p.schema)) {
			const v = shortened(v0);
			const expect = judge(o.method, "path", p.name, p.schema, v);
			if (!expect) continue;
			add(v.family, `path.${p.name} = ${v.label}`, build(o, { ...basePath, [p.name]: pathSegment(v.value) }, baseQuery, baseBodyBytes), expect);
		}
		for (const raw of ["../../../../etc/passwd", "..;/..;/etc/passwd", "%00", "%E0%A4%A", "%", "%2e%2e", ".."]) {
			const expect = judgeRaw(o.method, p.name, p.schema, raw);
			if (!expect) continue;
			add(raw.includes("%") && !raw.startsWith("%2e") ? "encoding" : "traversal", `path.${p.name} = raw ${raw}`, build(o, { ...basePath, [p.name]: raw }, baseQuery, baseBodyBytes), expect);
		}
	}

	// Query parameters (GET and DELETE carry their params there).
	for (const p of o.queryParams) {
		const others = baseQuery.filter(pair => !pair.startsWith(`${encodeURIComponent(p.name)}=`));
		for (const v0 of variantsFor(p.schema)) {
			const v = shortened(v0);
			const expect = judge(o.method, "query", p.name, p.schema, v);
			if (!expect) continue;
			add(v.family, `query.${p.name} = ${v.label}`, build(o, basePath, [...others, ...queryPairs(p.name, v.value)], baseBodyBytes), expect);
		}
		add("operator", `query ${p.name}[$ne]=`, build(o, basePath, [...others, `${encodeURIComponent(p.name)}[$ne]=`], baseBodyBytes), STRICT);
		if (p.required) add("missing", `query.${p.name} missing`, build(o, basePath, others, baseBodyBytes), STRICT);
	}
	// Operator-looking keys outside the declared fields: nothing of that shape may get through.
	add("operator", "query $where=1", build(o, basePath, [...baseQuery, "$where=1"], baseBodyBytes), STRICT);
	add("operator", "query filter[$gt]=", build(o, basePath, [...baseQuery, "filter[$gt]="], baseBodyBytes), STRICT);
	// Secrets in the URL end up in logs and histories: refused whatever the route.
	for (const pair of ["password=correct%20horse%20battery", "refreshToken=aaaaaaaaaaaaaaaaaaaaaaaaa", "access_token=x"]) {
		add("credentials", `query ${pair.split("=")[0]}=...`, build(o, basePath, [...baseQuery, pair], baseBodyBytes), { kind: "4xx", status: 400 });
	}
	// Prototype keys in the query: the parser would drop them silently; they are refused instead.
	for (const pair of ["__proto__[role]=admin", "constructor[prototype][role]=admin"]) add("prototype", `query ${pair}`, build(o, basePath, [...baseQuery, pair], baseBodyBytes), STRICT);
	// OPTIONS, as a "preflight" for the route's own method and with its body: answered, never run.
	add("options", `OPTIONS as a preflight for ${o.method}, with a body`, { ...build(o, basePath, baseQuery, baseBodyBytes ?? jsonBody({})), method: "OPTIONS", headers: { ...JSON_TYPE, "access-control-request-method": o.method } }, { kind: "exact", status: 204 });

	if (!bodySchema || baseBody === undefined) return out;

	// Body fields.
	for (const [name, schema] of Object.entries(bodySchema.properties ?? {})) {
		for (const v of variantsFor(schema)) {
			const expect = judge(o.method, "body", name, schema, v);
			if (!expect) continue;
			add(v.family, `body.${name} = ${v.label}`, build(o, basePath, baseQuery, jsonBody({ ...baseBody, [name]: v.value })), expect);
		}
	}
	for (const name of bodySchema.required ?? []) {
		const rest = { ...baseBody };
		delete rest[name];
		add("missing", `body.${name} missing`, build(o, basePath, baseQuery, jsonBody(rest)), STRICT);
		add("wrong-type", `body.${name} = null`, build(o, basePath, baseQuery, jsonBody({ ...baseBody, [name]: null })), STRICT);
	}
	add("operator", 'body {"$where": ...}', build(o, basePath, baseQuery, jsonBody({ ...baseBody, $where: "sleep(5000) || true" })), STRICT);
	add("operator", 'body {"$set": ...}', build(o, basePath, baseQuery, jsonBody({ ...baseBody, $set: { role: "admin" } })), STRICT);

	// Prototype keys: moleculer-web merges the body with Object.assign, where "__proto__" sets the prototype.
	const bodyText = jsonBody(baseBody).toString("utf8");
	const firstField = Object.keys(bodySchema.properties ?? {})[0] ?? "field";
	for (const [label, inject] of [
		["__proto__ holding every field", `"__proto__":${JSON.stringify({ ...baseBody, role: "admin" })}`],
		["constructor.prototype", '"constructor":{"prototype":{"role":"admin"}}']
	] as const) {
		const text = bodyText === "{}" ? `{${inject}}` : `{${inject},${bodyText.slice(1)}`;
		add("prototype", `body ${label}`, build(o, basePath, baseQuery, Buffer.from(text)), STRICT);
	}
	add("prototype", `body.${firstField} = {"__proto__": ...}`, build(o, basePath, baseQuery, jsonBody({ ...baseBody, [firstField]: new RawJson('{"__proto__":{"role":"admin"}}') })), STRICT);

	// Whole bodies: broken JSON is a 400; a body that is not a JSON object, or not JSON, is a 4xx.
	const broken = ["{bad", '{"a":', "{'a': 1}", '{"a": 1,}', '{"a": NaN}', "\u0000{}", '{"a": "\\x41"}'];
	for (const text of broken) add("bad-json", `body ${JSON.stringify(text)}`, build(o, basePath, baseQuery, Buffer.from(text)), { kind: "4xx", status: 400 });
	for (const b of BAD_BYTES) add("bad-json", `body with ${b.label} outside strings`, build(o, basePath, baseQuery, Buffer.concat([Buffer.from("{"), b.raw.bytes, Buffer.from("}")])), { kind: "4xx", status: 400 });
	for (const text of ["[]", "[1, 2]", '"text"', "42", "null", "true", "[".repeat(DEPTH) + "]".repeat(DEPTH), "[".repeat(DEEPEST) + "]".repeat(DEEPEST)]) {
		add("bad-json", `body ${text.length > 20 ? `array nested ${text.length / 2} levels` : text}`, build(o, basePath, baseQuery, Buffer.from(text)), STRICT);
	}
	for (const [label, deep] of [
		["array", "[".repeat(DEEPEST) + "]".repeat(DEEPEST)],
		["object", '{"a":'.repeat(DEEPEST) + "{}" + "}".repeat(DEEPEST)]
	] as const) {
		add("bad-json", `body.${firstField} = ${label} nested ${DEEPEST} levels`, build(o, basePath, baseQuery, jsonBody({ ...baseBody, [firstField]: new RawJson(deep) })), { kind: "4xx", status: 400 });
	}
	// A Content-Encoding the body does not decode as: 400, never a 500 from zlib.
	for (const encoding of ["gzip", "deflate", "br", "zstd"]) {
		add("encoding", `body labelled ${encoding} that does not decode`, build(o, basePath, baseQuery, baseBodyBytes, { ...JSON_TYPE, "content-encoding": encoding }), { kind: "4xx", status: 400 });
	}
	for (const type of ["text/plain", "application/xml", "application/octet-stream"]) {
		add("content-type", `body sent as ${type}`, build(o, basePath, baseQuery, baseBodyBytes, { "content-type": type }), STRICT);
	}
	add("content-type", "JSON body sent with no content-type", build(o, basePath, baseQuery, baseBodyBytes, {}), STRICT);
	add("huge", `body over the limit (${bodyLimit + 1024} bytes)`, build(o, basePath, baseQuery, jsonBody({ ...baseBody, padding: "x".repeat(bodyLimit + 1024) })), { kind: "4xx", status: 413 });
	return out;
}

/** Requests to routes that do not exist, next to real ones: 404. */
export function unknownRouteCases(doc: OpenApiDocument): Case[] {
	const prefixes = [...new Set(Object.keys(doc.paths).map(p => p.split("/").slice(0, 4).join("/")))];
	const out: Case[] = [];
	for (const prefix of prefixes) {
		for (const [method, path] of [
			["GET", `${prefix}/no-such-route-xyz`],
			["PUT", prefix]
		]) {
			if (doc.paths[path]?.[method.toLowerCase()]) continue;
			out.push({ route: `${method} ${path}`, family: "route", label: "unknown route", method, path, headers: {}, anonymous: false, expect: { kind: "4xx", status: 404 } });
		}
	}
	out.push({ route: "GET /api/v2/tracks", family: "route", label: "unknown version", method: "GET", path: "/api/v2/tracks", headers: {}, anonymous: false, expect: { kind: "4xx", status: 404 } });
	return out;
}

/** A request line longer than an HTTP server reads (Node's limit is 16 KB of headers): still a 4xx in the error shape. */
export function oversizedUrlCase(doc: OpenApiDocument): Case {
	const path = Object.keys(doc.paths).find(p => doc.paths[p].get && !p.includes("{")) ?? "/api/v1/openapi.json";
	return { route: `GET ${path}`, family: "huge", label: "20 KB query string", method: "GET", path: `${path}?q=${"x".repeat(20_000)}`, headers: {}, anonymous: false, expect: STRICT };
}

/** A sample of `cases` again without a token: the first few strict ones of each route. */
export function anonymousSample(cases: Case[], perRoute: number): Case[] {
	const taken = new Map<string, number>();
	const out: Case[] = [];
	for (const c of cases) {
		if (c.expect.kind !== "4xx" || c.expect.status !== undefined) continue;
		const n = taken.get(c.route) ?? 0;
		if (n >= perRoute) continue;
		taken.set(c.route, n + 1);
		out.push({ ...c, anonymous: true, expect: STRICT });
	}
	return out;
}
