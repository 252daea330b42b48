import { ServiceBroker, type ServiceSchema } from "moleculer";
import { attachConfig, testConfig } from "../../../config";
import { deadCommand, deadReport } from "../../../repl/dead.command";
import SchedulerService from "../../../services/scheduler.service";
import type { LeasedJob } from "../../../services/scheduler/jobs";

describe("the dead REPL command", () => {
	let broker: ServiceBroker;
	beforeAll(async () => {
		broker = new ServiceBroker({ logger: false });
		attachConfig(broker, testConfig({ JOB_MAX_ATTEMPTS: "2", JOB_BACKOFF_BASE_MS: "0", JOB_BACKOFF_MAX_MS: "0" }));
		broker.createService(SchedulerService as unknown as ServiceSchema);
		// A worker declaring its job types, as the crawlers do: the command checks types against them.
		broker.createService({ name: "fake-worker", settings: { worker: { jobTypes: ["album.tracks", "artist.discover"] } } });
		await broker.start();
		await broker.call("scheduler.enqueue", { jobs: [{ type: "album.tracks", entity: "alb-1" }, { type: "artist.discover", entity: "art-1" }] });
		for (let attempt = 1; attempt <= 2; attempt++) {
			for (const job of await broker.call<LeasedJob[], object>("scheduler.lease", { types: ["album.tracks", "artist.discover"], max: 10 })) {
				await broker.call("scheduler.fail", { id: job.id, token: job.token, error: { message: `${job.type} failed: upstream said 404 (try ${attempt})\nstack line`, kind: "retryable" } });
			}
		}
	});
	afterAll(() => broker.stop());

	it("lists every dead-letter job with its last error, or those of one type", async () => {
		const all = await deadReport(broker, undefined, 20, Date.now());
		expect(all).toMatch(/^type\s+entity\s+tier\s+attempts\s+died\s+kind\s+last error$/m);
		expect(all).toMatch(/^album\.tracks\s+alb-1\s+\w+\s+2\s+\S+( ago)?\s+retryable\s+album\.tracks failed: upstream said 404 \(try 2\) stack line$/m);
		expect(all).toMatch(/^artist\.discover\s+art-1\s/m);
		expect(all).toMatch(/2 dead-letter job\(s\)\. crawl retry-dead \[type\] moves them back/);
		const one = await deadReport(broker, "album.tracks", 20);
		expect(one).not.toMatch(/artist\.discover\s+art-1/);
		expect(await deadReport(broker, "album.tracks", 1)).toMatch(/the newest 1; --limit shows more/);
	});

	it("refuses a type no worker takes, a malformed type and a bad limit, with its usage", async () => {
		const lines: string[] = [];
		const log = jest.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
		try {
			await deadCommand.action(broker, { type: "album.trackz", options: {} } as unknown as string[], {});
			await deadCommand.action(broker, { type: "Album", options: {} } as unknown as string[], {});
			await deadCommand.action(broker, { options: { limit: "lots" } } as unknown as string[], {});
			await deadCommand.action(broker, { type: "artist.discover", options: {} } as unknown as string[], {});
		} finally {
			log.mockRestore();
		}
		expect(lines[0]).toBe('dead: no worker of this cluster takes "album.trackz" jobs; the job types are album.tracks, artist.discover\nusage: dead [type] [--limit <n>]   (n from 1 to 1000, default 20)');
		expect(lines[1]).toMatch(/^dead: "Album" is not a job type/);
		expect(lines[2]).toMatch(/^dead: --limit must be a whole number from 1 to 1000 \(got "lots"\)\nusage: dead/);
		expect(lines[3]).toMatch(/^artist\.discover\s+art-1/m);
	});
});
