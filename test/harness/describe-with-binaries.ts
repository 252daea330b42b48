import { findBinary } from "./binaries";

/**
 * `describe` for suites that need real server binaries. A missing binary skips the suite with a
 * visible message on a developer's machine, and fails it under CI=true, so CI never passes by
 * silently skipping.
 */
export function describeWithBinaries(binaries: string[], name: string, body: () => void): void {
	const missing = binaries.filter(b => !findBinary(b));
	if (missing.length === 0) {
		describe(name, body);
		return;
	}
	const message = `${name}: needs ${missing.join(", ")}, which ${missing.length > 1 ? "are" : "is"} not installed`;
	if (process.env.CI === "true") {
		describe(name, () => {
			it("has the server binaries it needs", () => {
				throw new Error(`${message} (CI=true makes this a failure)`);
			});
		});
		return;
	}
	console.warn(`SKIPPED ${message}`);
	describe.skip(name, body);
}
