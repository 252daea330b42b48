import { redact, REDACTED } from "../../../mixins/logging/redact";

describe("log redaction", () => {
	it("replaces secret-named fields at any depth and secret-shaped text, and leaves the rest alone", () => {
		const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
		const out = redact({
			email: "a@example.com",
			password: "hunter2",
			nested: [{ refreshToken: "abc", currentPassword: "x", count: 3 }],
			headers: { authorization: "Bearer zzz", "x-request-id": "r1" },
			note: `sent Bearer ${jwt} and ${jwt}`
		});
		expect(out).toEqual({
			email: "a@example.com",
			password: REDACTED,
			nested: [{ refreshToken: REDACTED, currentPassword: REDACTED, count: 3 }],
			headers: { authorization: REDACTED, "x-request-id": "r1" },
			note: `sent Bearer ${REDACTED} and ${REDACTED}`
		});
	});

	it("copies errors with their message, stack and data redacted, and survives cycles", () => {
		const err = Object.assign(new Error("login failed for Bearer abc.def"), { data: { password: "p" } });
		const copy = redact(err) as Error & { data: unknown };
		expect(copy).toBeInstanceOf(Error);
		expect(copy.message).toBe(`login failed for Bearer ${REDACTED}`);
		expect(copy.data).toEqual({ password: REDACTED });
		const cyclic: Record<string, unknown> = { token: "t" };
		cyclic.self = cyclic;
		expect((redact(cyclic) as Record<string, unknown>).token).toBe(REDACTED);
	});
});
