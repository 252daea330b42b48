/**
 * The NeDB row of bench:store, measured once on the last commit that had NeDB and kept in
 * bench/store-nedb-baseline.json (NeDB has since been removed).
 */
import { execSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeCatalog } from "./api-catalog";
import { runBench } from "./store";

async function main(): Promise<void> {
	const tracks = 1_000_000;
	const load = os.loadavg()[0];
	const [figures] = await runBench([
		{ store: "nedb", tracks, build: async (dir, n, onTrack) => void (await writeCatalog(dir, n, 42, doc => onTrack(doc, Number(doc.isrc?.slice(-7) ?? 0)))) }
	]);
	const commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
	const record = {
		source: `measured ${new Date().toISOString().slice(0, 16)}Z by bench/store.ts in its NeDB mode on commit ${commit} (the last with NeDB), node ${process.version}, ${os.cpus().length} shared CPUs, load average ${load.toFixed(1)} at start`,
		figures
	};
	fs.writeFileSync(path.join(__dirname, "../../bench/store-nedb-baseline.json"), JSON.stringify(record, null, "\t") + "\n");
}

main().then(
	() => process.exit(0),
	(err: unknown) => {
		console.error((err as Error).stack ?? String(err));
		process.exit(1);
	}
);
