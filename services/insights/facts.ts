/**
 * What a generator may know about a user: the aggregates of one snapshot, picked field by field.
 * No user id, email, token or single event ever reaches a prompt; a new figure reaches it only
 * when it is added here.
 */
import type { Change, Figures, SnapshotDoc } from "./model";
import type { Period } from "./periods";

export interface PromptFacts {
	period: Period;
	periodKey: string;
	plays: number;
	listeningMinutes: number;
	skipRate: number | null;
	likes: number;
	dislikes: number;
	shares: number;
	topTracks: Array<{ title: string; artists: string[]; plays: number }>;
	topArtists: Figures["topArtists"];
	topGenres: Figures["topGenres"];
	bpmHistogram: Figures["bpmHistogram"];
	meanBpm: number | null;
	meanEnergy: number | null;
	meanValence: number | null;
	/** UTC hours with the most plays, busiest first (at most 3). */
	peakHours: number[];
	hourHistogram: number[];
	/** Monday first. */
	weekdayHistogram: number[];
	change: Change | null;
	/** Spotify's top lists of the last weeks, when the user linked Spotify. */
	spotifyTop?: { artists: string[]; tracks: Array<{ title: string; artists: string[] }> };
}

const TOP = 5;

export function peakHours(hours: readonly number[], n = 3): number[] {
	return hours
		.map((count, hour) => ({ hour, count }))
		.filter(h => h.count > 0)
		.sort((a, b) => b.count - a.count || a.hour - b.hour)
		.slice(0, n)
		.map(h => h.hour);
}

export function promptFacts(snapshot: Pick<SnapshotDoc, "period" | "key" | "figures" | "change" | "spotifyTop">): PromptFacts {
	const f = snapshot.figures;
	return {
		period: snapshot.period,
		periodKey: snapshot.key,
		plays: f.plays,
		listeningMinutes: f.listeningMinutes,
		skipRate: f.skipRate,
		likes: f.likes,
		dislikes: f.dislikes,
		shares: f.shares,
		// Tracks the catalog cannot name are left out rather than shown as bare ids.
		topTracks: f.topTracks
			.filter(t => t.name)
			.slice(0, TOP)
			.map(t => ({ title: t.name ?? "", artists: t.artists ?? [], plays: t.plays })),
		topArtists: f.topArtists.slice(0, TOP),
		topGenres: f.topGenres.slice(0, TOP),
		bpmHistogram: f.bpmHistogram,
		meanBpm: f.meanBpm,
		meanEnergy: f.meanEnergy,
		meanValence: f.meanValence,
		peakHours: peakHours(f.hourHistogram),
		hourHistogram: f.hourHistogram,
		weekdayHistogram: f.weekdayHistogram,
		change: snapshot.change,
		...(snapshot.spotifyTop ? { spotifyTop: { artists: snapshot.spotifyTop.artists.slice(0, TOP), tracks: snapshot.spotifyTop.tracks.slice(0, TOP) } } : {})
	};
}
