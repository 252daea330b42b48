import jwt from "jsonwebtoken";
import { signAccessToken, verifyAccessToken } from "../../../services/users/access-token";

const SECRET = "a-secret-of-at-least-thirty-two-characters!";

describe("access tokens, checked once and kept until they expire", () => {
	it("gives the same user on every check, and a copy the caller may change", () => {
		const token = signAccessToken({ id: "u1", role: "admin" }, SECRET, 600);
		const first = verifyAccessToken(token, SECRET);
		expect(first).toEqual({ id: "u1", role: "admin" });
		if (first) first.role = "user";
		expect(verifyAccessToken(token, SECRET)).toEqual({ id: "u1", role: "admin" });
	});

	it("refuses a kept token under another secret, an expired one and a tampered one", () => {
		const token = signAccessToken({ id: "u2", role: "user" }, SECRET, 600);
		expect(verifyAccessToken(token, SECRET)).toBeDefined();
		expect(verifyAccessToken(token, `${SECRET}-rotated`)).toBeUndefined();
		const expired = jwt.sign({ role: "user", exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { algorithm: "HS256", subject: "u3", issuer: "cratedigger" });
		expect(verifyAccessToken(expired, SECRET)).toBeUndefined();
		const [head, , sig] = token.split(".");
		const forged = `${head}.${Buffer.from(JSON.stringify({ role: "admin", sub: "u2", iss: "cratedigger", exp: 9999999999 })).toString("base64url")}.${sig}`;
		expect(verifyAccessToken(forged, SECRET)).toBeUndefined();
	});
});
