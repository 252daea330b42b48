import type { LimiterSettings } from "./types";

/** What nodes tell each other about their limiters, over the transporter. */
export const LIMIT_EVENTS = {
	changed: "limits.changed",
	paused: "limits.paused",
	fallback: "limits.fallback"
} as const;

export interface LimitsChangedEvent {
	name: string;
	/** null removes the override. */
	settings: LimiterSettings | null;
}
export interface LimitsPausedEvent {
	nodeID: string;
	name: string;
	durationMs: number;
}
export interface LimitsFallbackEvent {
	nodeID: string;
	fallback: boolean;
}
