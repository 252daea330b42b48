import type { ServiceSchema } from "moleculer";
import ActivityService from "../../../services/activity.service";
import CatalogService from "../../../services/catalog.service";
import type { AuthUser } from "../../../services/shared/access";
import { startGateway, type TestGateway } from "../../harness/gateway";

export const alice: AuthUser = { id: "alice", role: "user" };
export const bob: AuthUser = { id: "bob", role: "user" };
export const carol: AuthUser = { id: "carol", role: "user" };
export const admin: AuthUser = { id: "root", role: "admin" };

const TRACKS = [
	{ provider: "deezer", id: "1", name: "Strobe", artists: [{ id: "a1", name: "deadmau5" }], genre: "progressive house" },
	{ provider: "deezer", id: "2", name: "Ghosts n Stuff", artists: [{ id: "a1", name: "deadmau5" }, { id: "a2", name: "Rob Swire" }], genre: "progressive house" },
	{ provider: "deezer", id: "3", name: "Enjoy the Silence", artists: [{ id: "a3", name: "Depeche Mode" }], genre: "synth-pop" },
	{ provider: "deezer", id: "4", name: "Halo", artists: [{ id: "a4", name: "Beyoncé" }], genre: "pop" }
];

export interface ActivityGateway extends TestGateway {
	/** Catalog ids of the four fixture tracks, in TRACKS order: Strobe, Ghosts n Stuff, Enjoy the Silence, Halo. */
	ids: string[];
}

/** The gateway with activity and catalog, and four catalog tracks. */
export async function startActivityGateway(): Promise<ActivityGateway> {
	const gw = await startGateway([ActivityService as ServiceSchema, CatalogService as ServiceSchema]);
	const out = await gw.broker.call<Array<{ id: string }>, object>("catalog.upsertTracks", { tracks: TRACKS });
	return Object.assign(gw, { ids: out.map(o => o.id) });
}
