/**
 * A synthetic catalog for `npm run bench:api` and `bench:store`: tracks in the shape
 * catalog.upsertTracks and catalog.setFeatures leave them in, seeded (bench/store-catalog.ts
 * writes them into the embedded store).
 */
import { normaliseKey, type TrackDoc } from "../services/catalog/model";
import { bareTitleKey } from "../services/catalog/search";
import { base62, intBetween, mulberry32, pick, roundTo, upperAlnum, type Rng } from "../test/simulators/prng";

const SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "ze", "da", "ri", "mo", "an", "el", "or", "un", "be", "sa", "ti", "go", "la", "fe", "yu", "ko"];

/** Genres with a typical tempo and spread, so the tempo histogram looks like a real catalog's. */
const GENRES: Array<{ name: string; bpm: number; sd: number }> = [
	{ name: "house", bpm: 124, sd: 3 },
	{ name: "deep house", bpm: 121, sd: 3 },
	{ name: "techno", bpm: 132, sd: 5 },
	{ name: "trance", bpm: 138, sd: 3 },
	{ name: "drum and bass", bpm: 173, sd: 2.5 },
	{ name: "dubstep", bpm: 140, sd: 2 },
	{ name: "uk garage", bpm: 132, sd: 3 },
	{ name: "hip hop", bpm: 92, sd: 10 },
	{ name: "neo soul", bpm: 88, sd: 10 },
	{ name: "indie rock", bpm: 122, sd: 25 },
	{ name: "pop", bpm: 112, sd: 22 },
	{ name: "synthpop", bpm: 118, sd: 12 },
	{ name: "disco", bpm: 118, sd: 6 },
	{ name: "funk", bpm: 106, sd: 10 },
	{ name: "jazz", bpm: 115, sd: 35 },
	{ name: "ambient", bpm: 90, sd: 25 }
];

function word(rng: Rng): string {
	const n = intBetween(rng, 2, 3);
	let w = "";
	for (let i = 0; i < n; i++) w += pick(rng, SYLLABLES);
	return w;
}

const capital = (w: string) => w[0].toUpperCase() + w.slice(1);

function title(rng: Rng): string {
	const words = Array.from({ length: intBetween(rng, 1, 4) }, () => capital(word(rng))).join(" ");
	const r = rng();
	return r < 0.1 ? `${words} (Extended Mix)` : r < 0.15 ? `${words} - Radio Edit` : r < 0.2 ? `${words} (feat. ${capital(word(rng))})` : words;
}

