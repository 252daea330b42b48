/**
 * npm run bench:scrape — pages parsed per CPU-second (goal: at least 300) on a generated 100-track
 * page, the hand-written 2025- and 2026-layout fixtures and, when REAL_PAGES_DIR holds them, the real pages
 * of test/fixtures/tracklists/real/manifest.json. For each page, side by side in one run:
 *
 * - cheerio's load alone (a DOM, htmlparser2 underneath: what the parser used to start with);
 * - a streaming htmlparser2 pass with no handler (the floor for any htmlparser2-based reader);
 * - the scraper's own tokenizer with no handler, keeping the attributes the reader reads;
 * - parseTracklistPage fed by htmlparser2, and as shipped (the scraper's tokenizer).
 *
 * BENCH_SECONDS (1) per measurement, BENCH_TRACKS (100).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { load } from "cheerio";
import { Parser } from "htmlparser2";
import { parseTracklistPage } from "../services/scraper/parser";
import { READ_ATTRIBUTES } from "../services/scraper/page-reader";
import { tokenize } from "../services/scraper/tokenizer";
import { generateSet, readFixture, renderSetPage } from "../test/simulators/tracklists";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100);
const URL = "https://www.1001tracklists.com/tracklist/bench/set.html";

/*
 * On a shared machine the wall clock also counts the time other processes hold the core, so each
 * measurement reports pages per CPU-second of this process (all its threads, GC included).
 */
function perCpuSecond(run: () => void): number {
	for (let i = 0; i < 10; i++) run();
	const deadline = performance.now() + SECONDS * 1000;
	let n = 0;
	const cpuBefore = process.cpuUsage();
	while (performance.now() < deadline) {
		run();
		n++;
	}
	const used = process.cpuUsage(cpuBefore);
	return n / ((used.user + used.system) / 1e6);
}

function pages(): { run: Array<{ name: string; html: string }>; real: { listed: number; missing: string[] } } {
	const run = [
		{ name: `generated ${TRACKS}-track page`, html: renderSetPage(generateSet(2024, 0, TRACKS)) },
		{ name: "layout-2025 fixture", html: readFixture("layout-2025") },
		{ name: "layout-2026 fixture", html: readFixture("layout-2026") }
	];
	const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../test/fixtures/tracklists/real/manifest.json"), "utf8")) as { pages: Array<{ file: string; expected: { blocked?: string } }> };
	const listed = manifest.pages.filter(p => !p.expected.blocked);
	const dir = process.env.REAL_PAGES_DIR;
	const missing: string[] = [];
	for (const p of listed) {
		const file = dir ? path.join(dir, p.file) : undefined;
		if (file && fs.existsSync(file)) run.push({ name: p.file.replace(/\.html$/, ""), html: fs.readFileSync(file, "utf8") });
		else missing.push(p.file);
	}
	return { run, real: { listed: listed.length, missing } };
}

const noop = { onopentag() {}, ontext() {}, onclosetag() {} };

function main(): void {
	const loadAverage = () => os.loadavg().map(l => l.toFixed(2)).join(" ");
	console.log(`bench:scrape: ${SECONDS} s per measurement, pages per CPU-second, one core (${process.version}; load average ${loadAverage()} on ${os.cpus().length} CPUs)`);
	const { run, real } = pages();
	console.log(`${"page".padEnd(48)} ${"KiB".padStart(5)} ${"rows".padStart(4)} | ${"cheerio load".padStart(12)} ${"htmlparser2".padStart(11)} ${"tokenizer".padStart(9)} | ${"parse/hp2".padStart(9)} ${"parse".padStart(7)}  goal`);
	let met = true;
	for (const { name, html } of run) {
		const rows = parseTracklistPage(html, URL).tracks.length;
		const cheerio = perCpuSecond(() => void load(html, { xml: { xmlMode: false, decodeEntities: true } }));
		const stream = perCpuSecond(() => new Parser(noop, { decodeEntities: true }).end(html));
		const tokens = perCpuSecond(() => tokenize(html, noop, READ_ATTRIBUTES));
		const viaHp2 = perCpuSecond(() => void parseTracklistPage(html, URL, { tokenizer: "htmlparser2" }));
		const full = perCpuSecond(() => void parseTracklistPage(html, URL));
		met &&= full >= 300;
		const f = (v: number, w: number) => v.toFixed(0).padStart(w);
		console.log(`${name.slice(0, 48).padEnd(48)} ${f(Buffer.byteLength(html) / 1024, 5)} ${f(rows, 4)} | ${f(cheerio, 12)} ${f(stream, 11)} ${f(tokens, 9)} | ${f(viaHp2, 9)} ${f(full, 7)}  ${full >= 300 ? "met" : "NOT met"}`);
		console.log(`${"".padEnd(48)} ratios: htmlparser2 pass / cheerio load ${(stream / cheerio).toFixed(2)}, tokenizer / htmlparser2 pass ${(tokens / stream).toFixed(2)}, parse / cheerio load ${(full / cheerio).toFixed(2)}`);
	}
	if (real.missing.length === real.listed) console.log(`real pages: NOT run (${process.env.REAL_PAGES_DIR ? `REAL_PAGES_DIR=${process.env.REAL_PAGES_DIR} holds none` : "REAL_PAGES_DIR is unset"} of the ${real.listed} in real/manifest.json; see its README)`);
	else if (real.missing.length) console.log(`real pages: ${real.listed - real.missing.length} of ${real.listed} run; missing from REAL_PAGES_DIR: ${real.missing.join(", ")}`);
	else console.log(`real pages: all ${real.listed} run`);
	console.log(`goal >= 300 pages per CPU-second on every page run: ${met ? "met" : "NOT met"}${real.missing.length ? " (the real pages not run are not judged)" : ""}; load average now ${loadAverage()}`);
}

main();
