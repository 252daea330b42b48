#!/usr/bin/env node
// Reads Jest's --json results and fails when any suite or test was skipped: CI may not pass by
// not running something. Prints the plain closing line "N passed, N failed".
"use strict";
const fs = require("node:fs");

const file = process.argv[2];
const results = JSON.parse(fs.readFileSync(file, "utf8"));
const skippedTests = results.numPendingTests + results.numTodoTests;
const skippedSuites = results.numPendingTestSuites;
const problems = [];
if (skippedTests > 0) problems.push(`${skippedTests} test(s) skipped or todo`);
if (skippedSuites > 0) problems.push(`${skippedSuites} suite(s) skipped`);
if (results.numTotalTests === 0) problems.push("no test ran");
for (const suite of results.testResults) {
	for (const t of suite.assertionResults) {
		if (t.status === "pending" || t.status === "todo" || t.status === "skipped") {
			problems.push(`skipped: ${t.fullName} (${suite.name})`);
		}
	}
}
console.log(`tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed`);
if (problems.length) {
	console.error(`CI forbids skipped tests:\n  ${problems.join("\n  ")}`);
	process.exit(1);
}
if (!results.success) process.exit(1);
