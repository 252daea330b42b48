/**
 * Analysis runs in worker threads, so a node busy analysing still sends heartbeats and answers
 * calls. Two brokers share an in-process transporter; the observer keeps the analyser's pool
 * saturated and watches its heartbeats and an ordinary action meanwhile. Needs the compiled worker
 * (npx tsc -p tsconfig.build.json; `npm test` builds first).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { serviceCatalog } from "../../../services";
import type { AnalysisStatus } from "../../../services/audio-feature/analysis.mixin";
import { defaultWorkerFile } from "../../../services/audio-feature/pool";
import { eventually } from "../../harness/ports";
import { clipMp3, tempoTestSet } from "../../fixtures/audio/testset";

const NAMESPACE = `hb-${process.pid}`;

function broker(nodeID: string): ServiceBroker {
	return new ServiceBroker({ nodeID, namespace: NAMESPACE, transporter: "Fake", heartbeatInterval: 1, heartbeatTimeout: 4, logger: false });
}

describe("a node whose analysis pool is saturated", () => {
	let server: http.Server;
	let base = "";
	let analyser: ServiceBroker;
	let observer: ServiceBroker;

	beforeAll(async () => {
		if (!fs.existsSync(defaultWorkerFile())) throw new Error(`${defaultWorkerFile()} is missing: run npx tsc -p tsconfig.build.json first`);
		// A Deezer-like preview: 30 s, 44.1 kHz, 128 kbps, under many URLs so nothing is cached.
		const mp3 = clipMp3(tempoTestSet(1)[0]);
		server = http.createServer((_, res) => res.writeHead(200, { "content-type": "audio/mpeg" }).end(mp3));
		await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
		base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

		analyser = broker("analyser");
		attachConfig(analyser, testConfig({ ANALYSIS_WORKERS: "2", ANALYSIS_HOST_DELAY_MS: "1" }));
		analyser.createService(serviceCatalog["audio-feature"] as ServiceSchema);
		analyser.createService({ name: "echo", actions: { ping: () => "pong" } });
		observer = broker("observer");
		attachConfig(observer, testConfig());
		await Promise.all([analyser.start(), observer.start()]);
		await observer.waitForServices(["audio-feature", "echo"], 10000);
	});
	afterAll(async () => {
		await observer?.stop();
		await analyser?.stop();
		server?.closeAllConnections();
		await new Promise(resolve => server?.close(resolve));
	});

	it("keeps sending heartbeats and answering calls", async () => {
		const status = () => observer.call<AnalysisStatus, object>("audio-feature.analysisStatus", {});
		let stop = false;
		let submitted = 0;
		const outcomes: string[] = [];
		// Eight analyses in flight at all times against two workers: the pool never drains.
		const feeder = async () => {
			while (!stop) {
				const n = submitted++;
				const outcome = await observer.call<{ status: string }, object>("audio-feature.analysePreview", { url: `${base}/clip-${n}.mp3` }, { timeout: 120000 });
				outcomes.push(outcome.status);
			}
		};
		const feeders = Array.from({ length: 8 }, feeder);

		await eventually("the pool to be saturated", async () => {
			const s = await status();
			return s.pool && s.pool.busy === 2 && s.pool.queued > 0;
		});
		// Each sample: is the node still there, did it answer, was the pool still saturated?
		const beats = new Set<number>();
		const samples: Array<{ available: boolean; pong: boolean; saturated: boolean }> = [];
		await eventually(
			"four heartbeats from the analyser while its pool is saturated",
			async () => {
				const node = observer.registry.nodes.get("analyser");
				// An ordinary action of the busy node, with a timeout of two heartbeats.
				const pong = await observer.call("echo.ping", {}, { timeout: 2000 }).then(r => r === "pong", () => false);
				const s = await status();
				samples.push({ available: Boolean(node?.available), pong, saturated: s.pool?.busy === 2 && (s.pool?.queued ?? 0) > 0 });
				if (node?.lastHeartbeatTime) beats.add(node.lastHeartbeatTime);
				return beats.size >= 4;
			},
			60000,
			100
		).finally(() => {
			stop = true;
		});
		await Promise.all(feeders);

		expect(beats.size).toBeGreaterThanOrEqual(4);
		expect(samples.length).toBeGreaterThan(5);
		expect(samples.filter(x => !x.available || !x.pong || !x.saturated)).toEqual([]);
		expect(outcomes.length).toBe(submitted);
		expect(outcomes.every(o => o === "ok")).toBe(true);
		expect((await status()).pool).toMatchObject({ busy: 0, queued: 0, replaced: 0 });
	}, 120000);
});
