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

/**
 * Tokens already verified, until they expire: checking the signature (jsonwebtoken builds a key
 * object each time) was the largest cost of a signed-in request answered from kept bytes. A
 * token's claims cannot change, so a second check could only differ by expiry, which is kept.
 */
const verified = new Map<string, { secret: string; user: AuthUser; expiresMs: number }>();
const MAX_VERIFIED = 10_000;

/** The user an access token names, or undefined when it is invalid or expired. */
export function verifyAccessToken(token: string, secret: string): AuthUser | undefined {
	const hit = verified.get(token);
	if (hit && hit.secret === secret && Date.now() < hit.expiresMs) return { ...hit.user };
	try {
		const payload = jwt.verify(token, secret, { algorithms: ["HS256"], issuer: ISSUER });
		if (typeof payload === "string" || typeof payload.sub !== "string") return undefined;
		const role = payload.role === "admin" ? "admin" : "user";
		const user: AuthUser = { id: payload.sub, role };
		if (typeof payload.exp === "number" && payload.nbf === undefined) {
			// A Map iterates in insertion order: dropping the first key drops the oldest entry.
			if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string);
			verified.set(token, { secret, user: { ...user }, expiresMs: payload.exp * 1000 });
		}
		return user;
	} catch {
		return undefined;
	}
}
