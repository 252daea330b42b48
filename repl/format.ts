/** "now", "in 12 s", "3 min ago": a moment relative to `now`, for tables. */
export function relativeTime(at: number | undefined, now: number): string {
	if (at === undefined) return "-";
	const ms = at - now;
	if (Math.abs(ms) < 1000) return "now";
	const span = Math.abs(ms) < 120_000 ? `${Math.round(Math.abs(ms) / 1000)} s` : Math.abs(ms) < 7_200_000 ? `${Math.round(Math.abs(ms) / 60_000)} min` : `${Math.round(Math.abs(ms) / 3_600_000)} h`;
	return ms > 0 ? `in ${span}` : `${span} ago`;
}

/** Shortens a long cell (an error message, an entity) so the table stays on one screen. */
export function clip(text: string | undefined, max: number): string | undefined {
	if (text === undefined) return undefined;
	const flat = text.replace(/\s+/g, " ");
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The scheduler's paused job types, with its "*" (everything) spelled out. */
export function pausedText(types: string[]): string {
	return types.length ? types.map(t => (t === "*" ? "all" : t)).join(", ") : "none";
}
