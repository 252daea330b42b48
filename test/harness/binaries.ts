import * as fs from "node:fs";
import * as path from "node:path";

/** Where to look beyond PATH: Debian puts nats-server in /usr/sbin, which a user's PATH may lack. */
const EXTRA_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/usr/bin"];

export function findBinary(name: string): string | undefined {
	const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...EXTRA_DIRS];
	for (const dir of dirs) {
		if (!dir) continue;
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// not here
		}
	}
	return undefined;
}

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
