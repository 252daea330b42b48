/**
 * Runs both simulators in their own process, so a benchmark measures the crawler rather than
 * the simulator sharing its event loop. Prints one JSON line with the URLs once listening; stop
 * it with SIGTERM/SIGINT or by closing its piped stdin. Control endpoints: GET /__sim/stats, /__sim/config;
 * POST /__sim/faults, /__sim/reset, /__sim/clock, /__sim/rate-limit (and /__sim/mode on Spotify).
 *
 *   node dist/test/simulators/cli.js --seed 7 --tracks 50000 --mode development --spotify-port 0
 */
import { fstatSync } from "node:fs";
import { parseSimulatorArgs } from "./cli-options";
import { startSimulators } from "./pair";

async function main(): Promise<void> {
	const options = parseSimulatorArgs(process.argv.slice(2), process.env);
	const sims = await startSimulators(options);
	const ready = {
		spotify: sims.spotify.url,
		spotifyApi: sims.spotify.apiUrl,
		spotifyAccounts: sims.spotify.accountsUrl,
		clientId: sims.spotify.clientId,
		clientSecret: sims.spotify.clientSecret,
		mode: sims.spotify.mode(),
		deezer: sims.deezer.url,
		expected: sims.catalog.expected,
		pid: process.pid
	};

	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		sims.close().then(
			() => process.exit(0),
			() => process.exit(1)
		);
	};
	process.on("SIGTERM", stop);
	process.on("SIGINT", stop);
	// A parent that spawned us with a piped stdin and died without signalling still closes it.
	// Not for /dev/null or a TTY: a backgrounded shell job would exit at once.
	const stdin = fstatSync(0);
	if (stdin.isFIFO() || stdin.isSocket()) {
		process.stdin.on("end", stop);
		process.stdin.on("error", stop);
		process.stdin.resume();
	}
	// Printed last: a parent may signal as soon as it reads this line.
	process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((err: unknown) => {
	process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
	process.exit(1);
});
