import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
	{ ignores: ["dist/**", "node_modules/**", "data/**", "coverage/**", "test-artifacts/**"] },
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ["**/*.js"],
		rules: { "@typescript-eslint/no-require-imports": "off" }
	},
	{
		languageOptions: { globals: { process: "readonly", console: "readonly", require: "readonly", module: "writable", __dirname: "readonly" } },
		rules: {
			"@typescript-eslint/no-explicit-any": "error",
			"@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }]
		}
	}
);
