import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/*
 * Secrets at rest (Spotify user tokens, PKCE verifiers) are sealed with AES-256-GCM:
 * `v1.<iv>.<tag>.<ciphertext>` in base64url, a fresh 12-byte IV each time. The associated data
 * names what the secret is and whose (e.g. "u1:spotify.refresh"), so a sealed value copied into
 * another user's document or another field does not open.
 */

const VERSION = "v1";
const IV_BYTES = 12;

export function seal(plain: string, key: Buffer, aad: string): string {
	const iv = randomBytes(IV_BYTES);
	const cipher = createCipheriv("aes-256-gcm", key, iv);
	cipher.setAAD(Buffer.from(aad, "utf8"));
	const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
	return [VERSION, iv, cipher.getAuthTag(), body].map(part => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

/** The plain text, or undefined when the value was sealed under another key, for another owner, or altered. */
export function unseal(sealed: string, key: Buffer, aad: string): string | undefined {
	const parts = sealed.split(".");
	if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
	const [iv, tag, body] = parts.slice(1).map(p => Buffer.from(p, "base64url"));
	if (iv.length !== IV_BYTES || tag.length !== 16) return undefined;
	try {
		const decipher = createDecipheriv("aes-256-gcm", key, iv);
		decipher.setAAD(Buffer.from(aad, "utf8"));
		decipher.setAuthTag(tag);
		return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
	} catch {
		return undefined;
	}
}
