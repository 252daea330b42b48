import type { ServiceSchema } from "moleculer";
import { encryptionKeyBytes } from "../../../config/auth";
import type { SpotifyLinkDoc, SpotifyStateDoc, SpotifyStatus, UserProfile } from "../../../services/users/model";
import { unseal } from "../../../services/users/sealed";
import type { SpotifyAccessToken } from "../../../services/users/spotify-link";
import UsersService, { type SessionView } from "../../../services/users.service";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { startSpotifySimulator, type SpotifySimulator } from "../../simulators/spotify";
import { bearer, FAST_HASH, register, usersCollection } from "./helpers";

const KEY = "ab".repeat(32);
const REDIRECT = "http://127.0.0.1:8888/callback";

interface AuthUrl {
	url: string;
	state: string;
	expiresAt: string;
	scopes: string[];
}

describe("users: Spotify account linking with PKCE", () => {
	let sim: SpotifySimulator;
	let gw: TestGateway;

	beforeAll(async () => {
		sim = await startSpotifySimulator({ catalog: { artists: 3, seed: 5 } });
		gw = await startGateway([UsersService as ServiceSchema], {
			...FAST_HASH,
			TOKEN_ENCRYPTION_KEY: KEY,
			SPOTIFY_CLIENT_ID: sim.clientId,
			SPOTIFY_CLIENT_SECRET: sim.clientSecret,
			SPOTIFY_ACCOUNTS_URL: sim.accountsUrl,
			SPOTIFY_API_URL: sim.apiUrl,
			SPOTIFY_REDIRECT_URI: REDIRECT
		});
	});
	afterAll(async () => {
		await gw.stop();
		await sim.close();
	});

	/** What the user's browser does: open the authorize URL, approve, come back with a code. */
	async function approve(authUrl: string, simUser: string): Promise<URL> {
		const res = await fetch(`${authUrl}&sim_user=${simUser}`, { redirect: "manual" });
		expect(res.status).toBe(302);
		return new URL(res.headers.get("location") ?? "");
	}

	async function link(session: SessionView, simUser: string): Promise<SpotifyStatus> {
		const start = await gw.request<AuthUrl>("GET", "/api/v1/spotify/auth/url", { headers: bearer(session) });
		const back = await approve(start.body.url, simUser);
		const res = await gw.request<SpotifyStatus>("POST", "/api/v1/spotify/auth/token", {
			headers: bearer(session),
			body: { code: back.searchParams.get("code"), state: back.searchParams.get("state") }
		});
		expect(res.status).toBe(200);
		return res.body;
	}

	const accessToken = (userId: string) => gw.broker.call<SpotifyAccessToken, { userId: string }>("users.spotifyAccessToken", { userId });
	const links = () => usersCollection<SpotifyLinkDoc>(gw.broker, "spotifyLinks");

	it("builds an authorize URL with state and an S256 challenge, and keeps the verifier server-side", async () => {
		const s = await register(gw);
		const res = await gw.request<AuthUrl>("GET", "/api/v1/spotify/auth/url", { headers: bearer(s) });
		expect(res.status).toBe(200);
		const url = new URL(res.body.url);
		expect(url.origin + url.pathname).toBe(`${sim.accountsUrl}/authorize`);
		expect(Object.fromEntries(url.searchParams)).toMatchObject({
			client_id: sim.clientId,
			response_type: "code",
			redirect_uri: REDIRECT,
			code_challenge_method: "S256",
			state: res.body.state,
			scope: "playlist-modify-private playlist-modify-public user-read-recently-played user-top-read"
		});
		expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(url.searchParams.has("code_verifier")).toBe(false);
		const pending = await usersCollection<SpotifyStateDoc>(gw.broker, "spotifyStates").find({ userId: s.user.id });
		expect(pending).toHaveLength(1);
		expect(JSON.stringify(pending)).not.toContain(res.body.state);
		expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
		expect((await gw.request("GET", "/api/v1/spotify/auth/url")).status).toBe(401);
	});

	it("links an account: the code exchange stores sealed tokens; the owner gets the access token, never the refresh token", async () => {
		const s = await register(gw);
		const answer = (await link(s, "linker")) as SpotifyStatus & { accessToken: string; access_token: string; expiresIn: number; expires_in: number; tokenType: string };
		const { accessToken: given, access_token, expiresIn, expires_in, tokenType, token_type, ...status } = answer as typeof answer & { token_type: string };
		expect(status).toMatchObject({ linked: true, scopes: expect.arrayContaining(["user-top-read"]) });
		expect(new Date((status as { expiresAt: string }).expiresAt).getTime()).toBeGreaterThan(Date.now() + 3000_000);
		expect({ access_token, tokenType, token_type }).toEqual({ access_token: given, tokenType: "Bearer", token_type: "Bearer" });
		expect(expiresIn).toBeGreaterThan(3000);
		expect(expires_in).toBe(expiresIn);

		const profile = await gw.request<UserProfile>("GET", `/api/v1/users/${s.user.id}`, { headers: bearer(s) });
		expect(profile.body.spotify).toEqual(status);

		const token = await accessToken(s.user.id);
		const refresh = sim.accounts.currentRefreshToken("linker") ?? "";
		expect(given).toBe(token.accessToken);
		expect(JSON.stringify(answer)).not.toContain(refresh);
		expect(sim.accounts.userOf(token.accessToken)).toBe("linker");
		const stored = await links().findOne({ _id: s.user.id });
		const raw = JSON.stringify(stored);
		expect(raw).not.toContain(token.accessToken);
		expect(raw).not.toContain(refresh);
		expect(JSON.stringify(profile.body)).not.toContain(token.accessToken);
		// Sealed for this user and field: the same value does not open as another user's or as the access token.
		const key = encryptionKeyBytes(KEY) as Buffer;
		expect(unseal(stored?.refresh ?? "", key, `${s.user.id}:spotify.refresh`)).toBe(refresh);
		expect(unseal(stored?.refresh ?? "", key, `${s.user.id}:spotify.access`)).toBeUndefined();
		expect(unseal(stored?.refresh ?? "", key, `someone-else:spotify.refresh`)).toBeUndefined();

		// The token works on the Web API, and a token far from expiry is handed out without a refresh.
		const api = await fetch(`${sim.apiUrl}/search?q=a&type=artist`, { headers: { authorization: `Bearer ${token.accessToken}` } });
		expect(api.status).toBe(200);
		const before = sim.accounts.stats().refreshes;
		expect((await accessToken(s.user.id)).accessToken).toBe(token.accessToken);
		expect(sim.accounts.stats().refreshes).toBe(before);

		// The owner reads the live token at any time; other users and anonymous callers cannot.
		const own = await gw.request<{ accessToken: string; linked: boolean }>("GET", "/api/v1/spotify/auth/token", { headers: bearer(s) });
		expect(own.status).toBe(200);
		expect(own.body).toMatchObject({ linked: true, accessToken: token.accessToken });
		expect(JSON.stringify(own.body)).not.toContain(refresh);
		expect((await gw.request("GET", "/api/v1/spotify/auth/token")).status).toBe(401);
		const stranger = await register(gw);
		expect((await gw.request("GET", "/api/v1/spotify/auth/token", { headers: bearer(stranger) })).status).toBe(409);
	});

	it("accepts a state once, only from the user who started it, and reports a refused code", async () => {
		const s = await register(gw);
		const other = await register(gw);
		const start = await gw.request<AuthUrl>("GET", "/api/v1/spotify/auth/url", { headers: bearer(s) });
		const back = await approve(start.body.url, "stateful");
		const body = { code: back.searchParams.get("code"), state: back.searchParams.get("state") };
		const stolen = await gw.request<ErrorBody>("POST", "/api/v1/spotify/auth/token", { headers: bearer(other), body });
		expect(stolen.status).toBe(400);
		expect(stolen.body.error.type).toBe("SPOTIFY_INVALID_STATE");
		expect((await gw.request("POST", "/api/v1/spotify/auth/token", { headers: bearer(s), body })).status).toBe(200);
		const replay = await gw.request<ErrorBody>("POST", "/api/v1/spotify/auth/token", { headers: bearer(s), body });
		expect(replay.body.error.type).toBe("SPOTIFY_INVALID_STATE");

		const next = await gw.request<AuthUrl>("GET", "/api/v1/spotify/auth/url", { headers: bearer(s) });
		const refused = await gw.request<ErrorBody>("POST", "/api/v1/spotify/auth/token", { headers: bearer(s), body: { code: "AQnot-a-real-code", state: next.body.state } });
		expect(refused.status).toBe(400);
		expect(refused.body.error.type).toBe("SPOTIFY_INVALID_GRANT");
		expect((await gw.request("POST", "/api/v1/spotify/auth/token", { headers: bearer(s), body: { code: "x", state: { $ne: "" } } })).status).toBe(422);
	});

	it("refreshes before expiry, stores each new refresh token, and shares one refresh among concurrent callers", async () => {
		const s = await register(gw);
		await link(s, "runner");
		// Tokens that live 2 minutes are always inside the 5-minute margin: each hand-out refreshes.
		sim.accounts.setUserTokenTtl(120);
		sim.accounts.setRefreshRotation("always");
		const forced = await gw.request<SpotifyStatus & { expiresAt: string; accessToken: string }>("POST", "/api/v1/spotify/auth/refresh", { headers: bearer(s) });
		expect(forced.status).toBe(200);
		expect(new Date(forced.body.expiresAt).getTime()).toBeLessThan(Date.now() + 121_000);
		// The refreshed token is the one handed back, and it works.
		expect(sim.accounts.userOf(forced.body.accessToken)).toBe("runner");
		const key = encryptionKeyBytes(KEY) as Buffer;
		const storedRefresh = async () => unseal((await links().findOne({ _id: s.user.id }))?.refresh ?? "", key, `${s.user.id}:spotify.refresh`);
		expect(await storedRefresh()).toBe(sim.accounts.currentRefreshToken("runner"));

		const before = sim.accounts.stats().refreshes;
		const tokens = await Promise.all([1, 2, 3, 4].map(() => accessToken(s.user.id)));
		expect(sim.accounts.stats().refreshes).toBe(before + 1);
		expect(new Set(tokens.map(t => t.accessToken)).size).toBe(1);
		expect(await storedRefresh()).toBe(sim.accounts.currentRefreshToken("runner"));
		// The rotated refresh token was stored, so the next refresh (which needs it) works too.
		await accessToken(s.user.id);
		expect(sim.accounts.stats().refreshes).toBe(before + 2);

		sim.accounts.setRefreshRotation("never");
		const kept = await storedRefresh();
		await accessToken(s.user.id);
		expect(await storedRefresh()).toBe(kept);
		sim.accounts.setUserTokenTtl(3600);
		sim.accounts.setRefreshRotation("alternate");
	});

	it("keeps the link through an upstream failure and drops it when Spotify revokes the grant", async () => {
		const s = await register(gw);
		await link(s, "revoked");
		sim.accounts.failNext(503);
		const failed = await gw.request<ErrorBody>("POST", "/api/v1/spotify/auth/refresh", { headers: bearer(s) });
		expect(failed.status).toBe(502);
		expect((await gw.request("POST", "/api/v1/spotify/auth/refresh", { headers: bearer(s) })).status).toBe(200);

		sim.accounts.revokeRefreshTokens("revoked");
		const gone = await gw.request<ErrorBody>("POST", "/api/v1/spotify/auth/refresh", { headers: bearer(s) });
		expect(gone.status).toBe(409);
		expect(gone.body.error.type).toBe("SPOTIFY_NOT_LINKED");
		await expect(accessToken(s.user.id)).rejects.toMatchObject({ code: 409, type: "SPOTIFY_NOT_LINKED" });
		expect((await gw.request<UserProfile>("GET", `/api/v1/users/${s.user.id}`, { headers: bearer(s) })).body.spotify).toEqual({ linked: false });
	});

	it("unlinks, after which other services get SPOTIFY_NOT_LINKED", async () => {
		const s = await register(gw);
		await link(s, "leaver");
		expect((await gw.request("DELETE", "/api/v1/spotify/auth", { headers: bearer(s) })).body).toEqual({ linked: false, removed: true });
		await expect(accessToken(s.user.id)).rejects.toMatchObject({ code: 409, type: "SPOTIFY_NOT_LINKED" });
	});
});

describe("users: Spotify linking without its configuration", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway([UsersService as ServiceSchema], FAST_HASH);
	});
	afterAll(() => gw.stop());

	it("answers 503 naming the missing variables, and 409 to services asking for a token", async () => {
		const s = await register(gw);
		const res = await gw.request<ErrorBody>("GET", "/api/v1/spotify/auth/url", { headers: bearer(s) });
		expect(res.status).toBe(503);
		expect(res.body.error.type).toBe("SPOTIFY_LINKING_DISABLED");
		expect(res.body.error.message).toContain("TOKEN_ENCRYPTION_KEY, SPOTIFY_CLIENT_ID, SPOTIFY_REDIRECT_URI");
		expect((await gw.request("POST", "/api/v1/spotify/auth/token", { headers: bearer(s), body: { code: "c", state: "s".repeat(43) } })).status).toBe(503);
		await expect(gw.broker.call("users.spotifyAccessToken", { userId: s.user.id })).rejects.toMatchObject({ code: 409, type: "SPOTIFY_NOT_LINKED" });
	});
});
