/** The JSON Schema of GET /api/v1/status (services/status/types.ts StatusSnapshot): its top level and nodes; kept here so the status service stays its own. */
import { int, list, nullable, num, obj, str } from "./schemas";

const node = obj({ nodeID: str, hostname: str, version: str, uptimeSec: num, cpuPercent: num, rssMb: num });

export const STATUS_SNAPSHOT = {
	...obj({ at: int, sampleMs: int, nodes: list(node), crawl: nullable(obj({})), tracks: obj({}), upstreams: list(obj({})), errors: obj({}), bpm: nullable(obj({})), tracklists: obj({}), history: list(obj({})), problems: list(str) }),
	examples: [
		{
			at: 1796590800000,
			sampleMs: 5000,
			nodes: [{ nodeID: "api-1", hostname: "api-1", version: "0.1.0", uptimeSec: 3600, cpuPercent: 4.2, rssMb: 96 }],
			crawl: null,
			tracks: { total: 0 },
			upstreams: [],
			errors: {},
			bpm: null,
			tracklists: {},
			history: [],
			problems: ["no scheduler answers"]
		}
	]
};
