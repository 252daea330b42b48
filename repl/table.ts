type Cell = string | number | boolean | null | undefined;

/** Gap between columns. */
const GAP = 2;
/** No column shrinks below this (or its natural width, when narrower): "ab…" still says something. */
const MIN_COLUMN = 4;

/**
 * The width tables must fit: the terminal's, or COLUMNS when output is piped (a script can set
 * it); unlimited when neither says, so piped output keeps every character.
 */
export function terminalWidth(): number {
	const columns = process.stdout.columns || Number(process.env.COLUMNS);
	return Number.isFinite(columns) && columns > 0 ? columns : Infinity;
}

/**
 * Column widths that fit `width`: the widest columns give up characters first, down to
 * MIN_COLUMN; the first column, which names the row (a node, a limiter), only when no other can.
 */
function fitWidths(natural: number[], width: number): number[] {
	const widths = [...natural];
	const room = width - GAP * (widths.length - 1);
	let total = widths.reduce((a, b) => a + b, 0);
	const widest = (from: number) => {
		let found = -1;
		for (let i = from; i < widths.length; i++) if (widths[i] > MIN_COLUMN && (found < 0 || widths[i] > widths[found])) found = i;
		return found;
	};
	while (total > room) {
		const i = widths.length > 1 && widest(1) >= 0 ? widest(1) : widest(0);
		if (i < 0) break;
		widths[i]--;
		total--;
	}
	return widths;
}

/** A cell cut to `width` characters, its last one an ellipsis when something was cut. */
function truncate(text: string, width: number): string {
	return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/**
 * Renders rows as a plain aligned text table, so commands are readable in any terminal and
 * testable. Wider than `width`, the widest columns are cut with an ellipsis until it fits.
 */
export function renderTable(headers: string[], rows: Cell[][], width = terminalWidth()): string {
	const cells = [headers, ...rows.map(r => r.map(c => (c === null || c === undefined ? "-" : String(c).replace(/\s*\n\s*/g, " "))))];
	const natural = headers.map((_, i) => Math.max(...cells.map(r => (r[i] ?? "").length)));
	const widths = fitWidths(natural, width);
	const line = (r: string[]) => r.map((c, i) => truncate(c, widths[i]).padEnd(widths[i])).join(" ".repeat(GAP)).trimEnd();
	const rule = widths.map(w => "-".repeat(w)).join(" ".repeat(GAP));
	return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}
