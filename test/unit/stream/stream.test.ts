/**
 * The live event stream through the gateway with a real SSE client: authentication, topics,
 * a user's own plays and likes only, tracklist results, trending and crawl progress, and the
 * reconnect cursor (Last-Event-ID).
 */
import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import type { TestGateway } from "../../harness/gateway";
import { openSse, type SseConnection, type SseEvent } from "../../harness/sse";
import { seedCatalog } from "../recommendations/fixtures";
import { register, bearer } from "../users/helpers";
import type { SessionView } from "../../../services/users.service";
import { startCompatGateway } from "../compat/helpers";

const SERVICES = ["tasks", "catalog", "users", "activity", "scheduler"];

describe("live events over Server-Sent Events", () => {
	let gw: TestGateway;
	let tracks: string[];
	let alice: SessionView;
	let bob: SessionView;
	const open: SseConnection[] = [];

	const connect = async (headers: Record<string, string>, query = "") => {
		const c = await openSse(`${gw.base}/api/events${query}`, headers);
		open.push(c);
		return c;
	};
	const data = (e: SseEvent) => JSON.parse(e.data) as Record<string, unknown>;

	beforeAll(async () => {
		gw = await startCompatGateway(
			{ TIER_HIGH_INTERVAL_MS: "86400000", TIER_MEDIUM_INTERVAL_MS: "86400000", TIER_LOW_INTERVAL_MS: "86400000", CRAWL_STATUS_LOG_MS: "0" },
			SERVICES.map(n => serviceCatalog[n] as ServiceSchema)
		);
		tracks = [...(await seedCatalog(gw.broker, Array.from({ length: 4 }, (_, i) => ({ key: `s${i}`, artist: `A${i}`, tempo: 120 + i })))).values()];
		alice = await register(gw);
		bob = await register(gw);
	});
	afterAll(async () => {
		for (const c of open) c.close();
		await gw.stop();
	});

	it("refuses anonymous clients and unknown topics in the error shape", async () => {
		const anon = await fetch(`${gw.base}/api/events`);
		expect(anon.status).toBe(401);
		expect(((await anon.json()) as { error: { type: string } }).error.type).toBe("UNAUTHORIZED");
		const bad = await fetch(`${gw.base}/api/events?topics=plays,gossip`, { headers: bearer(alice) });
		expect(bad.status).toBe(422);
		expect(((await bad.json()) as { error: { fields: Array<{ field: string }> } }).error.fields[0].field).toBe("topics");
	});

	it("pushes a user's own plays and likes, and nobody else's", async () => {
		const a = await connect(bearer(alice), "?topics=plays,likes");
		const b = await connect(bearer(bob), "?topics=plays");
		expect(a.status).toBe(200);
		expect((await gw.request("POST", `/api/v1/tracks/${tracks[0]}/play`, { headers: bearer(alice) })).status).toBe(201);
		const play = await a.next(e => e.event === "plays");
		expect(data(play)).toMatchObject({ userId: alice.user.id, trackId: tracks[0], type: "play" });
		expect(play.id).toMatch(/^\d+-\d+-/);
		expect((await gw.request("POST", `/api/v1/tracks/${tracks[1]}/like`, { headers: bearer(alice) })).status).toBe(200);
		expect(data(await a.next(e => e.event === "likes"))).toMatchObject({ trackId: tracks[1], type: "like" });
		// Bob's first play event is his own: Alice's, published before it, was not his to see.
		await gw.request("POST", `/api/v1/tracks/${tracks[2]}/play`, { headers: bearer(bob) });
		expect(data(await b.next(e => e.event === "plays"))).toMatchObject({ userId: bob.user.id });
	});

	it("pushes tracklist results, trending changes and crawl progress to every signed-in client", async () => {
		const c = await connect(bearer(bob), "?topics=tracklists,trending,crawl");
		await gw.broker.emit("tracklist.processed", { tracklistId: "tl-1", url: "https://example.org/tl-1", trackCount: 12, processingTimeMs: 5 });
		expect(data(await c.next(e => e.event === "tracklists"))).toMatchObject({ tracklistId: "tl-1", trackCount: 12 });
		const trending = await c.next(e => e.event === "trending");
		expect((data(trending).items as Array<{ track: { id: string } }>).map(t => t.track.id)).toEqual(expect.arrayContaining([tracks[0], tracks[2]]));
		const crawl = await c.next(e => e.event === "crawl");
		expect(data(crawl)).toHaveProperty("tiers");
	});

	it("replays what a client missed after its Last-Event-ID, and says when it cannot", async () => {
		const first = await connect(bearer(alice), "?topics=plays");
		await gw.request("POST", `/api/v1/tracks/${tracks[0]}/play`, { headers: bearer(alice) });
		const last = await first.next(e => e.event === "plays");
		first.close();
		await gw.request("POST", `/api/v1/tracks/${tracks[1]}/play`, { headers: bearer(alice) });
		await gw.request("POST", `/api/v1/tracks/${tracks[2]}/play`, { headers: bearer(alice) });
		const again = await connect({ ...bearer(alice), "last-event-id": last.id as string }, "?topics=plays");
		const replayed = [await again.next(e => e.event === "plays"), await again.next(e => e.event === "plays")];
		expect(replayed.map(e => data(e).trackId)).toEqual([tracks[1], tracks[2]]);
		const lost = await connect({ ...bearer(alice), "last-event-id": "garbage" }, "?topics=plays");
		expect((await lost.next(e => e.event === "gap")).event).toBe("gap");
	});
});
