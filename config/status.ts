import { bool, int } from "./vars";

/** The operators' status page (GET /status) and its JSON (GET /api/v1/status). */
export const statusVars = {
	STATUS_PAGE_PUBLIC: bool(
		false,
		"Lets anyone read the status JSON (GET /api/v1/status) without an admin token; leave it off in production."
	),
	STATUS_SAMPLE_MS: int(5000, "How often the status service samples the cluster (nodes, queue, rates, limiters) for the status page.", {
		min: 200,
		max: 300_000
	}),
	STATUS_HISTORY_MIN: int(60, "Minutes of samples the status page charts (queue depth, tracks per minute, errors).", { min: 1, max: 1440 }),
	STATUS_BPM_BIN: int(5, "Width in BPM of each bar of the status page's tempo histogram.", { min: 1, max: 50 })
};
