/**
 * One genre vocabulary for every provider (docs/genres.md). Spotify names fine-grained genres in
 * lower case ("deep house", "uk garage"); Deezer names a few dozen broad categories in title case,
 * some of them pairs ("Rap/Hip Hop", "Soul & Funk"). The catalog stores, filters and counts
 * genres only in their canonical form: lower case, spelling variants folded together, and
 * Deezer's categories under the name a Spotify-style genre would have.
 */
import type { Provider } from "./model";

/** Spelling variants, after lower-casing and spacing: the same genre whoever names it. */
const VARIANTS: Readonly<Record<string, string>> = {
	"hip-hop": "hip hop",
	hiphop: "hip hop",
	rap: "hip hop",
	"rap/hip hop": "hip hop",
	"hip hop/rap": "hip hop",
	rnb: "r&b",
	"r and b": "r&b",
	"rhythm and blues": "r&b",
	"drum & bass": "drum and bass",
	"drum n bass": "drum and bass",
	"drum'n'bass": "drum and bass",
	dnb: "drum and bass",
	"d&b": "drum and bass",
	"synth-pop": "synthpop",
	"synth pop": "synthpop",
	"uk-garage": "uk garage",
	"neo-soul": "neo soul",
	"electronica": "electronic"
};

/**
 * Deezer's own category names (GET /genre) that mean something else, or something broader, than
 * the same word does elsewhere: Deezer's "Electro" is all electronic music, not the electro genre.
 */
const DEEZER_CATEGORIES: Readonly<Record<string, string>> = {
	electro: "electronic",
	"techno/house": "techno and house",
	"soul & funk": "soul and funk",
	"films/games": "soundtrack",
	"latin music": "latin",
	"african music": "african",
	"asian music": "asian",
	"brazilian music": "brazilian",
	"indian music": "indian",
	"traditional mexicano": "regional mexican",
	kids: "children's music"
};

/** The canonical name of a provider's genre, or undefined for an empty one. */
export function canonicalGenre(raw: string, provider?: Provider): string | undefined {
	const key = raw.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
	if (!key) return undefined;
	if (provider === "deezer" && DEEZER_CATEGORIES[key]) return DEEZER_CATEGORIES[key];
	return VARIANTS[key] ?? key;
}

/** Canonical genres in their order of first appearance, duplicates dropped. */
export function canonicalGenres(raw: readonly string[] | undefined, provider?: Provider): string[] {
	const out: string[] = [];
	for (const g of raw ?? []) {
		const c = canonicalGenre(g, provider);
		if (c && !out.includes(c)) out.push(c);
	}
	return out;
}
