/**
 * npm run bench:scrape — parses a generated 100-track tracklist page over and over on one core and
 * prints pages parsed per second (goal: at least 300), next to the time cheerio alone takes to load
 * the same page with the same parser options, so the cost of the scraper's own work shows.
 *
 * BENCH_SECONDS (3) per measurement, BENCH_TRACKS (100).
 */
import * as os from "node:os";
import { load } from "cheerio";
import { parseTracklistPage } from "../services/scraper/parser";
import { generateSet, renderSetPage } from "../test/simulators/tracklists";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100);

function measure(name: string, run: () => void): number {
	for (let i = 0; i < 50; i++) run();
	const deadline = performance.now() + SECONDS * 1000;
	let n = 0;
	const started = performance.now();
	while (performance.now() < deadline) {
		run();
		n++;
	}
	const elapsed = (performance.now() - started) / 1000;
	const perSec = n / elapsed;
	console.log(`${name.padEnd(34)} ${perSec.toFixed(0).padStart(6)} pages/s   ${((elapsed * 1000) / n).toFixed(3)} ms/page   (${n} runs)`);
	return perSec;
}

function main(): void {
	const html = renderSetPage(generateSet(2024, 0, TRACKS));
	const url = "https://www.1001tracklists.com/tracklist/bench/set.html";
	const tracks = parseTracklistPage(html, url).tracks.length;
	console.log(`bench:scrape: a ${tracks}-track page of ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${SECONDS} s per measurement, one core (${process.version}; load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs)`);
	const loadOnly = measure("cheerio load only (htmlparser2)", () => void load(html, { xml: { xmlMode: false, decodeEntities: true } }));
	const full = measure("parseTracklistPage (load + parse)", () => void parseTracklistPage(html, url));
	console.log(`parsing adds ${((1000 / full - 1000 / loadOnly)).toFixed(3)} ms/page to cheerio's load; goal >= 300 pages/s: ${full >= 300 ? "met" : "NOT met"}`);
}

main();
