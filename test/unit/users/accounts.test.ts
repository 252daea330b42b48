import type { ServiceSchema } from "moleculer";
import type { UserDoc, UserProfile } from "../../../services/users/model";
import { verifyPassword } from "../../../services/users/passwords";
import UsersService, { type SessionView } from "../../../services/users.service";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { bearer, FAST_HASH, PASSWORD, register, usersCollection } from "./helpers";

describe("users: registration, login, sessions", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway([UsersService as ServiceSchema], { ...FAST_HASH, ADMIN_EMAILS: "boss@example.com", LOGIN_MAX_FAILURES: "3" });
	});
	afterAll(() => gw.stop());

	it("registers a user with preferences, answers 201 with a session and never the password", async () => {
		const res = await gw.request<SessionView>("POST", "/api/v1/users/register", {
			body: {
				email: "  Runner@Example.com ",
				password: PASSWORD,
				displayName: " Runner ",
				preferences: { genres: ["drum and bass", "Drum and Bass", "house"], artists: ["Pendulum"], moods: ["focused"], cadence: 172 }
			}
		});
		expect(res.status).toBe(201);
		const { user, accessToken, refreshToken, tokenType, expiresIn } = res.body;
		expect(user).toMatchObject({
			email: "runner@example.com",
			displayName: "Runner",
			role: "user",
			preferences: { genres: ["drum and bass", "house"], artists: ["Pendulum"], moods: ["focused"], cadence: 172 },
			following: [],
			spotify: { linked: false }
		});
		expect(tokenType).toBe("Bearer");
		expect(expiresIn).toBe(900);
		expect(accessToken.split(".")).toHaveLength(3);
		expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
		expect(JSON.stringify(res.body)).not.toContain("scrypt");

		const again = await gw.request<ErrorBody>("POST", "/api/v1/users/register", { body: { email: "RUNNER@example.com", password: PASSWORD, displayName: "Two" } });
		expect(again.status).toBe(409);
		expect(again.body.error.type).toBe("EMAIL_TAKEN");
	});

	it("stores a salted scrypt hash with its parameters, and two equal passwords hash differently", async () => {
		const a = await register(gw);
		const b = await register(gw);
		const docs = usersCollection<UserDoc>(gw.broker, "users");
		const [da, db] = [await docs.findOne({ _id: a.user.id }), await docs.findOne({ _id: b.user.id })];
		expect(da?.passwordHash).toMatch(/^\$scrypt\$ln=12,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
		expect(da?.passwordHash).not.toBe(db?.passwordHash);
		expect(JSON.stringify(da)).not.toContain(PASSWORD);
		expect(await verifyPassword(PASSWORD, da?.passwordHash ?? "")).toBe(true);
		expect(await verifyPassword("correct horse battery!", da?.passwordHash ?? "")).toBe(false);
	});

	it("makes emails listed in ADMIN_EMAILS admins", async () => {
		const boss = await register(gw, { email: "Boss@example.com" });
		expect(boss.user.role).toBe("admin");
	});

	it("refuses malformed registrations with 422 and the fields at fault", async () => {
		const bad: unknown[] = [
			{},
			{ email: "not-an-email", password: PASSWORD, displayName: "x" },
			{ email: { $ne: "" }, password: PASSWORD, displayName: "x" },
			{ email: "a@example.com", password: "short", displayName: "x" },
			{ email: "a@example.com", password: "p".repeat(201), displayName: "x" },
			{ email: "a@example.com", password: PASSWORD, displayName: "" },
			{ email: "a@example.com", password: PASSWORD, displayName: "bad\u0000name" },
			{ email: "a@example.com", password: PASSWORD, displayName: "x".repeat(61) },
			{ email: "a@example.com", password: PASSWORD, displayName: "x", role: "admin" },
			{ email: "a@example.com", password: PASSWORD, displayName: "x", preferences: { genres: "house" } },
			{ email: "a@example.com", password: PASSWORD, displayName: "x", preferences: { genres: [1] } },
			{ email: "a@example.com", password: PASSWORD, displayName: "x", preferences: { cadence: 999 } },
			{ email: "a@example.com", password: PASSWORD, displayName: "x", preferences: { cadence: "fast" } },
			{ email: "a@example.com", password: PASSWORD, displayName: "x", preferences: { colour: ["blue"] } },
			{ email: "a@example.com", password: PASSWORD, displayName: "x", preferences: { moods: Array(21).fill("calm") } }
		];
		for (const body of bad) {
			const res = await gw.request<ErrorBody>("POST", "/api/v1/users/register", { body });
			expect([res.status, JSON.stringify(body)]).toEqual([422, JSON.stringify(body)]);
			expect(res.body.error.type).toBe("VALIDATION_ERROR");
			expect(res.body.error.fields?.length).toBeGreaterThan(0);
		}
		expect(await usersCollection(gw.broker, "users").count({ email: "a@example.com" })).toBe(0);
	});

	it("logs in with the right password only, with one answer for a wrong password and an unknown email", async () => {
		const s = await register(gw);
		const ok = await gw.request<SessionView>("POST", "/api/v1/auth/login", { body: { email: s.user.email?.toUpperCase(), password: PASSWORD } });
		expect(ok.status).toBe(200);
		const me = await gw.request<UserProfile>("GET", `/api/v1/users/${s.user.id}`, { headers: bearer(ok.body) });
		expect(me.status).toBe(200);
		expect(me.body.email).toBe(s.user.email);

		const wrong = await gw.request<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: "wrong password" } });
		const unknown = await gw.request<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: "nobody@example.com", password: "wrong password" } });
		expect(wrong.status).toBe(401);
		expect(unknown.status).toBe(401);
		// One answer for both (only the request id differs), so logins do not reveal which emails exist.
		expect({ ...unknown.body.error, requestId: undefined }).toEqual({ ...wrong.body.error, requestId: undefined });
		expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email } })).status).toBe(422);
	});

	it("locks an email after LOGIN_MAX_FAILURES wrong passwords, even against the right one", async () => {
		const s = await register(gw);
		const attempt = (password: string) => gw.request<ErrorBody>("POST", "/api/v1/auth/login", { body: { email: s.user.email, password } });
		for (let i = 0; i < 3; i++) expect((await attempt("guess " + i)).status).toBe(401);
		const locked = await attempt(PASSWORD);
		expect(locked.status).toBe(429);
		expect(locked.body.error.type).toBe("TOO_MANY_LOGIN_ATTEMPTS");
		expect((locked.body.error.data as { retryAfterSec: number }).retryAfterSec).toBeGreaterThan(0);
		expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
		// Another account is not affected.
		const other = await register(gw);
		expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: other.user.email, password: PASSWORD } })).status).toBe(200);
	});

	it("rotates refresh tokens, and a rotated token used again signs out the whole login", async () => {
		const s = await register(gw);
		const first = await gw.request<SessionView>("POST", "/api/v1/auth/refresh", { body: { refreshToken: s.refreshToken } });
		expect(first.status).toBe(200);
		expect(first.body.refreshToken).not.toBe(s.refreshToken);
		expect(first.body.user.id).toBe(s.user.id);
		const second = await gw.request<SessionView>("POST", "/api/v1/auth/refresh", { body: { refreshToken: first.body.refreshToken } });
		expect(second.status).toBe(200);

		const replay = await gw.request<ErrorBody>("POST", "/api/v1/auth/refresh", { body: { refreshToken: s.refreshToken } });
		expect(replay.status).toBe(401);
		expect(replay.body.error.type).toBe("REFRESH_TOKEN_REUSED");
		// The newest member of the family is revoked too.
		expect((await gw.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: second.body.refreshToken } })).status).toBe(401);

		// Another login of the same user is a separate family and keeps working.
		const other = await gw.request<SessionView>("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } });
		expect((await gw.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: other.body.refreshToken } })).status).toBe(200);
	});

	it("stores refresh tokens only as hashes", async () => {
		const s = await register(gw);
		const docs = await usersCollection(gw.broker, "refreshTokens").find({ userId: s.user.id });
		expect(docs).toHaveLength(1);
		expect(JSON.stringify(docs)).not.toContain(s.refreshToken);
	});

	it("logs out one login, or every login with everywhere", async () => {
		const s = await register(gw);
		const second = await gw.request<SessionView>("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } });
		const out = await gw.request<{ revoked: number }>("POST", "/api/v1/auth/logout", { body: { refreshToken: s.refreshToken } });
		expect(out.body).toEqual({ revoked: 1 });
		expect((await gw.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: s.refreshToken } })).status).toBe(401);
		const third = await gw.request<SessionView>("POST", "/api/v1/auth/refresh", { body: { refreshToken: second.body.refreshToken } });
		expect(third.status).toBe(200);

		await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } });
		const all = await gw.request<{ revoked: number }>("POST", "/api/v1/auth/logout", { body: { refreshToken: third.body.refreshToken, everywhere: true } });
		expect(all.body.revoked).toBe(2);
		expect((await gw.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: third.body.refreshToken } })).status).toBe(401);
		// Logging out again, or with an unknown token, is harmless.
		expect((await gw.request("POST", "/api/v1/auth/logout", { body: { refreshToken: third.body.refreshToken } })).body).toEqual({ revoked: 0 });
		expect((await gw.request("POST", "/api/v1/auth/refresh", { body: { refreshToken: { $ne: "" } } })).status).toBe(422);
	});
});
