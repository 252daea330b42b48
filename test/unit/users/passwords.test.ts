import type { ServiceSchema } from "moleculer";
import type { Config } from "../../../config";
import type { UserDoc } from "../../../services/users/model";
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from "../../../services/users/passwords";
import { seal, unseal } from "../../../services/users/sealed";
import UsersService from "../../../services/users.service";
import { startGateway } from "../../harness/gateway";
import { FAST_HASH, PASSWORD, register, usersCollection } from "./helpers";

describe("password hashes", () => {
	it("hash with scrypt at the configured cost and verify in constant time", async () => {
		const hash = await hashPassword("pässword one", 15);
		expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$/);
		expect(await verifyPassword("pässword one", hash)).toBe(true);
		// Unicode is normalised: the same word typed with a combining accent matches.
		expect(await verifyPassword("pa\u0308ssword one", hash)).toBe(true);
		expect(await verifyPassword("password one", hash)).toBe(false);
		expect(needsRehash(hash, 15)).toBe(false);
		expect(needsRehash(hash, 16)).toBe(true);
	});

	it("never match a malformed or absurd stored hash", async () => {
		expect(await verifyPassword("x", "")).toBe(false);
		expect(await verifyPassword("x", "$scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA")).toBe(false);
		expect(await verifyPassword("x", "plain text")).toBe(false);
		expect(await verifyAgainstNothing("x", 10)).toBe(false);
	});

	it("are replaced at the next login when the cost was raised", async () => {
		const gw = await startGateway([UsersService as ServiceSchema], FAST_HASH);
		try {
			const s = await register(gw);
			// Raising the cost in place stands for a restart with a higher PASSWORD_HASH_COST.
			const users = gw.broker.getLocalService("users") as unknown as { config: Config };
			users.config = { ...users.config, PASSWORD_HASH_COST: 13 };
			expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } })).status).toBe(200);
			const doc = await usersCollection<UserDoc>(gw.broker, "users").findOne({ _id: s.user.id });
			expect(doc?.passwordHash).toMatch(/^\$scrypt\$ln=13,/);
			expect((await gw.request("POST", "/api/v1/auth/login", { body: { email: s.user.email, password: PASSWORD } })).status).toBe(200);
		} finally {
			await gw.stop();
		}
	});
});

describe("sealed secrets", () => {
	const key = Buffer.alloc(32, 9);

	it("open only with the same key and associated data, and never repeat a ciphertext", () => {
		const a = seal("token-value", key, "u1:spotify.access");
		expect(a).not.toContain("token-value");
		expect(seal("token-value", key, "u1:spotify.access")).not.toBe(a);
		expect(unseal(a, key, "u1:spotify.access")).toBe("token-value");
		expect(unseal(a, Buffer.alloc(32, 8), "u1:spotify.access")).toBeUndefined();
		expect(unseal(a, key, "u2:spotify.access")).toBeUndefined();
		const parts = a.split(".");
		parts[3] = Buffer.from("tampered").toString("base64url");
		expect(unseal(parts.join("."), key, "u1:spotify.access")).toBeUndefined();
		expect(unseal("garbage", key, "u1:spotify.access")).toBeUndefined();
	});
});
