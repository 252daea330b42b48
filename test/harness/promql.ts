/**
 * The metric names a PromQL expression reads, found without a full parser: strings, label
 * matchers, ranges and grouping clauses are blanked out, and what is left that is a name but not
 * a function or a keyword is a metric. Enough for the dashboard's queries; checked by its own test.
 */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"]);

export function metricNames(expr: string): string[] {
	const s = expr
		.replace(/"(?:[^"\\]|\\.)*"/g, '""')
		.replace(/\{[^}]*\}/g, " ")
		.replace(/\[[^\]]*\]/g, " ")
		.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
	const names = new Set<string>();
	for (const m of s.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
		const before = s[(m.index ?? 0) - 1] ?? " ";
		if (/[0-9.]/.test(before)) continue; // the exponent of a number such as 1e-9
		if (s.slice((m.index ?? 0) + m[0].length).trimStart().startsWith("(")) continue; // a function or an aggregation
		if (KEYWORDS.has(m[0].toLowerCase())) continue;
		names.add(m[0]);
	}
	return [...names];
}

/** The metric a Grafana template variable's `label_values(metric, label)` query reads. */
export function labelValuesMetric(query: string): string | undefined {
	const m = /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(query);
	return m?.[1];
}

/** Metric names in a Prometheus text exposition (`# HELP`/`# TYPE` lines and samples). */
export function exportedMetricNames(text: string): Set<string> {
	const names = new Set<string>();
	for (const line of text.split("\n")) {
		const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{|\s)/.exec(line);
		if (m) names.add(m[1]);
	}
	return names;
}
