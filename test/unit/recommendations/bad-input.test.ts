import type { ServiceSchema } from "moleculer";
import CatalogService from "../../../services/catalog.service";
import PlaylistsService from "../../../services/playlists.service";
import RecommendationsService from "../../../services/recommendations.service";
import TasksService from "../../../services/tasks.service";
import { startGateway, type ErrorBody, type TestGateway } from "../../harness/gateway";
import { seedCatalog } from "./fixtures";

/** Stand-in users and activity services: this suite is about input checking, not about them. */
const StubUsers = {
	name: "users",
	actions: {
		get: () => ({ preferences: { cadence: 170 } }),
		spotifyAccessToken: () => {
			throw Object.assign(new Error("not linked"), { code: 409, type: "SPOTIFY_NOT_LINKED" });
		}
	}
};
const StubActivity = { name: "activity", actions: { userSignals: () => ({ liked: [], disliked: [], skipped: {}, likedArtists: [] }) } };

const user = { id: "runner", role: "user" as const };
const weird = ["../../etc/passwd", "%00", "\u202e\u0000", "🏃‍♀️".repeat(50), "x".repeat(5000), "{\"$gt\":\"\"}", "[]", "NaN", "1e400"];

describe("songs, recommendations and playlists refuse malformed input with a 4xx", () => {
	let gw: TestGateway;
	let playlistId: string;
	beforeAll(async () => {
		gw = await startGateway([CatalogService, RecommendationsService, PlaylistsService, TasksService, StubUsers, StubActivity] as ServiceSchema[]);
		await seedCatalog(gw.broker, Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, artist: `A${i}`, tempo: 169 + i * 0.2, durationMs: 200_000 })));
		const made = await gw.request<{ id: string }>("POST", "/api/v1/playlist/bpm/170", { user, body: { duration: 10 } });
		expect(made.status).toBe(201);
		playlistId = made.body.id;
	});
	afterAll(() => gw.stop());

	const requests = (): Array<[string, string, unknown?]> => {
		const out: Array<[string, string, unknown?]> = [];
		const enc = encodeURIComponent;
		for (const w of weird) {
			out.push(["GET", `/api/v1/songs/bpm/${enc(w)}`]);
			for (const q of ["tolerance", "limit", "cursor", "minEnergy", "halfDouble", "excludeDisliked"]) out.push(["GET", `/api/v1/songs/bpm/170?${q}=${enc(w)}`]);
			out.push(["GET", `/api/v1/recommendations/user/runner?limit=${enc(w)}`]);
			out.push(["GET", `/api/v1/playlists/${enc(w)}`]);
			out.push(["GET", `/api/v1/playlists/${playlistId}/export?format=${enc(w)}`]);
			out.push(["POST", `/api/v1/playlist/bpm/${enc(w)}`, { duration: 10 }]);
			out.push(["POST", "/api/v1/playlist/bpm/170", { duration: w }]);
			out.push(["POST", "/api/v1/similar-tracks", { features: { tempo: w } }]);
		}
		const bodies: unknown[] = [
			null,
			[],
			"text",
			42,
			{ duration: { $gt: 0 } },
			{ duration: 10, name: { $ne: "" } },
			{ duration: 10, name: "" },
			{ duration: 10, description: "d".repeat(301) },
			{ duration: 10, genre: ["house"] },
			{ duration: 10, public: "perhaps" },
			{ duration: 10, tolerance: 31 },
			{ duration: 10, minEnergy: -1 },
			{ duration: 1e9 }
		];
		for (const body of bodies) out.push(["POST", "/api/v1/playlist/bpm/170", body]);
		const seeds: unknown[] = [
			{},
			{ trackId: "" },
			{ trackId: { $gt: "" } },
			{ trackIds: [] },
			{ trackIds: "k1" },
			{ trackIds: Array.from({ length: 11 }, (_, i) => `t${i}`) },
			{ features: "fast" },
			{ features: { tempo: 170, key: 12 } },
			{ features: { tempo: 170, mode: 2 } },
			{ features: { tempo: 170, energy: 1.5 } },
			{ features: { tempo: 170, artists: "x" } },
			{ features: { tempo: 170 }, limit: 0 },
			{ features: { tempo: 170 }, limit: 101 },
			{ trackId: "x", trackIds: ["y"] }
		];
		for (const body of seeds) out.push(["POST", "/api/v1/similar-tracks", body]);
		return out;
	};

	it("answers every one with a 4xx in the error shape, and stores nothing", async () => {
		const list = requests();
		expect(list.length).toBeGreaterThan(140);
		for (const [method, path, body] of list) {
			const res = await gw.request<ErrorBody>(method, path, { user, body });
			if (res.status < 400 || res.status >= 500 || typeof res.body?.error?.type !== "string") {
				throw new Error(`${method} ${path} ${JSON.stringify(body)} answered ${res.status}: ${JSON.stringify(res.body)}`);
			}
		}
		const stored = await gw.broker.call<{ playlists: number }, object>("playlists.forgetUser", { userId: "runner" });
		expect(stored.playlists).toBe(1);
	});

	it("refuses malformed JSON with 400", async () => {
		const res = await fetch(`${gw.base}/api/v1/similar-tracks`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
		expect(res.status).toBe(400);
	});
});
