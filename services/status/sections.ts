/**
 * The figures of the status page, in page order. The provisioned Grafana dashboard has one panel
 * titled like each of them (a unit test holds the two together).
 */
export const STATUS_SECTIONS = [
	{ id: "nodes", title: "Nodes and roles" },
	{ id: "queue", title: "Queue depth per tier" },
	{ id: "tracks", title: "Tracks processed per minute" },
	{ id: "upstreams", title: "Upstream requests against limits" },
	{ id: "errors", title: "Errors and dead-letter" },
	{ id: "bpm", title: "Catalog BPM histogram" },
	{ id: "tracklists", title: "Latest tracklists processed" }
] as const;

export type StatusSectionId = (typeof STATUS_SECTIONS)[number]["id"];
