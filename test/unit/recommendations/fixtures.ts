import type { ServiceBroker } from "moleculer";
import type { TrackView } from "../../../services/catalog/view";
import type { TempoMatch } from "../../../services/catalog/tempo";
import type { SessionView } from "../../../services/users.service";
import type { TestGateway } from "../../harness/gateway";

/** A catalog track for a test, named by a short key. */
export interface SeedTrack {
	key: string;
	artist: string;
	tempo: number;
	tempoAlt?: number;
	energy?: number;
	valence?: number;
	musicalKey?: number;
	mode?: number;
	genre?: string;
	durationMs?: number;
	/** Known to Spotify (default) or to Deezer only. */
	spotify?: boolean;
}

/** A valid 22-character Spotify id derived from the key. */
export const spotifyIdOf = (key: string) => `t${key.replace(/[^A-Za-z0-9]/g, "")}x`.padEnd(22, "0").slice(0, 22);

/** Upserts the tracks and their features through the catalog's own actions; returns catalog ids by key. */
export async function seedCatalog(broker: ServiceBroker, tracks: SeedTrack[]): Promise<Map<string, string>> {
	const out = await broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", {
		tracks: tracks.map(t => ({
			provider: t.spotify === false ? "deezer" : "spotify",
			id: t.spotify === false ? `dz${t.key}` : spotifyIdOf(t.key),
			name: `Song ${t.key}`,
			artists: [{ id: `ar-${t.artist.replace(/\W/g, "")}`, name: t.artist }],
			tempo: t.tempo,
			...(t.durationMs === undefined ? {} : { durationMs: t.durationMs }),
			...(t.genre ? { genre: t.genre } : {})
		}))
	});
	const ids = new Map(tracks.map((t, i) => [t.key, out[i].id]));
	await broker.call("catalog.setFeatures", {
		items: tracks.map(t => ({
			id: ids.get(t.key),
			tempo: t.tempo,
			...(t.tempoAlt === undefined ? {} : { tempoAlt: t.tempoAlt }),
			...(t.energy === undefined ? {} : { energy: t.energy }),
			...(t.valence === undefined ? {} : { valence: t.valence }),
			...(t.musicalKey === undefined ? {} : { key: t.musicalKey }),
			...(t.mode === undefined ? {} : { mode: t.mode })
		}))
	});
	return ids;
}

export const FAST_HASH = { PASSWORD_HASH_COST: "12" };

let counter = 0;

/** Registers a user through the real users service; returns the session (user and access token). */
export async function register(gw: TestGateway, preferences?: Record<string, unknown>): Promise<SessionView> {
	counter++;
	const res = await gw.request<SessionView>("POST", "/api/v1/users/register", {
		body: { email: `runner${counter}-${Date.now()}@example.com`, password: "correct horse battery", displayName: `Runner ${counter}`, ...(preferences ? { preferences } : {}) }
	});
	if (res.status !== 201) throw new Error(`register answered ${res.status}: ${JSON.stringify(res.body)}`);
	return res.body;
}

export const bearer = (s: { accessToken: string }) => ({ authorization: `Bearer ${s.accessToken}` });

/** Records feedback through activity's REST route, as an app would. */
export async function feedback(gw: TestGateway, s: SessionView, trackId: string, type: "like" | "dislike" | "skip"): Promise<void> {
	const res =
		type === "like"
			? await gw.request("POST", `/api/v1/tracks/${trackId}/like`, { headers: bearer(s) })
			: await gw.request("POST", `/api/v1/song/${trackId}/feedback`, { headers: bearer(s), body: { type, bpm: 170 } });
	if (res.status >= 300) throw new Error(`${type} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

export interface SongsBody {
	bpm: number;
	personalized: boolean;
	count: number;
	items: Array<TrackView & Partial<TempoMatch>>;
	nextCursor: string | null;
}
