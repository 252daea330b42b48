/**
 * The live event stream across two gateways in separate processes over NATS: an event recorded
 * through one gateway reaches clients of both with the same id, and a client that reconnects to the
 * other gateway with its Last-Event-ID gets what it missed.
 */
import type { ServiceBroker } from "moleculer";
import { describeWithBinaries } from "../harness/describe-with-binaries";
import { clientBroker, startNode, type NodeProcess } from "../harness/nodes";
import { eventually, freePort } from "../harness/ports";
import { startNats, startRedis, type ServerProcess } from "../harness/servers";
import { openSse, type SseConnection, type SseEvent } from "../harness/sse";

const SECRET = "stream-cluster-secret-stream-cluster-0001";

describeWithBinaries(["nats-server", "redis-server"], "live events across gateways", () => {
	let nats: ServerProcess;
	let redis: ServerProcess;
	let client: ServiceBroker;
	const nodes: NodeProcess[] = [];
	const gateways: string[] = [];
	const streams: SseConnection[] = [];
	let tracks: string[];
	let bearer: { authorization: string };

	const json = { "content-type": "application/json" };
	const play = async (base: string, track: string) => {
		const res = await fetch(`${base}/api/v1/tracks/${track}/play`, { method: "POST", headers: bearer });
		expect(res.status).toBe(201);
	};
	const connect = async (base: string, headers: Record<string, string> = {}) => {
		const s = await openSse(`${base}/api/events?topics=plays`, { ...bearer, ...headers });
		streams.push(s);
		expect(s.status).toBe(200);
		return s;
	};
	const trackOf = (e: SseEvent) => (JSON.parse(e.data) as { trackId: string }).trackId;

	beforeAll(async () => {
		nats = await startNats();
		redis = await startRedis();
		const env = {
			NAMESPACE: "stream-cluster",
			TRANSPORTER: nats.url,
			REDIS_URL: redis.url,
			LIMITER_ID_PREFIX: "stream-cluster",
			JWT_SECRET: SECRET,
			HEARTBEAT_INTERVAL: "1",
			HEARTBEAT_TIMEOUT: "3",
			METRICS_ENABLED: "false",
			STORE_IN_MEMORY: "true",
			PASSWORD_HASH_COST: "12"
		};
		nodes.push(startNode("data", { ...env, SERVICES: "catalog,tasks,users,activity" }));
		for (const id of ["gw-1", "gw-2"]) {
			const port = await freePort();
			nodes.push(startNode(id, { ...env, SERVICES: "api", PORT: String(port), HOST: "127.0.0.1" }));
			gateways.push(`http://127.0.0.1:${port}`);
		}
		client = clientBroker("stream-test", env);
		await client.start();
		const output = () => nodes.map(n => `--- ${n.nodeID}\n${n.output()}`).join("\n");
		for (const base of gateways) {
			await eventually(`${base} routes the remote catalog`, async () => (await fetch(`${base}/api/v1/tracks`).catch(() => undefined))?.status === 200, 30000).catch(
				err => {
					throw new Error(`${(err as Error).message}\n${output()}`);
				}
			);
		}
		await client.waitForServices(["catalog", "users", "activity"], 30000);
		const upserted = await client.call<Array<{ id: string }>, object>("catalog.upsertTracks", {
			tracks: [1, 2, 3, 4].map(i => ({ provider: "deezer", id: `dz-stream-${i}`, name: `Song ${i}`, artists: [{ id: `ar${i}`, name: `Artist ${i}` }] }))
		});
		tracks = upserted.map(t => t.id);
		const registered = await fetch(`${gateways[0]}/api/v1/users/register`, {
			method: "POST",
			headers: json,
			body: JSON.stringify({ email: "listener@example.org", password: "a long enough password", displayName: "Listener" })
		});
		expect(registered.status).toBe(201);
		bearer = { authorization: `Bearer ${((await registered.json()) as { accessToken: string }).accessToken}` };
	}, 90000);

	afterAll(async () => {
		for (const s of streams) s.close();
		await client?.stop();
		for (const n of nodes) n.kill("SIGTERM");
		await Promise.all(nodes.map(n => n.exited()));
		await nats?.stop();
		await redis?.stop();
	});

	it("pushes a play recorded through one gateway to the clients of both, under one id", async () => {
		const [gw1, gw2] = gateways;
		const on1 = await connect(gw1);
		const on2 = await connect(gw2);
		await play(gw1, tracks[0]);
		const [e1, e2] = await Promise.all([on1.next(e => e.event === "plays"), on2.next(e => e.event === "plays")]);
		expect(trackOf(e1)).toBe(tracks[0]);
		expect(trackOf(e2)).toBe(tracks[0]);
		expect(e1.id).toBe(e2.id);
	});

	it("replays on the other gateway what a client missed after its Last-Event-ID", async () => {
		const [gw1, gw2] = gateways;
		const first = await connect(gw2);
		await play(gw2, tracks[1]);
		const last = await first.next(e => e.event === "plays" && trackOf(e) === tracks[1]);
		first.close();
		await play(gw2, tracks[2]);
		await play(gw1, tracks[3]);
		const resumed = await connect(gw1, { "last-event-id": last.id as string });
		const got = [await resumed.next(e => e.event === "plays"), await resumed.next(e => e.event === "plays")];
		expect(got.map(trackOf)).toEqual([tracks[2], tracks[3]]);
	});
});
