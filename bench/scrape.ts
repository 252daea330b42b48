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

/*
 * On a shared machine the wall clock also counts the time other processes hold the core, so each
 * measurement reports pages per CPU-second of this process too (all its threads, GC included).
 */
function measure(name: string, run: () => void): { wall: number; cpu: number } {
	for (let i = 0; i < 50; i++) run();
	const deadline = performance.now() + SECONDS * 1000;
	let n = 0;
	const started = performance.now();
	const cpuBefore = process.cpuUsage();
	while (performance.now() < deadline) {
		run();
		n++;
	}
	const cpuUsed = process.cpuUsage(cpuBefore);
	const elapsed = (performance.now() - started) / 1000;
	const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
	const wall = n / elapsed;
	const cpu = n / cpuSeconds;
	console.log(
		`${name.padEnd(34)} ${wall.toFixed(0).padStart(6)} pages/s wall   ${cpu.toFixed(0).padStart(6)} pages per CPU-second   ${((cpuSeconds * 1000) / n).toFixed(3)} CPU-ms/page   (${n} runs)`
	);
	return { wall, cpu };
}

function main(): void {
	const html = renderSetPage(generateSet(2024, 0, TRACKS));
	const url = "https://www.1001tracklists.com/tracklist/bench/set.html";
	const tracks = parseTracklistPage(html, url).tracks.length;
	console.log(`bench:scrape: a ${tracks}-track page of ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB, ${SECONDS} s per measurement, one core (${process.version}; load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs)`);
	const loadOnly = measure("cheerio load only (htmlparser2)", () => void load(html, { xml: { xmlMode: false, decodeEntities: true } }));
	const full = measure("parseTracklistPage (load + parse)", () => void parseTracklistPage(html, url));
	console.log(`parsing adds ${(1000 / full.cpu - 1000 / loadOnly.cpu).toFixed(3)} CPU-ms/page to cheerio's load; goal >= 300 pages/s: ${full.cpu >= 300 ? "met" : "NOT met"} per CPU-second, ${full.wall >= 300 ? "met" : "not met"} on the wall clock`);
}

main();
