import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/*
 * Tests must not assert how long something took: CI runs on a shared two-core machine, where a
 * stopwatch fails for reasons that have nothing to do with the code. Speed is measured by the
 * bench:* scripts instead. This keeps such assertions from creeping back in.
 */
const TEST_ROOT = path.join(__dirname, "..");

const TIMED = [
	// expect(performance.now() - started).toBeLessThan(…), expect(Date.now() - t0)…
	/expect\([^;]*\b(performance\.now|Date\.now|process\.hrtime(\.bigint)?)\(\)\s*-[^;]*\)\s*\.\s*toBeLessThan/,
	// expect(elapsedMs).toBeLessThan(…) and the like
	/expect\(\s*\w*(elapsed|took|duration)\w*\s*\)\s*\.\s*toBeLessThan/i
];

function testFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return testFiles(full);
		return entry.name.endsWith(".ts") ? [full] : [];
	});
}

describe("the test suite", () => {
	it("makes no assertion on elapsed time", () => {
		const offenders: string[] = [];
		for (const file of testFiles(TEST_ROOT).filter(f => f !== __filename)) {
			readFileSync(file, "utf8")
				.split("\n")
				.forEach((line, i) => {
					if (TIMED.some(re => re.test(line))) offenders.push(`${path.relative(TEST_ROOT, file)}:${i + 1}: ${line.trim()}`);
				});
		}
		expect(offenders).toEqual([]);
	});

	it("recognises the assertions it forbids", () => {
		const caught = [
			"expect(performance.now() - started).toBeLessThan(1000);",
			"expect(Date.now() - t0).toBeLessThanOrEqual(5000);",
			"expect(elapsedMs).toBeLessThan(300);"
		];
		for (const line of caught) expect(TIMED.some(re => re.test(line))).toBe(true);
		expect(TIMED.some(re => re.test("expect(job.runAt).toBeGreaterThan(Date.now() + 50000);"))).toBe(false);
	});
});
