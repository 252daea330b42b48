import { httpGet, TransportError } from "../../../services/scraper/http";

/** Issue 20: a failed fetch tells the client what went wrong, not what the resolver said. */
describe("scraper network errors", () => {
	it("do not echo the resolver's words, host names or addresses; the detail stays on the error's cause", async () => {
		const resolverError = Object.assign(new Error("getaddrinfo ENOTFOUND internal-db.corp.example"), { code: "ENOTFOUND", hostname: "internal-db.corp.example" });
		const failing = httpGet(new URL("http://internal-db.corp.example/x"), {
			headers: {},
			timeoutMs: 5000,
			maxBytes: 1024,
			addressAllowed: () => true,
			resolve: () => Promise.reject(resolverError)
		});
		const err = (await failing.catch((e: unknown) => e)) as TransportError;
		expect(err).toBeInstanceOf(TransportError);
		expect(err.message).toBe("network error (the host name does not resolve)");
		expect(err.message).not.toMatch(/getaddrinfo|ENOTFOUND|corp\.example/);
		expect((err as { cause?: unknown }).cause).toBe(resolverError);
	});
});
