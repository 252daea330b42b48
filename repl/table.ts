/** Renders rows as a plain aligned text table, so commands are readable in any terminal and testable. */
export function renderTable(headers: string[], rows: Array<Array<string | number | boolean | null | undefined>>): string {
	const cells = [headers, ...rows.map(r => r.map(c => (c === null || c === undefined ? "-" : String(c))))];
	const widths = headers.map((_, i) => Math.max(...cells.map(r => (r[i] ?? "").length)));
	const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
	const rule = widths.map(w => "-".repeat(w)).join("  ");
	return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}
