import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { eventually, freePort } from "../harness/ports";

const DEMO = path.resolve(__dirname, "../../dist/bin/demo.js");

/** `npm run demo`: a crawl over the bundled simulators, offline, stopped by one Ctrl-C. */
describe("the demo", () => {
	it("crawls the simulators, serves songs and the status page, and stops everything on SIGINT", async () => {
		const port = await freePort();
		const child = spawn(process.execPath, [DEMO], {
			env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), METRICS_PORT: "0", LOG_LEVEL: "warn" },
			stdio: ["ignore", "pipe", "pipe"]
		});
		let out = "";
		child.stdout.on("data", (d: Buffer) => (out += d.toString()));
		child.stderr.on("data", (d: Buffer) => (out += d.toString()));
		const exited = new Promise<number | null>(resolve => child.once("exit", code => resolve(code)));
		const base = `http://127.0.0.1:${port}`;
		try {
			await eventually("the demo's banner", () => out.includes("status page:"), 60_000);
			const dataDir = /data in (\S+) \(removed at exit\)/.exec(out)?.[1];
			expect(dataDir && fs.existsSync(dataDir)).toBeTruthy();

			// Tracks arrive, and get a tempo, which puts them in the songs-by-BPM lists.
			const withTempo = await eventually(
				"tracks with a tempo",
				async () => {
					const body = (await (await fetch(`${base}/api/v1/tracks?withTempo=true&limit=5`)).json()) as { items?: Array<{ tempo: number }> };
					return body.items?.length ? body.items : undefined;
				},
				90_000,
				500
			);
			const bpm = Math.round(withTempo[0].tempo);
			const songs = (await (await fetch(`${base}/api/v1/songs/bpm/${bpm}?limit=5`)).json()) as { items: unknown[] };
			expect(songs.items.length).toBeGreaterThan(0);
			expect((await fetch(`${base}/status`)).status).toBe(200);
			// Every curl the banner prints works as printed (the demo's port is this test's).
			const curls = [...out.matchAll(/^\s+[A-Za-z ]+:\s+(curl -s .*)$/gm)].map(m => m[1]);
			expect(curls.length).toBeGreaterThanOrEqual(4);
			for (const curl of curls) {
				const answer = execFileSync("bash", ["-c", curl], { encoding: "utf8", timeout: 60_000 });
				expect({ curl, error: (JSON.parse(answer) as { error?: unknown }).error }).toEqual({ curl, error: undefined });
			}
			await eventually("a progress line", () => /demo: \d+ tracks processed/.test(out), 30_000);

			child.kill("SIGINT");
			expect(await exited).toBe(0);
			expect(fs.existsSync(dataDir as string)).toBe(false);
			// The simulators went with it: nothing answers on the gateway's port any more.
			await expect(fetch(`${base}/health`)).rejects.toThrow();
		} finally {
			// The demo's node has a process group of its own: stop it through the demo, not around it.
			if (child.exitCode === null) {
				child.kill("SIGINT");
				await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 30_000))]);
			}
			if (child.exitCode === null) child.kill("SIGKILL");
		}
	}, 180_000);
});
