/**
 * Snapshot arithmetic, as pure functions: events and track facts in, a mergeable tally out; tallies
 * merged into longer periods; figures and period-on-period change read from tallies.
 *
 * A listen is a `play` event: top lists, histograms and mean features count plays. Listening time
 * is the sum of `msPlayed` over every event that carries it (apps report it once per listen, on the
 * play or on the event that ends it).
 */
import { EVENT_TYPES, type Change, type Counted, type Delta, type EventType, type Figures, type ListeningEvent, type SumN, type Tally, type TrackFacts } from "./model";
import { isoWeekday } from "./periods";

export const BPM_BIN = 10;
export const TOP_N = 10;

const zeroCounts = () => Object.fromEntries(EVENT_TYPES.map(t => [t, 0])) as Record<EventType, number>;

export function emptyTally(): Tally {
	return {
		counts: zeroCounts(),
		msPlayed: 0,
		tracks: [],
		artists: [],
		genres: [],
		bpm: [],
		tempo: { sum: 0, n: 0 },
		energy: { sum: 0, n: 0 },
		valence: { sum: 0, n: 0 },
		hours: new Array<number>(24).fill(0),
		weekdays: new Array<number>(7).fill(0)
	};
}

/** Most counted first, ties by key, so equal inputs give equal lists. */
function sortedCounts(map: Map<string, number>): Counted[] {
	return [...map.entries()].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function bump(map: Map<string, number>, key: string, by = 1): void {
	map.set(key, (map.get(key) ?? 0) + by);
}

const finite = (v: number | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/** Tallies events against the catalog's facts about their tracks (unknown tracks count, featureless). */
export function tallyEvents(events: readonly ListeningEvent[], tracks: ReadonlyMap<string, TrackFacts>): Tally {
	const t = emptyTally();
	const trackCounts = new Map<string, number>();
	const artists = new Map<string, number>();
	const genres = new Map<string, number>();
	const bpm = new Map<string, number>();
	for (const e of events) {
		if (!(e.type in t.counts)) continue;
		t.counts[e.type]++;
		const facts = tracks.get(e.trackId);
		if (finite(e.msPlayed) && e.msPlayed > 0) t.msPlayed += e.msPlayed;
		if (e.type !== "play") continue;
		bump(trackCounts, e.trackId);
		for (const a of new Set(facts?.artists ?? [])) bump(artists, a);
		if (facts?.genre) bump(genres, facts.genre);
		if (finite(facts?.tempo) && facts.tempo > 0) {
			bump(bpm, String(Math.floor(facts.tempo / BPM_BIN) * BPM_BIN));
			t.tempo.sum += facts.tempo;
			t.tempo.n++;
		}
		if (finite(facts?.energy)) {
			t.energy.sum += facts.energy;
			t.energy.n++;
		}
		if (finite(facts?.valence)) {
			t.valence.sum += facts.valence;
			t.valence.n++;
		}
		t.hours[new Date(e.at).getUTCHours()]++;
		t.weekdays[isoWeekday(e.at)]++;
	}
	t.tracks = sortedCounts(trackCounts);
	t.artists = sortedCounts(artists);
	t.genres = sortedCounts(genres);
	t.bpm = sortedCounts(bpm);
	return t;
}

function mergeCounted(lists: Counted[][]): Counted[] {
	const map = new Map<string, number>();
	for (const list of lists) for (const c of list) bump(map, c.key, c.count);
	return sortedCounts(map);
}

const addSums = (sums: SumN[]): SumN => sums.reduce((a, s) => ({ sum: a.sum + s.sum, n: a.n + s.n }), { sum: 0, n: 0 });
const addArrays = (arrays: number[][], length: number) => Array.from({ length }, (_, i) => arrays.reduce((n, a) => n + (a[i] ?? 0), 0));

/** The tally of a longer period from the tallies of its parts (days). */
export function mergeTallies(tallies: readonly Tally[]): Tally {
	const t = emptyTally();
	for (const type of EVENT_TYPES) t.counts[type] = tallies.reduce((n, x) => n + (x.counts[type] ?? 0), 0);
	t.msPlayed = tallies.reduce((n, x) => n + x.msPlayed, 0);
	t.tracks = mergeCounted(tallies.map(x => x.tracks));
	t.artists = mergeCounted(tallies.map(x => x.artists));
	t.genres = mergeCounted(tallies.map(x => x.genres));
	t.bpm = mergeCounted(tallies.map(x => x.bpm));
	t.tempo = addSums(tallies.map(x => x.tempo));
	t.energy = addSums(tallies.map(x => x.energy));
	t.valence = addSums(tallies.map(x => x.valence));
	t.hours = addArrays(tallies.map(x => x.hours), 24);
	t.weekdays = addArrays(tallies.map(x => x.weekdays), 7);
	return t;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const mean = (s: SumN, digits: number) => (s.n > 0 ? round(s.sum / s.n, digits) : null);

/** The ids of the top tracks, for looking up their names before calling figuresOf. */
export function topTrackIds(tally: Tally, n = TOP_N): string[] {
	return tally.tracks.slice(0, n).map(c => c.key);
}

/** The public figures of a tally; `tracks` names the top tracks where the catalog knows them. */
export function figuresOf(tally: Tally, tracks: ReadonlyMap<string, TrackFacts> = new Map(), n = TOP_N): Figures {
	const plays = tally.counts.play;
	return {
		plays,
		completes: tally.counts.complete,
		skips: tally.counts.skip,
		likes: tally.counts.like,
		unlikes: tally.counts.unlike,
		dislikes: tally.counts.dislike,
		shares: tally.counts.share,
		listeningMinutes: round(tally.msPlayed / 60000, 1),
		skipRate: plays > 0 ? round(Math.min(1, tally.counts.skip / plays), 3) : null,
		topTracks: tally.tracks.slice(0, n).map(c => {
			const facts = tracks.get(c.key);
			return { trackId: c.key, plays: c.count, ...(facts?.name ? { name: facts.name, artists: facts.artists } : {}) };
		}),
		topArtists: tally.artists.slice(0, n).map(c => ({ name: c.key, plays: c.count })),
		topGenres: tally.genres.slice(0, n).map(c => ({ genre: c.key, plays: c.count })),
		bpmHistogram: tally.bpm
			.map(c => ({ from: Number(c.key), to: Number(c.key) + BPM_BIN, count: c.count }))
			.sort((a, b) => a.from - b.from),
		tempoKnown: tally.tempo.n,
		meanBpm: mean(tally.tempo, 1),
		meanEnergy: mean(tally.energy, 3),
		meanValence: mean(tally.valence, 3),
		hourHistogram: [...tally.hours],
		weekdayHistogram: [...tally.weekdays]
	};
}

function delta(previous: number, current: number, digits: number): Delta {
	return { previous, current, delta: round(current - previous, digits), pct: previous === 0 ? null : round(((current - previous) / previous) * 100, 1) };
}

function maybeDelta(previous: number | null, current: number | null, digits: number): Delta | null {
	return previous === null || current === null ? null : delta(previous, current, digits);
}

/** How `current` differs from the period before it. */
export function changeBetween(current: Figures, previous: Figures, previousKey: string): Change {
	const now = new Set(current.topArtists.map(a => a.name));
	const before = new Set(previous.topArtists.map(a => a.name));
	return {
		previousKey,
		plays: delta(previous.plays, current.plays, 0),
		listeningMinutes: delta(previous.listeningMinutes, current.listeningMinutes, 1),
		skipRate: maybeDelta(previous.skipRate, current.skipRate, 3),
		meanBpm: maybeDelta(previous.meanBpm, current.meanBpm, 1),
		meanEnergy: maybeDelta(previous.meanEnergy, current.meanEnergy, 3),
		meanValence: maybeDelta(previous.meanValence, current.meanValence, 3),
		newTopArtists: [...now].filter(a => !before.has(a)),
		droppedTopArtists: [...before].filter(a => !now.has(a))
	};
}
