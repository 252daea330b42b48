import { ServiceBroker } from "moleculer";
import { aliasingPrometheus } from "../../../mixins/metrics/prometheus";
import { eventually, freePort } from "../../harness/ports";

/** The metrics endpoint binds where HOST says, as the gateway does, not to every address. */
describe("the metrics endpoint's address", () => {
	it("is the given host, and every address when none is given", async () => {
		for (const [host, expected] of [["127.0.0.1", "127.0.0.1"], [undefined, "0.0.0.0"]] as const) {
			const port = await freePort();
			const broker = new ServiceBroker({ logger: false, metrics: { enabled: true, reporter: [aliasingPrometheus(port, host)] } });
			await broker.start();
			try {
				const reporter = broker.metrics.reporter[0] as unknown as { server: { address(): { address: string; port: number } | null } };
				// The reporter starts listening as the broker starts, without waiting for it.
				const address = await eventually("the metrics server to listen", () => reporter.server.address());
				expect(address).toMatchObject({ address: expected, port });
				expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
			} finally {
				await broker.stop();
			}
		}
	});
});
