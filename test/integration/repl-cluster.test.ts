import * as os from "node:os";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { startNode, type NodeProcess } from "../harness/nodes";
import { eventually } from "../harness/ports";
import { startNats, type ServerProcess } from "../harness/servers";
import { pairUrls, upstreamEnv } from "../harness/upstream-env";
import { startSimulators, type SimulatorPair } from "../simulators";

const WORKERS = "artist-crawler,album-crawler,audio-feature";

/**
 * An operator at the REPL of one node steers a three-node cluster: scales workers at run time on
 * one node and on all, sees a restarted node keep its setting, inspects the queue, drains a node
 * and watches the crawl run on the other one.
 */
describeWithBinaries(["nats-server"], "the operator's REPL commands across a cluster", () => {
	let nats: ServerProcess;
	let sims: SimulatorPair;
	const nodes = new Map<string, NodeProcess>();
	let data: NodeProcess;

	const env = () => ({
		NAMESPACE: "repl-cluster",
		TRANSPORTER: nats.url,
		HEARTBEAT_INTERVAL: "1",
		HEARTBEAT_TIMEOUT: "3",
		METRICS_ENABLED: "false",
		STORE_IN_MEMORY: "true",
		WORKER_POLL_MS: "50",
		CRAWLER_CONCURRENCY: "3",
		CRAWL_MAX_DEPTH: "20",
		JOB_BACKOFF_BASE_MS: "50",
		JOB_BACKOFF_MAX_MS: "300",
		HOME: os.tmpdir(),
		...upstreamEnv(pairUrls(sims))
	});
	const start = (id: string, services: string, extra: Record<string, string> = {}) => {
		const node = startNode(id, { ...env(), SERVICES: services, ...extra }, { stdin: extra.REPL === "1" });
		nodes.set(id, node);
		return node;
	};

	/** Types a line at the data node's REPL and waits for the answer to match. */
	async function repl(line: string, answer: RegExp, timeoutMs = 15000): Promise<string> {
		const from = data.output().length;
		(data.child.stdin as NodeJS.WritableStream).write(`${line}\n`);
		return eventually(`"${line}" to answer ${answer}`, () => {
			const out = data.output().slice(from);
			return answer.test(out) ? out : null;
		}, timeoutMs).catch(err => {
			throw new Error(`${(err as Error).message}\n--- REPL output:\n${data.output().slice(from)}`);
		});
	}

	/** Asks again until the answer matches: for state that settles over a heartbeat or two. */
	const replUntil = (line: string, answer: RegExp, timeoutMs = 30000) =>
		eventually(`"${line}" to show ${answer}`, async () => answer.test(await repl(line, /\$ $|version|state|ETA/)), timeoutMs, 500);

	beforeAll(async () => {
		nats = await startNats();
		sims = await startSimulators({ catalog: { seed: 5, artists: 4, albumsPerArtist: 2, tracksPerAlbum: 5 }, deezer: { maxPerWindow: 1_000_000 } });
		data = start("data", "scheduler,catalog", { REPL: "1" });
		start("w1", WORKERS);
		start("w2", WORKERS);
		await eventually("the REPL prompt", () => data.output().includes("data $"), 30000);
	}, 60000);

	afterAll(async () => {
		for (const node of nodes.values()) {
			if (node.child.exitCode === null) node.kill("SIGKILL");
			await node.exited();
		}
		await sims?.close();
		await nats?.stop();
	});

	it("scales, inspects, drains and steers the crawl, validating every argument", async () => {
		await replUntil("cluster", /w1 .*album-crawler 3[\s\S]*w2 .*album-crawler 3/);

		await repl("crawl pause", /paused job types: all/);
		await repl(`crawl seed ${sims.catalog.artist(0).name}`, /seeded: 1 new, 0 already known/);
		const queue = await repl("queue low", /Oldest leases/);
		expect(queue).toMatch(/^low\s+1\s+0$/m);
		expect(queue).toMatch(new RegExp(`low\\s+artist\\.discover\\s+${sims.catalog.artist(0).name}\\s+`));
		expect(queue).toContain("(no job is leased)");
		await repl("queue bogus", /queue: unknown tier "bogus"; tiers: high, medium, low\nusage: queue/);
		await repl("queue --limit 0", /--limit must be from 1 to 200 \(got 0\)/);

		// One node, then every node.
		const one = await repl("workers album-crawler 2 --node w1", /stored for node w1/);
		expect(one).toMatch(/^w1\s+album-crawler\s+3\s+2\s+applied$/m);
		expect(one).not.toMatch(/^w2/m);
		const all = await repl("workers artist-crawler 5", /stored for every node/);
		expect(all).toMatch(/^w1\s+artist-crawler\s+3\s+5\s+applied$/m);
		expect(all).toMatch(/^w2\s+artist-crawler\s+3\s+5\s+applied$/m);
		await repl("workers album-crawler lots", /workers: concurrency must be a whole number from 0 to 256 \(got "lots"\)\nusage: workers/);
		await repl("workers album-crawler 2 --node nowhere", /workers: no node "nowhere" answers/);
		await repl("workers scheduler 2", /workers: no node runs a worker service "scheduler"; worker services: album-crawler, artist-crawler, audio-feature/);
		await repl("workers album-crawler", /give the concurrency for album-crawler/);
		const cluster = await repl("cluster", /version/);
		expect(cluster).toMatch(/^w1\s.*album-crawler 2, artist-crawler 5, audio-feature 3\s+0\s+leasing/m);
		expect(cluster).toMatch(/^w2\s.*album-crawler 3, artist-crawler 5, audio-feature 3\s+0\s+leasing/m);

		// A restarted w1 reads its settings back from the scheduler ("set by" node and cluster, not operator).
		const old = nodes.get("w1") as NodeProcess;
		old.kill("SIGTERM");
		expect(await old.exited()).toBe(0);
		start("w1", WORKERS);
		await replUntil("workers", /^w1\s+album-crawler\s+2\s+node\s/m);
		const workers = await repl("workers", /state/);
		expect(workers).toMatch(/^w1\s+artist-crawler\s+5\s+cluster\s/m);
		expect(workers).toMatch(/^w2\s+album-crawler\s+3\s+config\s/m);

		// Drain w2, then let the crawl run: only w1 works.
		await repl("drain w2", /drain: unexpected "w2"; name a node with --node <id>/);
		const drained = await repl("drain --node w2", /safe to stop: w2/);
		expect(drained).toMatch(/^w2\s+album-crawler,artist-crawler,audio-feature\s+no\s+0\s+yes$/m);
		await replUntil("cluster", /^w2\s.*drained: safe to stop/m);
		await repl("crawl resume", /paused job types: none/);
		await replUntil("crawl status", /done [1-9]\d*, .*ETA 0 s/, 90000);
		const after = await repl("workers", /state/);
		for (const service of ["album-crawler", "artist-crawler", "audio-feature"]) {
			expect(after).toMatch(new RegExp(`^w2\\s+${service}\\s+\\d+\\s+\\S+\\s+0\\s+0\\s+0\\s+draining$`, "m"));
		}
		expect(after).toMatch(/^w1\s+album-crawler\s+2\s+node\s+0\s+[1-9]\d*\s+0\s+leasing$/m);

		await repl("drain --cancel --node w2", /leasing again on w2/);
		await replUntil("cluster", /^w2\s.*\s0\s+leasing/m);
		await repl("limits", /spotify/);
		await repl("crawl retry-dead", /moved 0 dead-letter job\(s\) back to the queue/);
		await repl("dead", /no dead-letter jobs/);
		await repl("dead album.tracks --limit 5", /no dead-letter jobs of type album\.tracks/);
		await repl("dead artist.discoverr", /dead: no worker of this cluster takes "artist\.discoverr" jobs/);
		await repl("crawl pause Album", /"Album" is not a job type/);
		await repl("crawl pause artist.discoverr", /no worker of this cluster takes "artist\.discoverr" jobs; the job types are .*artist\.discover/);
		await repl("limits set nope 10/1s", /no limiter is named "nope"/);
		await repl("crawl resume album.tracks extra", /resume takes at most one job type/);

		(data.child.stdin as NodeJS.WritableStream).write("quit\n");
		expect(await data.exited()).toBe(0);
	}, 240000);
});
