import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import SchedulerService from "../../../services/scheduler.service";
import type { LeasedJob } from "../../../services/scheduler/jobs";
import type { CrawlStatus } from "../../../services/scheduler/stats";
import { WorkerMixin } from "../../../mixins/worker.mixin";
import { eventually } from "../../harness/ports";

describe("scheduler: the durable job frontier", () => {
	let broker: ServiceBroker;

	async function start(env: Record<string, string> = {}) {
		broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig({ JOB_MAX_ATTEMPTS: "3", JOB_BACKOFF_BASE_MS: "0", JOB_BACKOFF_MAX_MS: "0", ...env }));
		broker.createService(SchedulerService as unknown as ServiceSchema);
		await broker.start();
	}
	const lease = (types: string[], max = 10, leaseMs?: number) => broker.call<LeasedJob[], object>("scheduler.lease", { types, max, ...(leaseMs ? { leaseMs } : {}) });
	const enqueue = async (jobs: object[]) => {
		const { created, existing } = await broker.call<{ created: number; existing: number }, object>("scheduler.enqueue", { jobs });
		return { created, existing };
	};

	const reaper = () => broker.getLocalService("scheduler") as unknown as { reapExpiredLeases(): Promise<number> };

	afterEach(() => broker.stop());

	it("enqueueing is idempotent: one job per type and entity", async () => {
		await start();
		expect(await enqueue([{ type: "artist.discover", entity: "a" }, { type: "artist.discover", entity: "a" }])).toEqual({ created: 1, existing: 1 });
		expect(await enqueue([{ type: "artist.discover", entity: "a" }])).toEqual({ created: 0, existing: 1 });
		expect(await lease(["artist.discover"])).toHaveLength(1);
	});

	it("caps how many jobs of a type may exist (CRAWL_MAX_ARTISTS)", async () => {
		await start();
		const jobs = Array.from({ length: 5 }, (_, i) => ({ type: "artist.discover", entity: `a${i}` }));
		expect(await broker.call("scheduler.enqueue", { jobs, cap: { type: "artist.discover", max: 3 } })).toEqual({ created: 3, existing: 0, capped: 2 });
	});

	it("a job is leased once; completing it keeps it from coming back", async () => {
		await start();
		await enqueue([{ type: "album.tracks", entity: "x" }]);
		const [job] = await lease(["album.tracks"]);
		expect(await lease(["album.tracks"])).toHaveLength(0);
		expect(await broker.call("scheduler.complete", { id: job.id, token: job.token })).toEqual({ ok: true });
		await enqueue([{ type: "album.tracks", entity: "x" }]);
		expect(await lease(["album.tracks"])).toHaveLength(0);
	});

	it("concurrent leases never hand out the same job", async () => {
		await start();
		await enqueue(Array.from({ length: 40 }, (_, i) => ({ type: "track.features", entity: `t${i}` })));
		const batches = await Promise.all(Array.from({ length: 10 }, () => lease(["track.features"], 7)));
		const ids = batches.flat().map(j => j.id);
		expect(ids).toHaveLength(40);
		expect(new Set(ids).size).toBe(40);
	});

	it("concurrent leases take whole batches: what is left is one partial batch, not halves of one", async () => {
		await start();
		await enqueue(Array.from({ length: 50 }, (_, i) => ({ type: "track.features", entity: `t${i}` })));
		const batches = await Promise.all(Array.from({ length: 4 }, () => broker.call<LeasedJob[], object>("scheduler.lease", { types: ["track.features"], max: 20, fillMs: 0 })));
		expect(batches.map(b => b.length).sort((x, y) => y - x)).toEqual([20, 20, 10, 0]);
	});

	it("completes a batch in one call, one result per job in order; a lost lease is ok: false", async () => {
		await start();
		await enqueue([{ type: "album.tracks", entity: "a" }, { type: "track.features", entity: "t" }, { type: "album.tracks", entity: "b" }]);
		const jobs = await lease(["album.tracks", "track.features"], 3);
		const reports = jobs.map(j => ({ id: j.id, token: j.token, type: j.type }));
		reports[1] = { ...reports[1], token: "not-the-lease" };
		expect(await broker.call("scheduler.completeMany", { jobs: reports })).toEqual([{ ok: true }, { ok: false }, { ok: true }]);
		const status = await broker.call<CrawlStatus, object>("scheduler.status", {});
		expect(status.done).toBe(2);
		expect(status.tiers.high.leased + status.tiers.low.leased).toBe(1);
	});

	it("retries a failed job and sends it to dead-letter after the last attempt, with its error", async () => {
		await start();
		await enqueue([{ type: "album.tracks", entity: "bad" }]);
		for (let attempt = 1; attempt <= 3; attempt++) {
			const [job] = await lease(["album.tracks"]);
			expect(job.attempts).toBe(attempt);
			await broker.call("scheduler.fail", { id: job.id, token: job.token, error: { message: `boom ${attempt}`, kind: "retryable" } });
		}
		expect(await lease(["album.tracks"])).toHaveLength(0);
		const dead = await broker.call<Array<{ lastError: string; state: string; errors: Array<{ message: string }> }>, object>("scheduler.dead", {});
		expect(dead).toHaveLength(1);
		expect(dead[0].lastError).toBe("boom 3");
		expect(dead[0].errors.map(e => e.message)).toEqual(["boom 1", "boom 2", "boom 3"]);
		expect(await broker.call("scheduler.retryDead", { type: "album.tracks" })).toEqual({ retried: 1 });
		expect(await lease(["album.tracks"])).toHaveLength(1);
	});

	it("a fatal error goes to dead-letter at once; a rate limit waits without spending an attempt", async () => {
		await start();
		await enqueue([{ type: "a.b", entity: "fatal" }, { type: "c.d", entity: "limited" }]);
		const [f] = await lease(["a.b"]);
		await broker.call("scheduler.fail", { id: f.id, token: f.token, error: { message: "bad request", kind: "fatal" } });
		const [l] = await lease(["c.d"]);
		await broker.call("scheduler.fail", { id: l.id, token: l.token, error: { message: "429", kind: "rate-limited", retryAfterMs: 60000 } });
		const job = await broker.call<{ state: string; attempts: number; runAt: number }, object>("scheduler.job", { key: "c.d:limited" });
		expect(job).toMatchObject({ state: "queued", attempts: 0 });
		expect(job.runAt).toBeGreaterThan(Date.now() + 50000);
		expect((await broker.call<{ state: string }, object>("scheduler.job", { key: "a.b:fatal" })).state).toBe("dead");
	});

	it("an expired lease puts the job back for another worker; a heartbeat keeps it", async () => {
		await start();
		await enqueue([{ type: "a.b", entity: "1" }, { type: "a.b", entity: "2" }]);
		const [first, second] = await lease(["a.b"], 2, 1000);
		await new Promise(r => setTimeout(r, 600));
		await broker.call("scheduler.heartbeatMany", { jobs: [{ id: second.id, token: second.token }], leaseMs: 5000 });
		await new Promise(r => setTimeout(r, 700));
		await (broker.getLocalService("scheduler") as unknown as { reapExpiredLeases(): Promise<number> }).reapExpiredLeases();
		const again = await lease(["a.b"]);
		expect(again.map(j => j.id)).toEqual([first.id]);
		// The old token no longer completes the job.
		expect(await broker.call("scheduler.complete", { id: first.id, token: first.token })).toEqual({ ok: false });
	});

	it("pauses and resumes per job type", async () => {
		await start();
		await enqueue([{ type: "a.b", entity: "1" }, { type: "c.d", entity: "1" }]);
		await broker.call("scheduler.pause", { type: "a.b" });
		expect((await lease(["a.b", "c.d"])).map(j => j.type)).toEqual(["c.d"]);
		await broker.call("scheduler.resume", { type: "a.b" });
		expect((await lease(["a.b"])).map(j => j.type)).toEqual(["a.b"]);
	});

	it("never starves the low tier while high has plenty of work", async () => {
		await start();
		await enqueue(Array.from({ length: 200 }, (_, i) => ({ type: "track.features", entity: `t${i}`, tier: "high" })));
		await enqueue(Array.from({ length: 20 }, (_, i) => ({ type: "artist.discover", entity: `a${i}`, tier: "low" })));
		const got: string[] = [];
		for (let i = 0; i < 50; i++) got.push(...(await lease(["track.features", "artist.discover"], 1)).map(j => j.type));
		const low = got.filter(t => t === "artist.discover").length;
		expect(low).toBeGreaterThanOrEqual(4);
		expect(low).toBeLessThan(25);
	});

	it("reports status per tier, with done and dead counts", async () => {
		await start();
		await enqueue([{ type: "track.features", entity: "t1" }, { type: "artist.discover", entity: "a1" }]);
		const [job] = await lease(["track.features"]);
		await broker.call("scheduler.complete", { id: job.id, token: job.token });
		const status = await broker.call<CrawlStatus, object>("scheduler.status", {});
		expect(status.tiers.low.queued).toBe(1);
		expect(status.tiers.high.queued).toBe(0);
		expect(status.done).toBe(1);
		expect(status.dead).toBe(0);
	});

	it("an expired lease spends no attempt: the crash victims are leased again in one batch, like fresh jobs", async () => {
		await start({ WORKER_POLL_MS: "20" });
		await enqueue(Array.from({ length: 30 }, (_, i) => ({ type: "track.features", entity: `t${i}` })));
		const taken = await lease(["track.features"], 100, 1000);
		expect(taken).toHaveLength(30);
		// The worker holding them dies: nobody heartbeats, the leases run out.
		await new Promise(r => setTimeout(r, 1100));
		expect(await reaper().reapExpiredLeases()).toBe(30);
		const job = await broker.call<{ state: string; attempts: number; lastError?: string }, object>("scheduler.job", { key: "track.features:t0" });
		expect(job).toMatchObject({ state: "queued", attempts: 0 });
		expect(job.lastError).toBeUndefined();

		// A batch worker takes them back as one batch, not one by one as suspected poison.
		const batches: number[][] = [];
		broker.createService({
			name: "batch-worker",
			mixins: [WorkerMixin],
			settings: { worker: { jobTypes: ["track.features"], batchSize: 100, fillMs: 0, concurrency: 1 } },
			methods: {
				async processBatch(jobs: LeasedJob[]) {
					batches.push(jobs.map(j => j.attempts));
					return jobs.map(() => ({ outcome: "ok" }));
				}
			}
		} as ServiceSchema);
		await eventually("the batch to run", async () => (await broker.call<CrawlStatus, object>("scheduler.status", {})).done === 30, 10000, 20);
		expect(batches).toEqual([Array.from({ length: 30 }, () => 1)]);
	});

	it("a job whose lease runs out on every attempt in a row goes to dead-letter, with an error line", async () => {
		await start();
		await enqueue([{ type: "a.b", entity: "killer" }]);
		const errors = jest.spyOn(broker.getLocalService("scheduler").logger, "error");
		for (let i = 0; i < 3; i++) {
			expect(await lease(["a.b"], 1, 1000)).toHaveLength(1);
			await new Promise(r => setTimeout(r, 1100));
			await reaper().reapExpiredLeases();
		}
		const job = await broker.call<{ state: string; lastError: string }, object>("scheduler.job", { key: "a.b:killer" });
		expect(job.state).toBe("dead");
		expect(job.lastError).toMatch(/lease expired 3 times in a row/);
		expect(errors).toHaveBeenCalledWith(expect.stringMatching(/a\.b killer moved to dead-letter/));
	});

	it("every failure logs one warn line with type, entity, attempt and reason; dead-lettering logs an error line", async () => {
		await start();
		const svc = broker.getLocalService("scheduler");
		const warn = jest.spyOn(svc.logger, "warn");
		const error = jest.spyOn(svc.logger, "error");
		await enqueue([{ type: "album.tracks", entity: "spotify:x" }]);
		for (let attempt = 1; attempt <= 3; attempt++) {
			const [job] = await lease(["album.tracks"]);
			await broker.call("scheduler.fail", { id: job.id, token: job.token, error: { message: `ENOTFOUND api.example (${attempt})`, kind: "retryable" } });
		}
		const lines = warn.mock.calls.map(c => String(c[0]));
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(/album\.tracks spotify:x \(attempt 1 of 3\) failed \(retryable\).*ENOTFOUND api\.example \(1\)/);
		expect(error).toHaveBeenCalledTimes(1);
		expect(String(error.mock.calls[0][0])).toMatch(/album\.tracks spotify:x \(attempt 3 of 3\) moved to dead-letter.*ENOTFOUND api\.example \(3\)/);
	});

	describe("depth is the shortest path found so far", () => {
		const discover = (entity: string, depth: number) => ({ type: "artist.discover", entity, payload: { depth, name: entity } });
		const jobOf = (entity: string) => broker.call<{ state: string; payload: { depth: number }; attempts: number }, object>("scheduler.job", { key: `artist.discover:${entity}` });

		it("a shallower rediscovery of a waiting job lowers its depth; a deeper one changes nothing", async () => {
			await start();
			await enqueue([discover("x", 2)]);
			expect(await enqueue([discover("x", 1)])).toEqual({ created: 0, existing: 1 });
			await enqueue([discover("x", 3)]);
			const [job] = await lease(["artist.discover"]);
			expect(job.payload).toEqual({ depth: 1, name: "x" });
		});

		it("a finished job found again by a shorter path runs again at the new depth", async () => {
			await start();
			await enqueue([discover("x", 2)]);
			const [first] = await lease(["artist.discover"]);
			await broker.call("scheduler.complete", { id: first.id, token: first.token });
			await enqueue([discover("x", 2)]);
			expect(await lease(["artist.discover"])).toHaveLength(0);
			await enqueue([discover("x", 1)]);
			expect(await jobOf("x")).toMatchObject({ state: "queued", attempts: 0, payload: { depth: 1 } });
			const [again] = await lease(["artist.discover"]);
			expect(again.payload.depth).toBe(1);
		});

		it("a job leased when a shorter path arrives runs again once it finishes", async () => {
			await start();
			await enqueue([discover("x", 2)]);
			const [running] = await lease(["artist.discover"]);
			await enqueue([discover("x", 0)]);
			expect(await broker.call("scheduler.complete", { id: running.id, token: running.token })).toEqual({ ok: true, rerun: true });
			const [again] = await lease(["artist.discover"]);
			expect(again.payload.depth).toBe(0);
			expect(await broker.call("scheduler.complete", { id: again.id, token: again.token })).toEqual({ ok: true });
			expect((await jobOf("x")).state).toBe("done");
		});

		it("the artist cap does not stop a shorter path to an artist already counted", async () => {
			await start();
			await broker.call("scheduler.enqueue", { jobs: [discover("x", 2)], cap: { type: "artist.discover", max: 1 } });
			expect(await broker.call("scheduler.enqueue", { jobs: [discover("x", 1), discover("y", 1)], cap: { type: "artist.discover", max: 1 } })).toEqual({ created: 0, existing: 1, capped: 1 });
			expect((await jobOf("x")).payload.depth).toBe(1);
		});
	});

	it("rejects operator-shaped input where a string belongs", async () => {
		await start();
		await expect(broker.call("scheduler.job", { key: { $gt: "" } })).rejects.toThrow(/must be a string|Parameters validation/i);
	});
});
