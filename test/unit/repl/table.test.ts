import { renderTable, terminalWidth } from "../../../repl/table";

const widest = (text: string) => Math.max(...text.split("\n").map(l => l.length));

describe("REPL tables", () => {
	const rows = [
		["data-node-1 (this)", "api,catalog,scheduler,users,activity,insights,playlists,recommendations", "album-crawler 8, audio-feature 2", 3],
		["w1", "artist-crawler,album-crawler", "-", 0]
	];
	const headers = ["node", "services", "worker concurrency", "in flight"];

	it("keep every character when they fit", () => {
		const table = renderTable(headers, rows, 200);
		expect(table).toContain("api,catalog,scheduler,users,activity,insights,playlists,recommendations");
		expect(table.split("\n")[0]).toMatch(/^node\s+services\s+worker concurrency\s+in flight$/);
	});

	it("fit the width by cutting the widest columns with an ellipsis, keeping the columns aligned", () => {
		for (const width of [100, 80, 60]) {
			const table = renderTable(headers, rows, width);
			expect(widest(table)).toBeLessThanOrEqual(width);
			const lines = table.split("\n");
			expect(lines[2]).toMatch(/…/);
			// The first column names the row: it is cut last.
			expect(lines[2]).toMatch(/^data-node-1 \(this\) {2}/);
			// Each column starts at the same place on every line: the rule's gaps say where.
			const starts = [...lines[1].matchAll(/-+/g)].map(m => m.index);
			expect(starts).toHaveLength(4);
			expect(lines[3].slice(starts[3])).toMatch(/^0$/);
			expect(lines[2].slice(starts[3])).toMatch(/^3$/);
		}
	});

	it("never cut a column below a few characters, however narrow the terminal", () => {
		const table = renderTable(headers, rows, 10);
		expect(table.split("\n")[2]).toMatch(/^dat…\s+api…\s+alb…\s+3$/);
		expect(widest(renderTable(headers, rows, 40))).toBeLessThanOrEqual(40);
	});

	it("put multi-line cells on one line", () => {
		expect(renderTable(["error"], [["first line\n  second line"]], 80)).toMatch(/first line second line/);
	});

	it("take the terminal's width, or COLUMNS when piped, or none", () => {
		const columns = Object.getOwnPropertyDescriptor(process.stdout, "columns");
		const saved = process.env.COLUMNS;
		try {
			Object.defineProperty(process.stdout, "columns", { value: 91, configurable: true });
			expect(terminalWidth()).toBe(91);
			Object.defineProperty(process.stdout, "columns", { value: undefined, configurable: true });
			process.env.COLUMNS = "72";
			expect(terminalWidth()).toBe(72);
			delete process.env.COLUMNS;
			expect(terminalWidth()).toBe(Infinity);
		} finally {
			if (columns) Object.defineProperty(process.stdout, "columns", columns);
			else delete (process.stdout as { columns?: number }).columns;
			if (saved === undefined) delete process.env.COLUMNS;
			else process.env.COLUMNS = saved;
		}
	});
});