function gaussian(rng: Rng): number {
	return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Eight hex digits per draw (the simulators' hex() spends a draw per digit, too slow for 1M tracks). */
function hexWords(rng: Rng, words: number): string {
	let out = "";
	for (let i = 0; i < words; i++) out += Math.floor(rng() * 0x100000000).toString(16).padStart(8, "0");
	return out;
}

function uuid(rng: Rng): string {
	const h = hexWords(rng, 4);
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[intBetween(rng, 0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

interface Artist {
	name: string;
	spotifyId: string;
	genre?: string;
	bpm: number;
	sd: number;
}

function artists(rng: Rng, count: number): Artist[] {
	return Array.from({ length: count }, () => {
		const g = pick(rng, GENRES);
		const name = rng() < 0.3 ? `The ${capital(word(rng))}s` : `${capital(word(rng))} ${capital(word(rng))}`;
		// One artist in ten has no genre on Spotify, so its tracks have none either.
		return { name, spotifyId: base62(rng, 22), genre: rng() < 0.9 ? g.name : undefined, bpm: g.bpm, sd: g.sd };
	});
}

/**
 * One track as the crawl leaves it: inserted by upsertTracks from Spotify (ids, ISRC, keys and
 * search words), merged with Deezer for some, then given features by setFeatures. About a fifth came
 * from analysis of the preview and carry the half/double-time alternative `tempoAlt`.
 */
function track(rng: Rng, pool: Artist[], now: number, i: number): TrackDoc {
	const lead = pick(rng, pool);
	const credited = rng() < 0.15 ? [lead, pick(rng, pool)] : [lead];
	const name = title(rng);
	const titleKey = normaliseKey(name);
	const artistKey = normaliseKey(credited.map(a => a.name).join(" "));
	const spotifyId = base62(rng, 22);
	const fetchedAt = now - intBetween(rng, 0, 30 * 86400_000);
	const doc: Record<string, unknown> = {
		name,
		artists: credited.map(a => ({ name: a.name, spotifyId: a.spotifyId })),
		artistKey,
		titleKey,
		bareTitleKey: bareTitleKey(name),
		words: [...new Set(`${titleKey} ${artistKey}`.split(" ").filter(w => w.length > 0))],
		featuresStatus: "pending",
		spotifyId,
		fetchedAt,
		updatedAt: fetchedAt,
		// ISRCs and Deezer ids are unique indexes: derived from the position so none repeats.
		isrc: `${pick(rng, ["US", "GB", "DE", "FR", "SE", "NL"])}${upperAlnum(rng, 3)}${String(i % 10_000_000).padStart(7, "0")}`,
		durationMs: intBetween(rng, 120_000, 420_000),
		previewUrl: `https://p.scdn.co/mp3-preview/${hexWords(rng, 5)}`,
		popularity: intBetween(rng, 0, 100),
		albumSpotifyId: base62(rng, 22),
		...(lead.genre ? { genre: lead.genre } : {}),
		providers: { spotify: { id: spotifyId, fetchedAt } },
		_id: uuid(rng)
	};
	if (rng() < 0.3) {
		const deezerId = String(100_000_000 + i * 7 + intBetween(rng, 0, 6));
		Object.assign(doc, { deezerId, albumDeezerId: String(intBetween(rng, 1, 900_000_000)) });
		(doc.providers as Record<string, unknown>).deezer = { id: deezerId, fetchedAt };
	}
	const tempo = roundTo(Math.min(200, Math.max(60, lead.bpm + lead.sd * gaussian(rng))), 3);
	const featuresAt = fetchedAt + intBetween(rng, 1000, 86400_000);
	const source = rng();
	if (source < 0.2) {
		// Analysis of the preview: the other octave is kept when it is plausible.
		const alt = tempo < 100 ? tempo * 2 : tempo > 140 ? tempo / 2 : rng() < 0.5 ? tempo * 2 : tempo / 2;
		Object.assign(doc, { tempo, tempoAlt: roundTo(alt, 3), tempoSource: "analysis", tempoConfidence: roundTo(0.5 + rng() * 0.4, 2), energy: roundTo(rng(), 3) });
	} else if (source < 0.35) {
		Object.assign(doc, { tempo: Math.round(tempo), tempoSource: "deezer", tempoConfidence: 0.8 });
	} else {
		Object.assign(doc, {
			tempo,
			tempoSource: "spotify",
			tempoConfidence: 0.9,
			energy: roundTo(rng(), 3),
			valence: roundTo(rng(), 3),
			danceability: roundTo(rng(), 3),
			loudness: roundTo(-20 + rng() * 18, 3),
			key: intBetween(rng, 0, 11),
			mode: intBetween(rng, 0, 1),
			timeSignature: 4
		});
	}
	Object.assign(doc, { featuresStatus: "done", featuresAt, updatedAt: featuresAt });
	return doc as TrackDoc;
}

/** The synthetic catalog's tracks, one at a time; the same seed gives the same tracks. */
export function* catalogTracks(tracks: number, seed = 42): Generator<TrackDoc> {
	const rng = mulberry32(seed);
	const pool = artists(rng, Math.max(1, Math.round(tracks / 20)));
	const now = Date.UTC(2026, 0, 1);
	for (let i = 0; i < tracks; i++) yield track(rng, pool, now, i);
}
