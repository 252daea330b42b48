import { normaliseKey, type TrackDoc } from "./model";

/** Words a track is found by: its title's and its artists' normalised words. */
export function searchWords(name: string, artistNames: string[]): string[] {
	const words = new Set(`${normaliseKey(name)} ${normaliseKey(artistNames.join(" "))}`.split(" ").filter(w => w.length > 0));
	return [...words];
}

/** The query's words; the longest one is looked up in the index, the rest filter the candidates. */
export function queryWords(q: string): string[] {
	return [...new Set(normaliseKey(q).split(" ").filter(w => w.length > 0))].sort((a, b) => b.length - a.length);
}

export function matchesAll(doc: TrackDoc, words: string[]): boolean {
	const have = new Set(doc.words ?? []);
	return words.every(w => have.has(w));
}

/** "Title (Extended Mix)" and "Title [Remix]" also meet plain "Title" in name matching. */
export function bareTitleKey(title: string): string {
	return normaliseKey(title.replace(/\s*[([][^)\]]*[)\]]\s*/g, " "));
}

/**
 * Whether a catalog track is the one a tracklist line names: same bare title, and the line's first
 * artist appears among the track's artists (DJ pages credit "A & B" or "A ft. C" loosely).
 */
export function nameMatches(doc: TrackDoc, artist: string, title: string): boolean {
	if (bareTitleKey(doc.name) !== bareTitleKey(title)) return false;
	const first = normaliseKey(artist.split(/\s+(?:&|and|feat\.?|ft\.?|vs\.?|x)\s+|,/i)[0] ?? artist);
	return first.length > 0 && ` ${doc.artistKey} `.includes(` ${first} `);
}
