#!/usr/bin/env node
// Fails when package-lock.json has a package entry without a version. Some npm 11 releases wrote
// such entries for other platforms' optional packages, and every later `npm ci` / `npm install`
// then stops with "Invalid Version:" — say so before npm does, with the fix.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const file = process.argv[2] ?? path.join(__dirname, "..", "package-lock.json");
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const missing = Object.entries(lock.packages ?? {})
	.filter(([key, entry]) => key !== "" && !entry.link && !entry.version)
	.map(([key]) => key);
if (missing.length > 0) {
	console.error(
		`${path.basename(file)}: ${missing.length} entr${missing.length === 1 ? "y has" : "ies have"} no version ` +
			`(npm ci would fail with "Invalid Version:"):\n  ${missing.slice(0, 10).join("\n  ")}` +
			`${missing.length > 10 ? `\n  … and ${missing.length - 10} more` : ""}\n` +
			"Rewrite the lock with `npm run lock` using a current npm (see README, Development).",
	);
	process.exit(1);
}
console.log(`${path.basename(file)}: every one of ${Object.keys(lock.packages ?? {}).length - 1} entries has a version`);
