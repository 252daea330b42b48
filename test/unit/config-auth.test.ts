import { ConfigError, loadConfig } from "../../config";

function problems(env: Record<string, string>): string[] {
	try {
		loadConfig({ STORE_IN_MEMORY: "true", ...env });
		return [];
	} catch (err) {
		if (err instanceof ConfigError) return err.problems;
		throw err;
	}
}

describe("auth configuration", () => {
	it("needs one JWT_SECRET on cluster nodes that sign or check tokens", () => {
		expect(problems({ TRANSPORTER: "nats://127.0.0.1:4222", SERVICES: "api" })).toEqual([expect.stringContaining("JWT_SECRET must be set")]);
		expect(problems({ TRANSPORTER: "nats://127.0.0.1:4222", SERVICES: "catalog" })).toEqual([]);
		expect(problems({ SERVICES: "api" })).toEqual([]);
	});

	it("rejects short secrets, malformed encryption keys and a localhost redirect URI", () => {
		expect(problems({ JWT_SECRET: "short" })).toEqual(["JWT_SECRET must be at least 32 characters"]);
		expect(problems({ TOKEN_ENCRYPTION_KEY: "abcd" })).toEqual([expect.stringContaining("TOKEN_ENCRYPTION_KEY must be 32 bytes")]);
		expect(problems({ TOKEN_ENCRYPTION_KEY: "a".repeat(64) })).toEqual([]);
		expect(problems({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") })).toEqual([]);
		expect(problems({ SPOTIFY_REDIRECT_URI: "http://localhost:8080/cb" })).toEqual([expect.stringContaining("loopback IP")]);
		expect(problems({ SPOTIFY_REDIRECT_URI: "http://127.0.0.1:8080/cb" })).toEqual([]);
		expect(problems({ API_BODY_LIMIT: "huge" })).toEqual([expect.stringContaining("API_BODY_LIMIT")]);
	});
});
