import { createHash, randomBytes } from "node:crypto";
import { startSpotifySimulator, type SpotifySimulator } from "../../simulators/spotify";

const REDIRECT = "http://127.0.0.1:8888/callback";

function pkce(): { verifier: string; challenge: string } {
	const verifier = randomBytes(48).toString("base64url");
	return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

describe("Spotify accounts simulator (PKCE)", () => {
	let sim: SpotifySimulator;
	beforeAll(async () => {
		sim = await startSpotifySimulator({ catalog: { artists: 5, seed: 3 } });
	});
	afterAll(() => sim.close());

	async function authorize(challenge: string, extra: Record<string, string> = {}): Promise<URL> {
		const url = new URL(`${sim.accountsUrl}/authorize`);
		const query = { client_id: sim.clientId, response_type: "code", redirect_uri: REDIRECT, code_challenge_method: "S256", code_challenge: challenge, state: "st-1", scope: "user-top-read", ...extra };
		for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
		const res = await fetch(url, { redirect: "manual" });
		expect(res.status).toBe(302);
		return new URL(res.headers.get("location") ?? "");
	}

	async function token(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
		const res = await fetch(`${sim.accountsUrl}/api/token`, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			body: new URLSearchParams(form).toString()
		});
		return { status: res.status, body: (await res.json()) as Record<string, unknown> };
	}

	const exchange = (code: string, verifier: string) =>
		token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: sim.clientId, code_verifier: verifier });

	it("redirects with a code and the state, and exchanges the code only with the right verifier, once", async () => {
		const { verifier, challenge } = pkce();
		const back = await authorize(challenge);
		expect(back.origin + back.pathname).toBe(REDIRECT);
		expect(back.searchParams.get("state")).toBe("st-1");
		const code = back.searchParams.get("code") ?? "";
		const wrong = await exchange(code, pkce().verifier);
		expect(wrong).toEqual({ status: 400, body: { error: "invalid_grant", error_description: "code_verifier was incorrect" } });
		// A failed attempt burns the code, as a real authorization server may.
		expect((await exchange(code, verifier)).body.error).toBe("invalid_grant");

		const again = (await authorize(challenge)).searchParams.get("code") ?? "";
		const ok = await exchange(again, verifier);
		expect(ok.status).toBe(200);
		expect(ok.body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "user-top-read" });
		expect(typeof ok.body.refresh_token).toBe("string");
		expect(sim.accounts.userOf(String(ok.body.access_token))).toBe("sim-user");
		expect((await exchange(again, verifier)).body).toMatchObject({ error: "invalid_grant", error_description: "Authorization code already used" });
	});

	it("accepts user tokens on the Web API", async () => {
		const { verifier, challenge } = pkce();
		const code = (await authorize(challenge)).searchParams.get("code") ?? "";
		const ok = await exchange(code, verifier);
		const res = await fetch(`${sim.apiUrl}/search?q=a&type=artist`, { headers: { authorization: `Bearer ${String(ok.body.access_token)}` } });
		expect(res.status).toBe(200);
	});

	it("refreshes, sometimes with a new refresh token that replaces the old one, and honours revocation", async () => {
		const { verifier, challenge } = pkce();
		const code = (await authorize(challenge, { sim_user: "rotor" })).searchParams.get("code") ?? "";
		const first = String((await exchange(code, verifier)).body.refresh_token);
		const r1 = await token({ grant_type: "refresh_token", refresh_token: first, client_id: sim.clientId });
		expect(r1.status).toBe(200);
		expect(r1.body.refresh_token).toBeUndefined();
		const r2 = await token({ grant_type: "refresh_token", refresh_token: first, client_id: sim.clientId });
		const second = String(r2.body.refresh_token);
		expect(second).not.toBe(first);
		expect(sim.accounts.currentRefreshToken("rotor")).toBe(second);
		expect((await token({ grant_type: "refresh_token", refresh_token: first, client_id: sim.clientId })).body.error).toBe("invalid_grant");
		sim.accounts.revokeRefreshTokens("rotor");
		expect((await token({ grant_type: "refresh_token", refresh_token: second, client_id: sim.clientId })).body).toMatchObject({
			error: "invalid_grant",
			error_description: "Refresh token revoked"
		});
	});

	it("refuses a wrong client, a bad redirect URI and expired codes, and reports denial through the redirect", async () => {
		const { verifier, challenge } = pkce();
		const code = (await authorize(challenge)).searchParams.get("code") ?? "";
		expect((await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT, client_id: "nope", code_verifier: verifier })).body.error).toBe("invalid_client");
		const badRedirect = await fetch(`${sim.accountsUrl}/authorize?client_id=${sim.clientId}&redirect_uri=http://localhost/cb&response_type=code`, { redirect: "manual" });
		expect(badRedirect.status).toBe(400);

		const late = (await authorize(challenge)).searchParams.get("code") ?? "";
		sim.advanceClock(11 * 60_000);
		expect((await exchange(late, verifier)).body.error_description).toBe("Authorization code expired");

		sim.accounts.denyNext();
		const denied = await authorize(challenge);
		expect(denied.searchParams.get("error")).toBe("access_denied");
		expect(denied.searchParams.get("state")).toBe("st-1");
	});
});
