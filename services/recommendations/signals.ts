import { Errors, type Context } from "moleculer";
import { normaliseKey, type TrackDoc } from "../catalog/model";

/**
 * What a user's feedback says, as `activity.userSignals({userId})` returns it: liked and disliked
 * track ids, skip counts by track id, and liked artists (names or provider ids).
 */
export interface UserSignals {
	liked: string[];
	disliked: string[];
	skipped: Record<string, number>;
	likedArtists: string[];
}

export const NO_SIGNALS: Readonly<UserSignals> = Object.freeze({ liked: [], disliked: [], skipped: {}, likedArtists: [] });

function strings(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Reads the answer defensively: a field of the wrong shape counts as empty, never as an error. */
export function parseSignals(raw: unknown): UserSignals {
	const obj = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
	const skipped: Record<string, number> = {};
	if (typeof obj.skipped === "object" && obj.skipped !== null && !Array.isArray(obj.skipped)) {
		for (const [id, n] of Object.entries(obj.skipped as Record<string, unknown>)) if (typeof n === "number" && n > 0) skipped[id] = n;
	}
	for (const id of strings(obj.skipped)) skipped[id] = (skipped[id] ?? 0) + 1;
	return { liked: strings(obj.liked), disliked: strings(obj.disliked), skipped, likedArtists: strings(obj.likedArtists) };
}

/** The dependency is not running anywhere (a node without it, or a cluster still starting). */
export function isMissingService(err: unknown): boolean {
	return err instanceof Errors.ServiceNotFoundError || err instanceof Errors.ServiceNotAvailableError;
}

/**
 * The user's signals, or NO_SIGNALS itself when the activity service is not running: BPM lists and
 * playlists still work, unpersonalised, rather than failing with the dependency.
 */
export async function fetchSignals(call: Caller, userId: string): Promise<UserSignals> {
	try {
		return parseSignals(await call<unknown>("activity.userSignals", { userId }));
	} catch (err) {
		if (isMissingService(err)) return NO_SIGNALS;
		throw err;
	}
}

/** Fast lookups over signals, for filtering and ranking many tracks. */
export class SignalIndex {
	private readonly excluded: Set<string>;
	private readonly disliked: Set<string>;
	private readonly liked: Set<string>;
	private readonly artists: Set<string>;

	constructor(readonly signals: UserSignals) {
		this.disliked = new Set(signals.disliked);
		this.excluded = new Set([...signals.disliked, ...Object.keys(signals.skipped)]);
		this.liked = new Set(signals.liked);
		this.artists = artistKeys(signals.likedArtists);
	}

	get excludedCount(): number {
		return this.excluded.size;
	}

	/** Disliked or skipped at least once. */
	isExcluded(trackId: string): boolean {
		return this.excluded.has(trackId);
	}

	isDisliked(trackId: string): boolean {
		return this.disliked.has(trackId);
	}

	isLiked(trackId: string): boolean {
		return this.liked.has(trackId);
	}

	skips(trackId: string): number {
		return this.signals.skipped[trackId] ?? 0;
	}

	byLikedArtist(doc: TrackDoc): boolean {
		return matchesArtist(doc, this.artists);
	}
}

/** Artist references (names or provider ids) as keys that a track's artists can be checked against. */
export function artistKeys(refs: readonly string[]): Set<string> {
	const keys = new Set<string>();
	for (const ref of refs) {
		keys.add(ref);
		const name = normaliseKey(ref);
		if (name) keys.add(name);
	}
	return keys;
}

export function matchesArtist(doc: TrackDoc, keys: ReadonlySet<string>): boolean {
	if (keys.size === 0) return false;
	return doc.artists.some(
		a => keys.has(normaliseKey(a.name)) || (a.spotifyId !== undefined && keys.has(a.spotifyId)) || (a.deezerId !== undefined && keys.has(a.deezerId))
	);
}

/** An action call on behalf of a request (its context) or of background work (the broker, with the caller's meta). */
export type Caller = <T>(action: string, params: object) => Promise<T>;

export function callerOf(ctx: Context): Caller {
	return <T>(action: string, params: object) => ctx.call<T, object>(action, params);
}
