import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Errors } from "moleculer";
import type { Collection } from "../../mixins/store/types";
import type { RefreshTokenDoc } from "./model";

/*
 * Refresh tokens: 256 random bits in base64url, handed out once and stored only as their SHA-256.
 * Each use rotates: the presented token is marked rotated and a new one of the same family comes
 * back. A rotated token presented again means two parties hold the family (a stolen token, or a
 * client that lost a response), so the whole family is revoked and both must sign in again.
 */

export function tokenHash(token: string): string {
	return createHash("sha256").update(token).digest("hex");
}

export function newOpaqueToken(): string {
	return randomBytes(32).toString("base64url");
}

export interface IssuedRefresh {
	token: string;
	expiresAt: number;
}

const invalid = (message: string, type = "INVALID_REFRESH_TOKEN") => new Errors.MoleculerClientError(message, 401, type);

export class Sessions {
	constructor(
		private readonly tokens: Collection<RefreshTokenDoc>,
		private readonly ttlMs: number
	) {}

	/** A new refresh token, of a new family (a login) or of `family` (a rotation). */
	async issue(userId: string, family: string = randomUUID()): Promise<IssuedRefresh> {
		const token = newOpaqueToken();
		const now = Date.now();
		const expiresAt = now + this.ttlMs;
		await this.tokens.insert({ _id: tokenHash(token), userId, family, expiresAt, createdAt: now });
		return { token, expiresAt };
	}

	/**
	 * Exchanges a refresh token for the next of its family; returns the user id with it. Unknown,
	 * expired and revoked tokens are 401s; a rotated one also revokes its family.
	 */
	async rotate(token: string): Promise<{ userId: string; next: IssuedRefresh }> {
		const now = Date.now();
		const _id = tokenHash(token);
		// The claim marks the token rotated in one step, so two concurrent refreshes cannot both win.
		const claimed = await this.tokens.claim(
			{ _id, rotatedAt: { $exists: false }, revokedAt: { $exists: false }, expiresAt: { $gt: now } },
			{ _id: 1 },
			{ $set: { rotatedAt: now } }
		);
		if (claimed) return { userId: claimed.userId, next: await this.issue(claimed.userId, claimed.family) };
		const doc = await this.tokens.findOne({ _id });
		if (doc?.rotatedAt !== undefined && doc.revokedAt === undefined && doc.expiresAt > now) {
			await this.revokeFamily(doc.family);
			throw invalid("This refresh token was already used; every session of this login is now signed out. Sign in again.", "REFRESH_TOKEN_REUSED");
		}
		throw invalid("Refresh token is unknown, expired or revoked; sign in again");
	}

	async revokeFamily(family: string): Promise<number> {
		return this.tokens.update({ family, revokedAt: { $exists: false } }, { $set: { revokedAt: Date.now() } }, { multi: true });
	}

	/** Revokes the login `token` belongs to (or every login of its user); returns how many tokens were live. */
	async logout(token: string, everywhere: boolean): Promise<{ userId?: string; revoked: number }> {
		const doc = await this.tokens.findOne({ _id: tokenHash(token) });
		if (!doc) return { revoked: 0 };
		const now = Date.now();
		const filter = everywhere ? { userId: doc.userId } : { family: doc.family };
		const revoked = await this.tokens.update({ ...filter, revokedAt: { $exists: false }, rotatedAt: { $exists: false }, expiresAt: { $gt: now } }, { $set: { revokedAt: now } }, { multi: true });
		// Rotated members stay behind until they expire, so reuse is still detected; mark them too.
		await this.tokens.update({ ...filter, revokedAt: { $exists: false } }, { $set: { revokedAt: now } }, { multi: true });
		return { userId: doc.userId, revoked };
	}

	/** Signs a user out everywhere (password change). */
	async revokeUser(userId: string): Promise<number> {
		return this.tokens.update({ userId, revokedAt: { $exists: false } }, { $set: { revokedAt: Date.now() } }, { multi: true });
	}

	/** Removes every token of a user (data deletion). */
	async forgetUser(userId: string): Promise<number> {
		return this.tokens.delete({ userId }, { multi: true });
	}

	/** Drops tokens past their expiry; nothing can be learnt from them any more. */
	async sweep(): Promise<number> {
		return this.tokens.delete({ expiresAt: { $lt: Date.now() } }, { multi: true });
	}
}
