/**
 * A typed client from the served OpenAPI document (issue 19): `openapi-typescript` generates the
 * types, and a small client file that reads songs by BPM, a login's session and a track must
 * type-check with tsc. The same file against a document whose answers have no schema (every body
 * `unknown`, as before) must fail, so the check proves the types are there.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startGateway, type TestGateway } from "../../harness/gateway";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../../..");

const CLIENT = `import type { paths } from "./api";

type SongsPage = paths["/api/v1/songs/bpm/{bpm}"]["get"]["responses"][200]["content"]["application/json"];
type Session = paths["/api/v1/auth/login"]["post"]["responses"][200]["content"]["application/json"];
type Track = paths["/api/v1/tracks/{id}"]["get"]["responses"][200]["content"]["application/json"];
type LoginBody = paths["/api/v1/auth/login"]["post"]["requestBody"]["content"]["application/json"];

declare function get<T>(path: string): Promise<T>;
declare function post<T>(path: string, body: LoginBody): Promise<T>;

export async function client(): Promise<string[]> {
	const session = await post<Session>("/api/v1/auth/login", { email: "runner@example.com", password: "correct horse battery" });
	const token: string = session.accessToken;
	const role: "user" | "admin" = session.user.role;
	const songs = await get<SongsPage>("/api/v1/songs/bpm/170");
	const next: string | null = songs.nextCursor;
	const tempos: Array<number | undefined> = songs.items.map(t => t.tempo);
	const track = await get<Track>(\`/api/v1/tracks/\${songs.items[0].id}\`);
	const title: string = track.name;
	const artists: string[] = track.artists;
	return [token, role, String(next), String(tempos.length), title, ...artists];
}
`;

async function generateAndCheck(dir: string, doc: unknown): Promise<{ ok: boolean; output: string }> {
	await writeFile(join(dir, "openapi.json"), JSON.stringify(doc));
	await run(process.execPath, [join(ROOT, "node_modules/openapi-typescript/bin/cli.js"), join(dir, "openapi.json"), "-o", join(dir, "api.d.ts")], { cwd: dir });
	await writeFile(join(dir, "client.ts"), CLIENT);
	const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
	try {
		await run(process.execPath, [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "preserve", "--moduleResolution", "bundler", join(dir, "client.ts")], { cwd: dir });
		return { ok: true, output: "" };
	} catch (err) {
		return { ok: false, output: String((err as { stdout?: string }).stdout ?? err) };
	}
}

/** The document as it was before answers had schemas: every success body `unknown`. */
function withoutAnswerSchemas(doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, object> }> }>> }) {
	const copy = structuredClone(doc);
	for (const ops of Object.values(copy.paths)) {
		for (const op of Object.values(ops)) {
			for (const [status, res] of Object.entries(op.responses)) if (status.startsWith("2") && res.content) res.content = { "application/json": {} };
		}
	}
	return copy;
}

describe("a client generated from the OpenAPI document", () => {
	let gw: TestGateway;
	let dir: string;
	beforeAll(async () => {
		gw = await startGateway([]);
		dir = await mkdtemp(join(tmpdir(), "cratedigger-client-"));
	});
	afterAll(async () => {
		await gw.stop();
		await rm(dir, { recursive: true, force: true });
	});

	it("types songs by BPM, a login and a track, and fails the check where bodies are unknown", async () => {
		const doc = (await gw.request<Parameters<typeof withoutAnswerSchemas>[0]>("GET", "/api/openapi.json")).body;
		const typed = await generateAndCheck(dir, doc);
		expect(typed).toEqual({ ok: true, output: "" });
		const untyped = await generateAndCheck(dir, withoutAnswerSchemas(doc));
		expect(untyped.ok).toBe(false);
		expect(untyped.output).toMatch(/is of type 'unknown'/);
	}, 120_000);
});
