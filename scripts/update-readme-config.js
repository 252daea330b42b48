#!/usr/bin/env node
// Rewrites the configuration table in README.md and .env.example from config/ (run after `npm run build`), so the
// README lists exactly the variables the code validates. A unit test fails when they drift apart.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { configTable, envExample } = require("../dist/config");

const file = path.join(__dirname, "..", "README.md");
const readme = fs.readFileSync(file, "utf8");
const start = "<!-- config-table:start -->";
const end = "<!-- config-table:end -->";
const before = readme.slice(0, readme.indexOf(start) + start.length);
const after = readme.slice(readme.indexOf(end));
if (readme.indexOf(start) < 0 || readme.indexOf(end) < 0) throw new Error("README.md lacks the config-table markers");
fs.writeFileSync(file, `${before}\n${configTable()}\n${after}`);
console.log("README.md configuration table updated");
fs.writeFileSync(path.join(__dirname, "..", ".env.example"), envExample());
console.log(".env.example updated");
