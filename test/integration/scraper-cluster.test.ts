import type { ServiceBroker } from "moleculer";
import type { TaskView } from "../../services/tasks/model";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { clientBroker, startNode, type NodeProcess } from "../harness/nodes";
import { eventually } from "../harness/ports";
import { startNats, startRedis, type ServerProcess } from "../harness/servers";
import { startTracklistSite, type TracklistSite } from "../simulators/tracklists";

interface ImportStatus extends TaskView {
	import: { total: number; done: number; failed: number; items: Array<{ url: string; state: string; tracklist_id: string | null; error: { type: string } | null }> };
}

const CRAWL_DELAY_SEC = 0.15;

describeWithBinaries(["nats-server", "redis-server"], "a batch import across scraper worker processes over NATS", () => {
	let nats: ServerProcess;
	let redis: ServerProcess;
	let site: TracklistSite;
	let client: ServiceBroker;
	const nodes: NodeProcess[] = [];
	const processed: Array<{ tracklistId: string; url: string; trackCount: number }> = [];

	const env = () => ({
		NAMESPACE: "scrape-1",
		TRANSPORTER: nats.url,
		REDIS_URL: redis.url,
		LIMITER_ID_PREFIX: "scrape-1",
		HEARTBEAT_INTERVAL: "1",
		HEARTBEAT_TIMEOUT: "3",
		REQUEST_TIMEOUT: "10000",
		METRICS_ENABLED: "false",
		STORE_IN_MEMORY: "true",
		SCRAPER_SITE_URL: site.url,
		SCRAPER_ALLOWED_HOSTS: site.host,
		SCRAPER_ALLOW_PRIVATE_ADDRESSES: "true",
		SCRAPER_RETRY_BASE_MS: "20",
		SCRAPE_DEFAULT_DELAY_MS: String(CRAWL_DELAY_SEC * 1000),
		JOB_LEASE_MS: "3000",
		JOB_BACKOFF_BASE_MS: "50",
		JOB_BACKOFF_MAX_MS: "500",
		WORKER_POLL_MS: "50",
		CRAWLER_CONCURRENCY: "2"
	});
	const startWorker = (id: string) => {
		const node = startNode(id, { ...env(), SERVICES: "scraper-worker" });
		nodes.push(node);
		return node;
	};
	const dump = () => nodes.map(x => `--- ${x.nodeID}\n${x.output().slice(-3000)}`).join("\n");

	beforeAll(async () => {
		nats = await startNats();
		redis = await startRedis();
		site = await startTracklistSite({ seed: 4, sets: 24, tracksPerSet: 15, robots: `User-agent: *\nDisallow: /private/\nCrawl-delay: ${CRAWL_DELAY_SEC}\n` });
		nodes.push(startNode("data-1", { ...env(), SERVICES: "scheduler,catalog,tasks,scraper" }));
		// SERVICES only tells the configuration this broker signs no tokens; it runs no cratedigger service.
		client = clientBroker("client-1", { NAMESPACE: "scrape-1", TRANSPORTER: nats.url, HEARTBEAT_INTERVAL: "1", HEARTBEAT_TIMEOUT: "3", SERVICES: "ops" });
		client.createService({
			name: "processed-listener",
			events: {
				"tracklist.processed"(ctx: { params: { tracklistId: string; url: string; trackCount: number } }) {
					processed.push(ctx.params);
				}
			}
		});
		await client.start();
		await client.waitForServices(["scheduler", "tasks", "scraper"], 20000).catch(err => {
			throw new Error(`${(err as Error).message}\n${dump()}`);
		});
	}, 60000);

	afterAll(async () => {
		await client?.stop();
		for (const node of nodes.splice(0)) {
			node.kill("SIGKILL");
			await node.exited();
		}
		await site?.close();
		await nats?.stop();
		await redis?.stop();
	});

	it("imports every URL exactly once through scheduler jobs leased by two worker processes, one of them killed mid-import, keeping the host's crawl delay across the cluster", async () => {
		const victim = startWorker("worker-1");
		startWorker("worker-2");
		await client.waitForServices(["scraper-worker"], 20000);
		const urls = site.sets.map(s => site.url + site.pathOf(s));
		const admin = { user: { id: "ops", role: "admin" } };
		const task = await client.call<TaskView, object>("scraper.import", { urls: [...urls, `${site.url}/tracklist/challenge/blocked.html`] }, { meta: admin });
		const status = () => client.call<ImportStatus, object>("scraper.status", { id: task.id }, { meta: admin });

		await eventually("a few URLs done", async () => (await status()).import.done >= 4, 60000, 100).catch(async err => {
			throw new Error(`${(err as Error).message}\n${JSON.stringify(await status())}\n${dump()}`);
		});
		victim.kill("SIGKILL");
		await victim.exited();
		startWorker("worker-3");

		const final = await eventually("the import to finish", async () => {
			const s = await status();
			return s.status === "done" ? s : null;
		}, 120000, 200).catch(async err => {
			throw new Error(`${(err as Error).message}\n${JSON.stringify(await status())}\n${dump()}`);
		});
		expect(final.import).toMatchObject({ total: 25, done: 24, failed: 1 });
		expect(final.progress).toEqual({ done: 25, total: 25 });
		expect(final.import.items.find(i => i.state === "failed")?.error?.type).toBe("BLOCKED");

		// Each page stored once, whichever worker fetched it and however often.
		const stats = await client.call<{ tracklists: number; versions: number }, object>("scraper.stats", {});
		expect(stats).toMatchObject({ tracklists: 24, versions: 24 });
		const ids = new Set(final.import.items.map(i => i.tracklist_id).filter(Boolean));
		expect(ids.size).toBe(24);
		await eventually("every processed event", () => new Set(processed.map(e => e.tracklistId)).size >= 24, 10000);
		for (const e of processed) expect(e.trackCount).toBe(15);

		// Each worker reads robots.txt at most once for the host, however many pages it fetches.
		const workers = nodes.filter(n => n !== victim && n.nodeID.startsWith("worker"));
		for (const w of workers) {
			const r = await client.call<{ fetches: number }, object>("scraper-worker.robotsStats", {}, { nodeID: w.nodeID });
			expect(r.fetches).toBeLessThanOrEqual(1);
		}
		expect(site.count("/robots.txt")).toBeLessThanOrEqual(3);

		// The host's limiter is shared through Redis: no two requests to the site start closer than
		// the crawl delay allows (with a margin for network jitter).
		const starts = site.requests.map(r => r.at).sort((a, b) => a - b);
		const closest = Math.min(...starts.slice(1).map((t, i) => t - starts[i]));
		expect(closest).toBeGreaterThanOrEqual(CRAWL_DELAY_SEC * 1000 * 0.8);
		expect(site.violations()).toEqual([]);
		for (const node of nodes.filter(n => n !== victim)) expect(node.child.exitCode).toBeNull();
	}, 240000);
});
