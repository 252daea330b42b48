#!/usr/bin/env node
/**
 * `npm run demo`: cratedigger working offline within a minute. Starts the bundled Spotify, Deezer
 * and tracklist-site simulators, then one cratedigger node (every service, as `npm start` runs
 * it) pointed at them and seeded with an artist, and prints what to look at while tracks arrive.
 * Ctrl-C (or `quit` in the REPL with `--repl`) stops the node, then the simulators.
 *
 * The node keeps its data in a fresh temporary folder, removed at the end: a demo leaves nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pairUrls, upstreamEnv } from "../test/harness/upstream-env";
import { startSimulators } from "../test/simulators/pair";
import { setPath, startTracklistSite } from "../test/simulators/tracklists";

const PROGRESS_EVERY_MS = 5000;
const DEMO_ADMIN = "admin@demo.cratedigger.invalid";
const DEMO_PASSWORD = "demo-password-change-me";

interface Progress {
	tiers: Record<string, { queued: number; leased: number }>;
	done: number;
	dead: number;
}

async function main(): Promise<void> {
	const port = Number(process.env.PORT ?? 3000);
	const metricsPort = process.env.METRICS_PORT ?? "3030";
	const withRepl = process.argv.includes("--repl");

	// Featured artists link the catalog, so one seed artist leads to the rest.
	const sims = await startSimulators({ catalog: { seed: 2026, artists: 40, albumsPerArtist: 3, tracksPerAlbum: 8, connected: true } });
	const site = await startTracklistSite({ seed: 2026, sets: 6, tracksPerSet: 15 });
	const seedArtist = sims.catalog.artist(0).name;
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cratedigger-demo-"));
	const base = `http://localhost:${port}`;

	const env: NodeJS.ProcessEnv = {
		...process.env,
		...upstreamEnv(pairUrls(sims)),
		// Slower than the simulators allow, so the status page has a crawl to show for a while.
		SPOTIFY_RATE_PER_30S: "600",
		DEEZER_RATE: "50",
		PORT: String(port),
		METRICS_PORT: metricsPort,
		DATA_DIR: dataDir,
		CRAWL_SEED_ARTISTS: seedArtist,
		CRAWL_MAX_DEPTH: "4",
		ADMIN_EMAILS: DEMO_ADMIN,
		STATUS_PAGE_PUBLIC: "true",
		SCRAPER_SITE_URL: site.url,
		SCRAPER_ALLOWED_HOSTS: site.host,
		// The simulated site listens on loopback, which the scraper otherwise refuses.
		SCRAPER_ALLOW_PRIVATE_ADDRESSES: "true",
		SCRAPE_DEFAULT_DELAY_MS: "200"
	};
	for (const name of ["TRANSPORTER", "SERVICES", "MONGO_URL", "REDIS_URL"]) delete env[name];

	// Without the REPL the node gets a process group of its own, so one Ctrl-C reaches it once,
	// through us (two signals would make it skip its graceful stop). The REPL needs the terminal.
	const node = spawn(process.execPath, [path.join(__dirname, "cratedigger.js"), ...(withRepl ? ["--repl"] : [])], {
		env,
		stdio: "inherit",
		detached: !withRepl
	});
	let progressTimer: NodeJS.Timeout | undefined;
	const cleanUp = async (code: number): Promise<never> => {
		clearInterval(progressTimer);
		await Promise.allSettled([sims.close(), site.close()]);
		fs.rmSync(dataDir, { recursive: true, force: true });
		process.exit(code);
	};
	node.on("exit", code => void cleanUp(code ?? 0));
	// The node's exit ends the demo. With the REPL, the REPL itself answers Ctrl-C.
	process.on("SIGINT", () => (withRepl ? undefined : stopNode(node)));
	process.on("SIGTERM", () => stopNode(node));

	await waitForReady(base, node);
	const set = site.sets[0];
	say(
		[
			"",
			"cratedigger demo: simulated Spotify, Deezer and a tracklist site on this machine; nothing leaves it.",
			`  crawling from the seed artist "${seedArtist}"; data in ${dataDir} (removed at exit)`,
			`  status page:    ${base}/status`,
			`  songs by BPM:   curl -s '${base}/api/v1/songs/bpm/128?limit=5&halfDouble=true'`,
			`  crawl status:   curl -s ${base}/api/v1/crawl/status`,
			`  a tracklist:    curl -s ${base}/api/v1/tracklist -H 'content-type: application/json' -d '{"url":"${site.url}${setPath(set)}"}'`,
			`  an admin:       curl -s ${base}/api/v1/users/register -H 'content-type: application/json' -d '{"email":"${DEMO_ADMIN}","password":"${DEMO_PASSWORD}","displayName":"Demo admin"}'`,
			`  API docs:       ${base}/api/docs    metrics: http://localhost:${metricsPort}/metrics`,
			withRepl ? "  the REPL is below: try `crawl status`, `cluster`, `limits`; `quit` ends the demo" : "  the REPL: npm run demo -- --repl",
			"  Ctrl-C stops everything.",
			""
		].join("\n")
	);
	if (!withRepl) progressTimer = setInterval(() => void reportProgress(base), PROGRESS_EVERY_MS);
}

function say(text: string): void {
	process.stdout.write(`${text}\n`);
}

let stopping = false;
function stopNode(node: ChildProcess): void {
	if (node.exitCode !== null) return;
	// A second Ctrl-C means now.
	node.kill(stopping ? "SIGKILL" : "SIGTERM");
	stopping = true;
}

async function waitForReady(base: string, node: ChildProcess): Promise<void> {
	for (;;) {
		if (node.exitCode !== null) return;
		try {
			const res = await fetch(`${base}/ready`);
			if (res.ok) return;
		} catch {
			// not listening yet
		}
		await new Promise(resolve => setTimeout(resolve, 250));
	}
}

async function reportProgress(base: string): Promise<void> {
	try {
		const [status, cluster] = await Promise.all([
			fetch(`${base}/api/v1/crawl/status`).then(r => r.json() as Promise<Progress>),
			fetch(`${base}/api/v1/status`).then(r => r.json() as Promise<{ tracks?: { processed?: number }; bpm?: { total?: number } | null }>)
		]);
		const waiting = Object.values(status.tiers).reduce((n, t) => n + t.queued + t.leased, 0);
		const withTempo = cluster.bpm?.total;
		say(`demo: ${cluster.tracks?.processed ?? 0} tracks processed${withTempo === undefined ? "" : `, ${withTempo} with a tempo`}; ${status.done} jobs done, ${waiting} waiting, ${status.dead} dead`);
	} catch {
		// the node is stopping
	}
}

main().catch((err: unknown) => {
	process.stderr.write(`demo failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(1);
});
