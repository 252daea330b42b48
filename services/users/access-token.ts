import { randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import type { AuthUser } from "../shared/access";

/*
 * Access tokens are short-lived HS256 JWTs, checked by the gateway without a call to `users`.
 * Refresh tokens are opaque and live in the users service's store, so they can be revoked.
 */

const ISSUER = "cratedigger";
/** Used when JWT_SECRET is unset: tokens then die with the process, which the README explains. */
const processSecret = randomBytes(32).toString("hex");

export function accessSecret(configured: string | undefined): string {
	return configured ?? processSecret;
}

export function signAccessToken(user: AuthUser, secret: string, ttlSec: number): string {
	return jwt.sign({ role: user.role }, secret, { algorithm: "HS256", subject: user.id, issuer: ISSUER, expiresIn: ttlSec });
}

/** The user an access token names, or undefined when it is invalid or expired. */
export function verifyAccessToken(token: string, secret: string): AuthUser | undefined {
	try {
		const payload = jwt.verify(token, secret, { algorithms: ["HS256"], issuer: ISSUER });
		if (typeof payload === "string" || typeof payload.sub !== "string") return undefined;
		const role = payload.role === "admin" ? "admin" : "user";
		return { id: payload.sub, role };
	} catch {
		return undefined;
	}
}
