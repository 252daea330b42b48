import { normaliseKey, type TrackDoc } from "../catalog/model";
import { tempoDistance } from "../recommendations/scoring";
import type { SignalIndex } from "../recommendations/signals";
import type { FetchTempo, TempoSelection } from "../recommendations/tempo-page";
import { ASSUMED_TRACK_MS } from "./model";

const PAGE = 200;
const MAX_PAGES = 5;
/** Tracks by one artist before others get a turn; lifted when the catalog cannot fill the time otherwise. */
const PER_ARTIST = 3;

/**
 * Candidates for a playlist: the tracks nearest the BPM first (a narrow window), then the whole
 * tolerance, page by page until there are comfortably more than the duration needs. Tracks the
 * user disliked or skipped are left out.
 */
export async function playlistCandidates(fetch: FetchTempo, sel: TempoSelection, targetMs: number, signals?: SignalIndex): Promise<TrackDoc[]> {
	const wanted = Math.ceil((targetMs / 150_000) * 2);
	const byId = new Map<string, TrackDoc>();
	const add = (docs: TrackDoc[]) => {
		for (const d of docs) if (!signals?.isExcluded(d._id)) byId.set(d._id, d);
	};
	if (sel.tolerance > 1) add(await fetch({ ...sel, tolerance: 1, limit: PAGE, offset: 0 }));
	for (let page = 0; page < MAX_PAGES && byId.size < wanted; page++) {
		const docs = await fetch({ ...sel, limit: PAGE, offset: page * PAGE });
		add(docs);
		if (docs.length < PAGE) break;
	}
	return [...byId.values()];
}

/**
 * Picks tracks, nearest tempo first (liked artists count as a little nearer), until the total
 * comes within `slack` of the target without passing it by more than `slack`.
 */
export function fillDuration(candidates: readonly TrackDoc[], bpm: number, tolerance: number, targetMs: number, signals?: SignalIndex): TrackDoc[] {
	const rank = (d: TrackDoc) => tempoDistance(d, bpm) / Math.max(1, tolerance) - (signals?.byLikedArtist(d) ? 0.5 : 0);
	const ordered = [...candidates].sort((a, b) => rank(a) - rank(b) || (a._id < b._id ? -1 : 1));
	const slack = Math.min(120_000, Math.max(15_000, targetMs * 0.05));
	const chosen: TrackDoc[] = [];
	const taken = new Set<string>();
	let total = 0;
	for (const capped of [true, false]) {
		const perArtist = new Map<string, number>();
		for (const d of chosen) perArtist.set(leadArtist(d), (perArtist.get(leadArtist(d)) ?? 0) + 1);
		for (const d of ordered) {
			if (total >= targetMs - slack) return chosen;
			if (taken.has(d._id)) continue;
			const lead = leadArtist(d);
			if (capped && (perArtist.get(lead) ?? 0) >= PER_ARTIST) continue;
			const ms = d.durationMs ?? ASSUMED_TRACK_MS;
			if (total + ms > targetMs + slack) continue;
			chosen.push(d);
			taken.add(d._id);
			perArtist.set(lead, (perArtist.get(lead) ?? 0) + 1);
			total += ms;
		}
	}
	return chosen;
}

function leadArtist(d: TrackDoc): string {
	return normaliseKey(d.artists[0]?.name ?? "");
}
