/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: "node",
	transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] },
	roots: ["<rootDir>/test"],
	testMatch: ["**/*.test.ts"],
	testTimeout: 60000,
	watchman: false
};
