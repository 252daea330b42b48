import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/*
 * Password hashes are PHC strings: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64 without padding).
 * The parameters travel with each hash, so the cost can be raised later without locking anyone
 * out: a login that verifies against an older hash stores a new one.
 */

const KEY_BYTES = 64;
const SALT_BYTES = 16;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
/** Bounds on parameters read back from the store, so a corrupted hash cannot make a login eat the machine. */
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 4;

interface ScryptParams {
	ln: number;
	r: number;
	p: number;
}

interface ParsedHash extends ScryptParams {
	salt: Buffer;
	hash: Buffer;
}

function derive(password: string, salt: Buffer, params: ScryptParams, keyBytes: number): Promise<Buffer> {
	const N = 2 ** params.ln;
	// scrypt needs 128·N·r bytes; Node refuses anything above maxmem (32 MiB by default).
	const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
	return new Promise((resolve, reject) => scrypt(password.normalize("NFC"), salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key))));
}

function parse(stored: string): ParsedHash | undefined {
	const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
	if (!m) return undefined;
	const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
	if (ln < 1 || ln > MAX_LN || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return undefined;
	const hash = Buffer.from(m[5], "base64");
	return hash.length >= 16 ? { ln, r, p, salt: Buffer.from(m[4], "base64"), hash } : undefined;
}

const b64 = (buf: Buffer): string => buf.toString("base64").replace(/=+$/, "");

/** A new salted hash of `password` at cost 2^ln. */
export async function hashPassword(password: string, ln: number): Promise<string> {
	const params = { ln, r: BLOCK_SIZE, p: PARALLELISM };
	const salt = randomBytes(SALT_BYTES);
	const hash = await derive(password, salt, params, KEY_BYTES);
	return `$scrypt$ln=${ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** Whether `password` matches `stored`, compared in constant time. A malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const parsed = parse(stored);
	if (!parsed) return false;
	const candidate = await derive(password, parsed.salt, parsed, parsed.hash.length);
	return timingSafeEqual(candidate, parsed.hash);
}

/** True when `stored` was made with other parameters than today's, so a successful login should re-hash. */
export function needsRehash(stored: string, ln: number): boolean {
	const parsed = parse(stored);
	return !parsed || parsed.ln !== ln || parsed.r !== BLOCK_SIZE || parsed.p !== PARALLELISM || parsed.hash.length !== KEY_BYTES;
}

const dummies = new Map<number, Promise<string>>();

/**
 * Spends the same time as checking a real password, for logins naming an unknown email, so the
 * answer's timing does not tell which emails have accounts.
 */
export async function verifyAgainstNothing(password: string, ln: number): Promise<false> {
	let dummy = dummies.get(ln);
	if (!dummy) {
		dummy = hashPassword(randomBytes(16).toString("hex"), ln);
		dummies.set(ln, dummy);
	}
	await verifyPassword(password, await dummy);
	return false;
}
