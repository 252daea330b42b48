import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { WorkerMixin, type WorkerStatus } from "../../../mixins/worker.mixin";
import OpsService, { type DrainStatus } from "../../../services/ops.service";
import SchedulerService from "../../../services/scheduler.service";
import type { LeasedJob } from "../../../services/scheduler/jobs";
import { eventually } from "../../harness/ports";

/**
 * A worker whose jobs finish only when the test says so, so "in flight" is something the test
 * controls rather than a race.
 */
function gatedWorker(name: string) {
	const started: string[] = [];
	const gates: Array<() => void> = [];
	let open = false;
	const schema = {
		name,
		mixins: [WorkerMixin],
		settings: { worker: { jobTypes: [`${name.replace(/-/g, "")}.job`] } },
		methods: {
			async processBatch(jobs: LeasedJob[]) {
				started.push(...jobs.map(j => j.entity));
				if (!open) await new Promise<void>(resolve => gates.push(resolve));
				return jobs.map(() => ({}));
			}
		}
	};
	return {
		schema: schema as unknown as ServiceSchema,
		type: `${name.replace(/-/g, "")}.job`,
		started,
		/** Lets every job that has started so far finish. */
		releaseAll: () => gates.splice(0).forEach(g => g()),
		/** From now on every job finishes at once (so the broker stops without waiting). */
		openAll: () => {
			open = true;
			gates.splice(0).forEach(g => g());
		}
	};
}

async function startBroker(nodeID: string, services: ServiceSchema[]): Promise<ServiceBroker> {
	const broker = new ServiceBroker({ nodeID, logger: false });
	attachConfig(broker, testConfig({ NODE_ID: nodeID, WORKER_POLL_MS: "20", CRAWLER_CONCURRENCY: "4" }));
	for (const s of services) broker.createService(s);
	await broker.start();
	return broker;
}

const status = (broker: ServiceBroker, service: string) =>
	broker.call<{ workers: WorkerStatus[] }, object>("ops.info", {}).then(i => i.workers.find(w => w.service === service) as WorkerStatus);

