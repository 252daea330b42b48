import type { InsightType, ToneMode } from "../../config/insights";
import type { Doc } from "../../mixins/store/types";
import type { Period } from "./periods";

export const EVENT_TYPES = ["play", "like", "unlike", "skip", "share", "complete", "dislike"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One listening event, as `activity.events` returns it (the activity service's ActivityEvent) or as
 * the Spotify source turns a recently-played item into one. Only what snapshots need is named.
 */
export interface ListeningEvent {
	id: string;
	userId: string;
	trackId: string;
	type: EventType;
	/** Epoch ms. */
	at: number;
	msPlayed?: number;
	context?: { bpm?: number; positionMs?: number; source?: string };
	/** Where the insights service got it; absent means the activity service. */
	origin?: "activity" | "spotify";
}

/** What a snapshot needs of a catalog track. */
export interface TrackFacts {
	name?: string;
	artists: string[];
	genre?: string;
	tempo?: number;
	energy?: number;
	valence?: number;
}

/** One counted key. Stored as a list, not a map: artist names may hold "." or "$". */
export interface Counted {
	key: string;
	count: number;
}

export interface SumN {
	sum: number;
	n: number;
}

/**
 * The raw, mergeable counts behind a snapshot. Day tallies come from events; week and month
 * tallies are the sum of their days' tallies, so a period is rebuilt without re-reading events.
 */
export interface Tally {
	counts: Record<EventType, number>;
	msPlayed: number;
	tracks: Counted[];
	artists: Counted[];
	genres: Counted[];
	/** Key: the lower bound of a BPM_BIN-wide bin, as text. */
	bpm: Counted[];
	tempo: SumN;
	energy: SumN;
	valence: SumN;
	/** Listens by UTC hour, 0-23. */
	hours: number[];
	/** Listens by ISO weekday, Monday first. */
	weekdays: number[];
}

/** The public figures of a snapshot. */
export interface Figures {
	plays: number;
	completes: number;
	skips: number;
	likes: number;
	unlikes: number;
	dislikes: number;
	shares: number;
	listeningMinutes: number;
	/** Skips per play; null without plays. */
	skipRate: number | null;
	topTracks: Array<{ trackId: string; plays: number; name?: string; artists?: string[] }>;
	topArtists: Array<{ name: string; plays: number }>;
	topGenres: Array<{ genre: string; plays: number }>;
	bpmHistogram: Array<{ from: number; to: number; count: number }>;
	/** Plays whose track has a known tempo; the BPM figures cover only those. */
	tempoKnown: number;
	meanBpm: number | null;
	meanEnergy: number | null;
	meanValence: number | null;
	hourHistogram: number[];
	weekdayHistogram: number[];
}

export interface Delta {
	previous: number;
	current: number;
	delta: number;
	/** Change in percent of the previous value; null when it was 0. */
	pct: number | null;
}

/** Period-on-period change against the period just before. */
export interface Change {
	previousKey: string;
	plays: Delta;
	listeningMinutes: Delta;
	skipRate: Delta | null;
	meanBpm: Delta | null;
	meanEnergy: Delta | null;
	meanValence: Delta | null;
	/** In this period's top artists and not in the previous one's, and the reverse. */
	newTopArtists: string[];
	droppedTopArtists: string[];
}

/** Spotify's own top lists (about the last four weeks), as names only. */
export interface SpotifyTop {
	artists: string[];
	tracks: Array<{ title: string; artists: string[] }>;
	fetchedAt: number;
}

export interface SnapshotDoc extends Doc {
	userId: string;
	period: Period;
	key: string;
	start: number;
	end: number;
	tally: Tally;
	figures: Figures;
	/** Null when the previous period has no snapshot. */
	change: Change | null;
	/** Events behind a day snapshot, by source. */
	sources?: Record<string, number>;
	/** On the latest week and month, when the user linked Spotify. */
	spotifyTop?: SpotifyTop;
	computedAt: number;
}

/** Where a user's ingestion stopped: the next one reads events from a little before it. */
export interface CursorDoc extends Doc {
	/** Epoch ms up to which events were read; absent before the first ingestion. */
	scannedTo?: number;
	/** Spotify's recently-played cursor: the newest played_at already stored. */
	spotifyAfter?: number;
}

/** What an insight says; the JSON schema the LLM must follow describes exactly this. */
export interface InsightContent {
	title: string;
	summary: string;
	highlights: string[];
	suggestions: string[];
}

/** One version of one insight. Each generation adds a version; none is overwritten. */
export interface InsightFields {
	/** The generation task (absent for scheduled summaries); unique, so a retried job writes once. */
	taskId?: string;
	/** Asked for through the API, or the weekly summary. */
	trigger: "request" | "schedule";
	userId: string;
	snapshotId: string;
	period: Period;
	periodKey: string;
	insightType: InsightType;
	toneMode: ToneMode;
	/** 1, 2, ... per snapshot and insight type. */
	version: number;
	/** The model that wrote it, or "builtin". */
	model: string;
	promptVersion: string;
	tokensIn: number;
	tokensOut: number;
	/** True when the server reported no usage and the tokens were estimated from the text. */
	tokensEstimated?: boolean;
	latencyMs: number;
	costUsd?: number;
	/** LLM calls made, invalid answers and retries included. */
	calls: number;
	content: InsightContent;
	createdAt: number;
}

export type InsightDoc = Doc & InsightFields;

/** Tokens one user spent on one UTC day. */
export interface UsageDoc extends Doc {
	userId: string;
	day: string;
	tokens: number;
	updatedAt: number;
}

export interface SnapshotView {
	id: string;
	userId: string;
	period: Period;
	key: string;
	start: string;
	end: string;
	computedAt: string;
	figures: Figures;
	change: Change | null;
	sources?: Record<string, number>;
	spotifyTop?: SpotifyTop;
}

export function snapshotView(doc: SnapshotDoc): SnapshotView {
	return {
		id: doc._id,
		userId: doc.userId,
		period: doc.period,
		key: doc.key,
		start: new Date(doc.start).toISOString(),
		end: new Date(doc.end).toISOString(),
		computedAt: new Date(doc.computedAt).toISOString(),
		figures: doc.figures,
		change: doc.change,
		...(doc.sources ? { sources: doc.sources } : {}),
		...(doc.spotifyTop ? { spotifyTop: doc.spotifyTop } : {})
	};
}

export type InsightView = Omit<InsightFields, "createdAt"> & { id: string; createdAt: string };

export function insightView(doc: InsightDoc): InsightView {
	const { _id, createdAt, ...rest } = doc;
	return { id: _id, ...rest, createdAt: new Date(createdAt).toISOString() };
}
