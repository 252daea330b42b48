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