describe("worker concurrency and drain, through the ops service", () => {
	let broker: ServiceBroker | undefined;
	let workers: Array<ReturnType<typeof gatedWorker>> = [];
	let worker: ReturnType<typeof gatedWorker>;
	const gated = (name: string) => {
		const w = gatedWorker(name);
		workers.push(w);
		return w;
	};

	afterEach(async () => {
		for (const w of workers) w.openAll();
		workers = [];
		await broker?.stop();
		broker = undefined;
	});

	it("starts a worker at the concurrency an operator stored: the node's own value over the cluster's", async () => {
		broker = await startBroker("n1", [SchedulerService as ServiceSchema, OpsService as ServiceSchema]);
		await broker.call("scheduler.setWorkerConcurrency", { service: "slow-a", concurrency: 3 });
		await broker.call("scheduler.setWorkerConcurrency", { service: "slow-b", concurrency: 5 });
		await broker.call("scheduler.setWorkerConcurrency", { service: "slow-b", concurrency: 2, nodeID: "n1" });
		await broker.call("scheduler.setWorkerConcurrency", { service: "slow-b", concurrency: 7, nodeID: "other" });
		const a = gated("slow-a");
		const b = gated("slow-b");
		broker.createService(a.schema);
		broker.createService(b.schema);
		await broker.waitForServices(["slow-a", "slow-b"]);

		await eventually("stored values applied", async () => (await status(broker as ServiceBroker, "slow-a")).concurrencySource !== "config");
		expect(await status(broker, "slow-a")).toMatchObject({ concurrency: 3, concurrencySource: "cluster" });
		await eventually("node value applied", async () => (await status(broker as ServiceBroker, "slow-b")).concurrency === 2);
		expect((await status(broker, "slow-b")).concurrencySource).toBe("node");

		// The stored value caps what runs: 6 jobs queued, 3 in flight.
		await broker.call("scheduler.enqueue", { jobs: [1, 2, 3, 4, 5, 6].map(i => ({ type: a.type, entity: `e${i}` })) });
		await eventually("three in flight", async () => (await status(broker as ServiceBroker, "slow-a")).inFlight === 3);
		expect(a.started).toHaveLength(3);
	});

	it("changes concurrency at run time and persists a cluster-wide value that replaces the nodes' own", async () => {
		worker = gated("slow-c");
		broker = await startBroker("n2", [SchedulerService as ServiceSchema, OpsService as ServiceSchema, worker.schema]);
		await broker.call("scheduler.enqueue", { jobs: [1, 2, 3, 4, 5, 6].map(i => ({ type: worker.type, entity: `e${i}` })) });
		await eventually("four in flight (CRAWLER_CONCURRENCY)", async () => (await status(broker as ServiceBroker, "slow-c")).inFlight === 4);

		const answer = await broker.call<{ before: number; after: number }, object>("ops.setConcurrency", { service: "slow-c", concurrency: 6 });
		expect(answer).toMatchObject({ before: 4, after: 6 });
		await eventually("six in flight", async () => (await status(broker as ServiceBroker, "slow-c")).inFlight === 6);
		expect((await status(broker, "slow-c")).concurrencySource).toBe("operator");

		await broker.call("scheduler.setWorkerConcurrency", { service: "slow-c", concurrency: 2, nodeID: "n2" });
		await broker.call("scheduler.setWorkerConcurrency", { service: "slow-c", concurrency: 9 });
		expect(await broker.call("scheduler.workerConcurrency", { service: "slow-c", nodeID: "n2" })).toEqual({ concurrency: 9, scope: "cluster" });
		const settings = await broker.call<Array<{ service: string; cluster?: number; nodes: unknown[] }>, object>("scheduler.workerSettings", {});
		expect(settings).toEqual([expect.objectContaining({ service: "slow-c", cluster: 9, nodes: [] })]);
	});

	it("refuses a service that is not a worker on the node", async () => {
		broker = await startBroker("n3", [SchedulerService as ServiceSchema, OpsService as ServiceSchema]);
		await expect(broker.call("ops.setConcurrency", { service: "scheduler", concurrency: 2 })).rejects.toMatchObject({ code: 404 });
		await expect(broker.call("ops.setConcurrency", { service: "scheduler", concurrency: -1 })).rejects.toMatchObject({ code: 422 });
	});

	it("drains: no new lease, jobs in flight finish and are reported, then it is safe to stop; cancel leases again", async () => {
		worker = gated("slow-d");
		broker = await startBroker("n4", [SchedulerService as ServiceSchema, OpsService as ServiceSchema, worker.schema]);
		await broker.call("ops.setConcurrency", { service: "slow-d", concurrency: 2 });
		await broker.call("scheduler.enqueue", { jobs: [1, 2, 3, 4, 5].map(i => ({ type: worker.type, entity: `e${i}` })) });
		await eventually("two in flight", async () => (await status(broker as ServiceBroker, "slow-d")).inFlight === 2);

		const draining = await broker.call<DrainStatus, object>("ops.drain", {});
		expect(draining).toMatchObject({ nodeID: "n4", draining: true, inFlight: 2, safeToStop: false });

		worker.releaseAll();
		const drained = await eventually("safe to stop", async () => {
			const s = await broker?.call<DrainStatus, object>("ops.drainStatus", {});
			return s?.safeToStop ? s : null;
		});
		expect(drained.inFlight).toBe(0);
		expect(worker.started).toHaveLength(2);
		const afterDrain = await broker.call<{ tiers: { low: { queued: number; leased: number } }; done: number }, object>("scheduler.status", {});
		expect(afterDrain).toMatchObject({ done: 2, tiers: { low: { queued: 3, leased: 0 } } });

		await broker.call("ops.drain", { cancel: true });
		await eventually("leasing again", async () => (await status(broker as ServiceBroker, "slow-d")).inFlight === 2);
		expect((await status(broker, "slow-d")).draining).toBe(false);
	});
});
