import { startSpotifySimulator, type SpotifySimulator } from "../../simulators";

const TRACK = (n: number) => `spotify:track:${String(n).padStart(22, "A")}`;

describe("Spotify simulator: user playlists (POST /me/playlists, POST /playlists/{id}/items)", () => {
	let sim: SpotifySimulator;
	beforeAll(async () => {
		sim = await startSpotifySimulator({ catalog: { tracks: 20, seed: 3 } });
	});
	afterAll(() => sim.close());
	afterEach(() => sim.setRateLimit({ maxPerWindow: null }));

	const post = async (path: string, token: string | undefined, body: unknown) => {
		const res = await fetch(`${sim.apiUrl}${path}`, {
			method: "POST",
			headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
			body: JSON.stringify(body)
		});
		return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
	};
	const create = async (token: string) => (await post("/me/playlists", token, { name: "Run 170", description: "test", public: false })).body;

	it("creates a playlist owned by the token's user and adds up to 100 items a call", async () => {
		const token = sim.users.issueUserToken("runner");
		const created = await post("/me/playlists", token, { name: "Run 170", public: false });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ name: "Run 170", public: false, type: "playlist", owner: { id: "runner" } });
		const id = created.body.id as string;
		expect(created.body.uri).toBe(`spotify:playlist:${id}`);
		const hundred = Array.from({ length: 100 }, (_, i) => TRACK(i));
		const added = await post(`/playlists/${id}/items`, token, { uris: hundred });
		expect(added.status).toBe(201);
		expect(typeof added.body.snapshot_id).toBe("string");
		expect((await post(`/playlists/${id}/items`, token, { uris: [TRACK(100)] })).status).toBe(201);
		expect(sim.users.playlist(id)).toMatchObject({ batches: [100, 1] });
		expect(sim.users.playlist(id)?.uris).toEqual([...hundred, TRACK(100)]);
	});

	it("refuses more than 100 URIs, bad URIs and someone else's playlist", async () => {
		const token = sim.users.issueUserToken("runner");
		const { id } = await create(token);
		const tooMany = await post(`/playlists/${id as string}/items`, token, { uris: Array.from({ length: 101 }, (_, i) => TRACK(i)) });
		expect(tooMany.status).toBe(400);
		expect(tooMany.body).toMatchObject({ error: { status: 400 } });
		expect((await post(`/playlists/${id as string}/items`, token, { uris: ["spotify:track:nope"] })).status).toBe(400);
		expect((await post(`/playlists/${id as string}/items`, token, { uris: [] })).status).toBe(400);
		expect((await post(`/playlists/${id as string}/items`, sim.users.issueUserToken("other"), { uris: [TRACK(1)] })).status).toBe(403);
		expect((await post("/playlists/0000000000000000000000/items", token, { uris: [TRACK(1)] })).status).toBe(404);
		expect((await post("/me/playlists", token, { description: "no name" })).status).toBe(400);
		expect(sim.users.playlist(id as string)?.uris).toEqual([]);
	});

	it("answers 401 without a token, with an unknown one, with an app token and with an expired one", async () => {
		expect((await post("/me/playlists", undefined, { name: "x" })).status).toBe(401);
		expect((await post("/me/playlists", "BQnotatoken", { name: "x" })).status).toBe(401);
		expect((await post("/me/playlists", sim.issueToken(), { name: "x" })).status).toBe(401);
		const token = sim.users.issueUserToken("runner", 60);
		expect((await post("/me/playlists", token, { name: "x" })).status).toBe(201);
		sim.advanceClock(61_000);
		const expired = await post("/me/playlists", token, { name: "x" });
		expect(expired.status).toBe(401);
		expect(expired.body).toMatchObject({ error: { message: "The access token expired" } });
	});

	it("rate limits with 429 and Retry-After from the shared window, and forces failures on request", async () => {
		const token = sim.users.issueUserToken("runner");
		sim.setRateLimit({ maxPerWindow: 1, windowMs: 30_000 });
		expect((await post("/me/playlists", token, { name: "a" })).status).toBe(201);
		const limited = await post("/me/playlists", token, { name: "b" });
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
		sim.setRateLimit({ maxPerWindow: null });
		sim.users.failNext(1, 503, { after: 1 });
		expect((await post("/me/playlists", token, { name: "c" })).status).toBe(201);
		expect((await post("/me/playlists", token, { name: "d" })).status).toBe(503);
		expect((await post("/me/playlists", token, { name: "e" })).status).toBe(201);
	});

	it("accepts the user tokens of the PKCE grants", async () => {
		const verifier = "v".repeat(50);
		const { createHash } = await import("node:crypto");
		const challenge = createHash("sha256").update(verifier).digest("base64url");
		const redirectUri = "http://127.0.0.1:9/callback";
		const authorize = new URL(`${sim.accountsUrl}/authorize`);
		for (const [k, v] of Object.entries({ client_id: sim.clientId, response_type: "code", redirect_uri: redirectUri, code_challenge_method: "S256", code_challenge: challenge, sim_user: "pkce-user" })) {
			authorize.searchParams.set(k, v);
		}
		const redirect = await fetch(authorize, { redirect: "manual" });
		const code = new URL(redirect.headers.get("location") ?? "").searchParams.get("code") ?? "";
		const tokenRes = await fetch(`${sim.accountsUrl}/api/token`, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, client_id: sim.clientId, code_verifier: verifier })
		});
		const { access_token: token } = (await tokenRes.json()) as { access_token: string };
		const created = await post("/me/playlists", token, { name: "linked" });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ owner: { id: "pkce-user" } });
	});
});
