import type { Doc } from "../../mixins/store/types";

/** What a listener did with a track. `unlike` undoes a like; `complete` means played to the end. */
export const ACTIVITY_TYPES = ["play", "like", "unlike", "skip", "share", "complete", "dislike"] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** Where and how it happened, as the client tells it. */
export interface ActivityContext {
	/** The cadence (BPM) the listener asked for when the track was picked. */
	bpm?: number;
	/** Position in the track, in ms, when the event happened (a skip at 12 s, a like at 1:30). */
	positionMs?: number;
	/** Which screen or feature: "running", "trending", "playlist", "search"... */
	source?: string;
}

/** One event, as other services and the API see it (activity.events, activity.recorded). */
export interface ActivityEvent {
	id: string;
	userId: string;
	trackId: string;
	type: ActivityType;
	/** Epoch ms. */
	at: number;
	msPlayed?: number;
	context?: ActivityContext;
}

/** What activity.record takes. */
export type ActivityInput = Omit<ActivityEvent, "id" | "at"> & { at?: number };

/** A stored event. `likeDelta` is how the event moved the track's like count (a repeated like moves nothing). */
export type EventDoc = Doc & Omit<ActivityEvent, "id"> & { likeDelta?: 1 | -1 };

export type Reaction = "like" | "dislike";

/** A user's current opinion of a track: one document per (user, track), so toggles keep counts right. */
export interface ReactionDoc extends Doc {
	userId: string;
	trackId: string;
	reaction: Reaction;
	at: number;
}

/** Counters over some span of time. `likes` is net: likes added minus likes taken back. */
export interface Tally {
	plays: number;
	completes: number;
	likes: number;
	skips: number;
	shares: number;
	dislikes: number;
	msPlayed: number;
}

/** One track's counters for one hour (`hour` = epoch ms at the start of the hour). */
export interface TrackHourDoc extends Doc, Tally {
	trackId: string;
	hour: number;
}

/** Platform-wide counters for one hour; `_id` is the hour as a string. */
export interface HourDoc extends Doc, Tally {
	hour: number;
}

/** One track's counters since the beginning; `_id` is the track id. */
export type TrackTotalsDoc = Doc & Tally;

/** When a user was first and last active; `_id` is the user id. */
export interface UserActivityDoc extends Doc {
	firstAt: number;
	lastAt: number;
	events: number;
}

/** What activity.userSignals answers: enough for ranking without reading the event log. */
export interface UserSignals {
	liked: string[];
	disliked: string[];
	/** Track id to how often the user skipped it. */
	skipped: Record<string, number>;
	/** Artist names of the liked tracks, most liked first. */
	likedArtists: string[];
}

export interface TrackStats {
	plays: number;
	likes: number;
	skips: number;
}

export function eventView(doc: EventDoc): ActivityEvent {
	const event: ActivityEvent = { id: doc._id, userId: doc.userId, trackId: doc.trackId, type: doc.type, at: doc.at };
	if (doc.msPlayed !== undefined) event.msPlayed = doc.msPlayed;
	if (doc.context && Object.keys(doc.context).length > 0) event.context = doc.context;
	return event;
}
