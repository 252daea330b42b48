import type { Context } from "moleculer";
import { serviceAvailable } from "../shared/registry";

/** Services holding per-user data, each answering `<name>.forgetUser({ userId })` with counts. */
export const USER_DATA_SERVICES = ["activity", "insights", "tasks", "playlists", "recommendations", "scraper"] as const;

export interface ForgetReport {
	userId: string;
	/** What each service removed, as it reported it (counts per kind of document). */
	removed: Record<string, unknown>;
	/** Services not running anywhere in the cluster right now: whatever they hold was not removed. */
	skipped: string[];
	/** Services that failed, with their error; asking again retries them (deletion is idempotent). */
	failed: Record<string, string>;
	/** True when every service answered: nothing skipped, nothing failed. */
	complete: boolean;
	/** Whether the account (profile, login, follows) was deleted too. */
	accountDeleted: boolean;
}

/** Asks every available data-owning service to forget the user, in parallel, collecting what each did. */
export async function forgetAcrossServices(ctx: Context, userId: string): Promise<Pick<ForgetReport, "removed" | "skipped" | "failed">> {
	const removed: Record<string, unknown> = {};
	const skipped: string[] = [];
	const failed: Record<string, string> = {};
	await Promise.all(
		USER_DATA_SERVICES.map(async name => {
			if (!serviceAvailable(ctx.broker, name)) {
				skipped.push(name);
				return;
			}
			try {
				removed[name] = await ctx.call(`${name}.forgetUser`, { userId });
			} catch (err) {
				failed[name] = err instanceof Error ? err.message : String(err);
			}
		})
	);
	skipped.sort();
	return { removed, skipped, failed };
}
