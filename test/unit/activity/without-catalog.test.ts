import type { ServiceSchema } from "moleculer";
import ActivityService from "../../../services/activity.service";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { alice } from "./fixtures";

describe("activity while no catalog runs", () => {
	let gw: TestGateway;
	beforeAll(async () => {
		gw = await startGateway([ActivityService as ServiceSchema]);
	});
	afterAll(() => gw.stop());

	it("answers 503 to writes that must check the track, and stores nothing", async () => {
		const res = await gw.request("POST", "/api/v1/tracks/t1/play", { user: alice, body: {} });
		expect(res.status).toBe(503);
		expect(res.body.error.type).toBe("CATALOG_UNAVAILABLE");
		expect(await gw.broker.call("activity.events", { userId: "alice" })).toEqual([]);
	});

	it("still records internally and gives signals without liked artists", async () => {
		await gw.broker.call("activity.record", { userId: "alice", type: "like", trackId: "t1" });
		expect(await gw.broker.call("activity.userSignals", { userId: "alice" })).toEqual({ liked: ["t1"], disliked: [], skipped: {}, likedArtists: [] });
		expect((await gw.request("GET", "/api/v1/tracks/trending")).status).toBe(503);
	});
});
