import { Errors } from "moleculer";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** A window is a count of hours or days: 1h, 24h, 7d, 30d. */
const WINDOW_RE = /^([1-9]\d{0,3})([hd])$/;

/** Windows reach back at most this far; counters older than that are not worth a scan. */
export const MAX_WINDOW_MS = 365 * DAY_MS;

/** The fastest-validator rule of a `window` query parameter. */
export function windowParam(fallback: string) {
	return {
		type: "string",
		pattern: WINDOW_RE,
		max: 5,
		default: fallback,
		messages: { stringPattern: "The 'window' field must be a number of hours or days, such as 1h, 24h, 7d or 30d." }
	} as const;
}

/** A span of time that ends now. */
export interface TimeWindow {
	/** As asked, e.g. "24h". */
	window: string;
	from: number;
	to: number;
}

/** Reads "24h" or "7d" into the span that ends at `now`; a 422 beyond `maxMs`. */
export function parseWindow(text: string, now: number, maxMs = MAX_WINDOW_MS): TimeWindow {
	const match = WINDOW_RE.exec(text);
	const ms = match ? Number(match[1]) * (match[2] === "d" ? DAY_MS : HOUR_MS) : NaN;
	if (!(ms <= maxMs)) {
		const most = maxMs % DAY_MS === 0 ? `${maxMs / DAY_MS}d` : `${maxMs / HOUR_MS}h`;
		throw new Errors.ValidationError(`window must be between 1h and ${most}`, "VALIDATION_ERROR", [
			{ type: "window", field: "window", message: `The 'window' field must be between 1h and ${most}.`, actual: text }
		]);
	}
	return { window: text, from: now - ms, to: now };
}

/** The start of the hour holding `ms`. */
export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** The first hour boundary at or after `ms`. */
export const hourAtOrAfter = (ms: number): number => Math.ceil(ms / HOUR_MS) * HOUR_MS;

export const iso = (ms: number): string => new Date(ms).toISOString();
