import type { ServiceSchema } from "moleculer";
import { serviceCatalog } from "../../../services";
import type { SnapshotView } from "../../../services/insights/model";
import type { TaskView } from "../../../services/tasks/model";
import { startGateway, type TestGateway } from "../../harness/gateway";
import { eventually } from "../../harness/ports";
import { startSpotifySimulator, type SpotifySimulator } from "../../simulators/spotify";
import { spotifyMe } from "../../simulators/spotify-me";
import { BASE_ENV, DAY, schemas, standInCatalog } from "./helpers";

const REDIRECT = "http://127.0.0.1:8888/callback";
const H = 3_600_000;

interface Session {
	user: { id: string };
	accessToken: string;
}

describe("insights: the Spotify source (recently played and top items of a linked account)", () => {
	let sim: SpotifySimulator;
	let gw: TestGateway;
	let n = 0;

	beforeAll(async () => {
		sim = await startSpotifySimulator({ catalog: { artists: 3, seed: 5 } });
		// The catalog knows the simulator's track 0 by its ISRC, as t1; other Spotify tracks stay unmatched.
		const catalog = standInCatalog({ [sim.catalog.isrcOf(0)]: "t1" });
		gw = await startGateway([...schemas(undefined, catalog), serviceCatalog.users as ServiceSchema], {
			...BASE_ENV,
			INSIGHTS_SPOTIFY_SOURCE: "true",
			PASSWORD_HASH_COST: "12",
			TOKEN_ENCRYPTION_KEY: "cd".repeat(32),
			SPOTIFY_CLIENT_ID: sim.clientId,
			SPOTIFY_CLIENT_SECRET: sim.clientSecret,
			SPOTIFY_ACCOUNTS_URL: sim.accountsUrl,
			SPOTIFY_API_URL: sim.apiUrl,
			SPOTIFY_REDIRECT_URI: REDIRECT
		});
	});
	afterAll(async () => {
		await gw.stop();
		await sim.close();
	});

	const auth = (s: Session) => ({ authorization: `Bearer ${s.accessToken}` });

	async function register(): Promise<Session> {
		const res = await gw.request<Session>("POST", "/api/v1/users/register", { body: { email: `listener${++n}@example.com`, password: "correct horse battery", displayName: `L${n}` } });
		if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
		return res.body;
	}

	/** The PKCE link, as the user's browser and app would do it. */
	async function link(s: Session, spotifyUser: string): Promise<void> {
		const start = await gw.request<{ url: string }>("GET", "/api/v1/spotify/auth/url", { headers: auth(s) });
		const back = new URL((await fetch(`${start.body.url}&sim_user=${spotifyUser}`, { redirect: "manual" })).headers.get("location") ?? "");
		const res = await gw.request("POST", "/api/v1/spotify/auth/token", { headers: auth(s), body: { code: back.searchParams.get("code"), state: back.searchParams.get("state") } });
		expect(res.status).toBe(200);
	}

	async function ingest(s: Session): Promise<TaskView> {
		const res = await gw.request<{ taskId: string }>("POST", "/api/v1/listening/ingest", { headers: auth(s), body: {} });
		expect(res.status).toBe(202);
		return eventually("the ingestion", async () => {
			const task = (await gw.request<TaskView>("GET", `/api/v1/tasks/${res.body.taskId}`, { headers: auth(s) })).body;
			return task.status === "done" || task.status === "failed" ? task : null;
		});
	}

	const snapshots = async (s: Session, period: string) =>
		(await gw.request<{ snapshots: SnapshotView[] }>("GET", `/api/v1/listening/snapshots?period=${period}`, { headers: auth(s) })).body.snapshots;

	it("turns recently-played items into plays once each, and attaches the top items to the latest week and month", async () => {
		const s = await register();
		await link(s, "spotify-listener");
		const yesterday = Math.floor(Date.now() / DAY) * DAY - DAY;
		const me = spotifyMe(sim.users);
		me.setRecentlyPlayed("spotify-listener", [
			{ track: 0, playedAt: yesterday + 8 * H },
			{ track: 1, playedAt: yesterday + 8 * H + 300_000 },
			{ track: 0, playedAt: yesterday + 9 * H }
		]);
		me.setTop("spotify-listener", { artists: [1, 0], tracks: [2] });

		expect(await ingest(s)).toMatchObject({ status: "done" });
		const [day] = await snapshots(s, "day");
		expect(day.figures.plays).toBe(3);
		expect(day.sources).toEqual({ spotify: 3 });
		expect(day.figures.topTracks[0]).toMatchObject({ trackId: "t1", plays: 2, name: "Alpha" });
		expect(day.figures.topTracks[1].trackId).toBe(`spotify:${sim.catalog.trackSpotifyId(1)}`);
		const [week] = await snapshots(s, "week");
		expect(week.spotifyTop?.artists).toEqual([sim.catalog.artistNameOf(1), sim.catalog.artistNameOf(0)]);
		expect(week.spotifyTop?.tracks.map(t => t.title)).toEqual([sim.catalog.track(2).name]);

		// Again: the cursor keeps old plays from counting twice; a new one counts.
		me.setRecentlyPlayed("spotify-listener", [
			{ track: 0, playedAt: yesterday + 8 * H },
			{ track: 1, playedAt: yesterday + 8 * H + 300_000 },
			{ track: 0, playedAt: yesterday + 9 * H },
			{ track: 2, playedAt: yesterday + 10 * H }
		]);
		expect((await ingest(s)).status).toBe("done");
		expect((await snapshots(s, "day"))[0].figures.plays).toBe(4);

		const removed = await gw.broker.call<Record<string, number>, object>("insights.forgetUser", { userId: s.user.id });
		expect(removed).toMatchObject({ spotifyPlays: 4 });
	});

	it("skips the source for a user who has not linked Spotify", async () => {
		const s = await register();
		const task = await ingest(s);
		expect(task.status).toBe("done");
		expect(await snapshots(s, "day")).toEqual([]);
	});
});
