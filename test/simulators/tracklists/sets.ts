/**
 * Generated DJ sets for the tracklist-site simulator and the scrape benchmark: deterministic from a
 * seed, with the row variants real pages have (w/ rows, "ID - ID", sets over an hour).
 */
import { artistName, labelName, titleName } from "../names";
import { intBetween, pick, streamFor } from "../prng";

export interface SimTrack {
	artist: string;
	title: string;
	remix?: string;
	label?: string;
	genre?: string;
	durationSec?: number;
	/** Start in the set, in seconds; undefined when the page does not know it. */
	cueSec?: number;
	/** Played together with the previous track (a w/ row). */
	with: boolean;
	/** An unidentified track: no microdata. */
	unknown: boolean;
}

export interface SimSet {
	id: string;
	slug: string;
	title: string;
	djs: Array<{ name: string; slug: string }>;
	event: { name: string; slug: string };
	date: string;
	genre: string;
	tracks: SimTrack[];
}

export interface SetOptions {
	seed: number;
	/** Tracks per set (w/ rows included). */
	tracks: number;
	/** Sets in the site. */
	sets: number;
}

const DJS = ["Mara Quell", "Tobin Reyes", "Pell Harrow", "Nico Strand", "Sela Brandt", "Juno Best"];
const EVENTS = ["Lantern Hall Festival", "Basement Sessions", "Riverside Open Air", "Harbor Radio"];
const GENRES = ["Progressive House", "Techno", "Melodic Techno", "Deep House"];

export function slugify(text: string): string {
	return text
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-|-$/g, "");
}

export function generateSet(seed: number, index: number, trackCount: number): SimSet {
	const rng = streamFor(seed, index);
	const dj = DJS[index % DJS.length];
	const event = EVENTS[index % EVENTS.length];
	const day = String(1 + (index % 28)).padStart(2, "0");
	const month = String(1 + (Math.floor(index / 28) % 12)).padStart(2, "0");
	const date = `2024-${month}-${day}`;
	const tracks: SimTrack[] = [];
	let t = 0;
	for (let i = 0; i < trackCount; i++) {
		const w = i > 0 && rng() < 0.08;
		const unknown = rng() < 0.07;
		const title = titleName(rng).replace(/ \(Extended Mix\)$/, "");
		const track: SimTrack = {
			artist: unknown ? "ID" : artistName(rng),
			title: unknown ? "ID" : title,
			with: w,
			unknown
		};
		if (!unknown && rng() < 0.3) track.remix = `${artistName(rng)} Remix`;
		if (!unknown) {
			track.label = labelName(rng);
			track.genre = pick(rng, GENRES);
			track.durationSec = intBetween(rng, 180, 480);
		}
		if (!w) t += i === 0 ? 0 : intBetween(rng, 120, 300);
		track.cueSec = w ? tracks[tracks.length - 1]?.cueSec : rng() < 0.05 && i > 0 ? undefined : t;
		tracks.push(track);
	}
	const id = `s${index}x${seed}`;
	const title = `${dj} @ ${event} ${date}`;
	return { id, slug: slugify(title), title, djs: [{ name: dj, slug: slugify(dj) }], event: { name: event, slug: slugify(event) }, date, genre: GENRES[index % GENRES.length], tracks };
}

export function generateSets(opts: SetOptions): SimSet[] {
	return Array.from({ length: opts.sets }, (_, i) => generateSet(opts.seed, i, opts.tracks));
}

/** The tracks a parse of the set's page must yield, as "artist - title" lines in order. */
export function expectedLines(set: SimSet): string[] {
	return set.tracks.map(t => `${t.artist} - ${t.title}`);
}
