/**
 * The alert rules in deploy/prometheus/alerts.yml: valid, and behaving as their own unit tests
 * (alerts.test.yml) say, both checked by promtool, Prometheus's own tool (Debian package
 * `prometheus`, which .ci/run installs). The metrics the rules read are checked against a live
 * scrape by test/integration/status-page.test.ts.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { findBinary } from "../harness/binaries";
import { describeWithBinaries } from "../harness/describe-with-binaries";

const dir = path.resolve(__dirname, "../../deploy/prometheus");

interface Rule {
	alert?: string;
	expr: string;
	for?: string;
	labels?: Record<string, string>;
	annotations?: Record<string, string>;
}
interface AlertTest {
	alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
}

const rules = (parse(fs.readFileSync(path.join(dir, "alerts.yml"), "utf8")) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(g => g.rules);
const alerts = rules.filter((r): r is Rule & { alert: string } => typeof r.alert === "string");
const cases = (parse(fs.readFileSync(path.join(dir, "alerts.test.yml"), "utf8")) as { rule_files: string[]; tests: AlertTest[] }).tests.flatMap(t => t.alert_rule_test ?? []);

/** promtool's exit code and everything it printed; it exits non-zero when a check fails. */
function promtool(...args: string[]): { code: number; output: string } {
	try {
		const output = execFileSync(findBinary("promtool") ?? "promtool", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
		return { code: 0, output };
	} catch (err) {
		const e = err as { status?: number; stdout?: string; stderr?: string };
		return { code: e.status ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
	}
}

describe("the alert rules", () => {
	it("alert on what the operators' guide promises", () => {
		expect(alerts.map(a => a.alert).sort()).toEqual(["CrawlStalled", "DeadLetterGrowing", "EventLoopLagHigh", "LimiterInFallback", "NodeDown", "Upstream429s"]);
	});

	it.each(alerts.map(a => [a.alert, a] as const))("%s has a severity, a summary, a description and a runbook in docs/operators.md", (name, rule) => {
		expect(["warning", "critical"]).toContain(rule.labels?.severity);
		expect(rule.annotations?.summary).toBeTruthy();
		expect(rule.annotations?.description).toBeTruthy();
		const guide = fs.readFileSync(path.resolve(__dirname, "../../docs/operators.md"), "utf8");
		expect(rule.annotations?.runbook).toBe(`docs/operators.md#${name.toLowerCase()}`);
		expect(guide).toMatch(new RegExp(`^#+ \`?${name}\`?$`, "m"));
	});

	it.each(alerts.map(a => a.alert))("%s is tested firing and tested quiet", name => {
		const mine = cases.filter(c => c.alertname === name);
		expect(mine.some(c => c.exp_alerts.length > 0)).toBe(true);
		expect(mine.some(c => c.exp_alerts.length === 0)).toBe(true);
	});
});

describeWithBinaries(["promtool"], "promtool on deploy/prometheus", () => {
	it("finds alerts.yml valid", () => {
		const { code, output } = promtool("check", "rules", "alerts.yml");
		expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`) });
	});

	it("passes the rules' unit tests in alerts.test.yml", () => {
		const { code, output } = promtool("test", "rules", "alerts.test.yml");
		expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining("SUCCESS") });
	});

	it("would catch a rule that misbehaves", () => {
		// The same tests against a copy whose NodeDown never fires: promtool must say so.
		const broken = fs.readFileSync(path.join(dir, "alerts.yml"), "utf8").replace('up{job="cratedigger"} == 0', 'up{job="cratedigger"} == 2');
		const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "alerts-"));
		try {
			fs.writeFileSync(path.join(tmp, "alerts.yml"), broken);
			fs.copyFileSync(path.join(dir, "alerts.test.yml"), path.join(tmp, "alerts.test.yml"));
			const { code, output } = promtool("test", "rules", path.join(tmp, "alerts.test.yml"));
			expect(code).not.toBe(0);
			expect(output).toContain("alertname: NodeDown");
		} finally {
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	});
});
