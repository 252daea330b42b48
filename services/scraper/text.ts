/** Reading the small text formats of a tracklist row: "Artist - Title (Remix)", cue times, ISO durations. */

/** Words that make a trailing "(…)" a version of the track rather than part of its title. */
const VERSION_WORDS = /\b(re-?mix|mix|edit|re-?edit|bootleg|rework|refix|flip|vip|dub|version|acapella|acappella|a cappella|instrumental|remake|cover|mashup)\)$/i;

/** Joiners between artist names, as the site writes them. */
const ARTIST_SPLIT = /\s+(?:&|feat\.?|ft\.?|featuring|vs\.?|x)\s+|\s*,\s*/i;

export interface TrackText {
	artist: string;
	title: string;
	remix?: string;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f]+/g;
const SPACES = /\s{2,}|[^\S ]/;

/** Whitespace collapsed, control characters gone; most texts need neither, so they are not copied. */
export function clean(text: string | undefined): string {
	if (!text) return "";
	let s = CONTROL.test(text) ? text.replace(CONTROLS, " ") : text;
	if (SPACES.test(s)) s = s.replace(/\s+/g, " ");
	return s.trim();
}

/** "Artist - Title (Remix)" into its parts; a text without " - " is a title by an unknown artist. */
export function splitTrackText(raw: string): TrackText {
	const text = clean(raw);
	const sep = text.indexOf(" - ");
	const artist = sep >= 0 ? text.slice(0, sep).trim() : "";
	let title = sep >= 0 ? text.slice(sep + 3).trim() : text;
	let remix: string | undefined;
	const m = /\s*\(([^()]*)\)$/.exec(title);
	if (m && VERSION_WORDS.test(`${m[1]})`)) {
		remix = m[1].trim();
		title = title.slice(0, m.index).trim();
	}
	return { artist: artist || "ID", title: title || "ID", ...(remix ? { remix } : {}) };
}

const FEATURING = /\s+(?:ft\.?|feat\.?|featuring)\s+/i;

/** The artists credited after "ft." / "feat." ("A ft. B & C" → ["B", "C"]). */
export function featuredArtists(artist: string): string[] {
	const m = FEATURING.exec(clean(artist));
	return m ? splitArtists(clean(artist).slice(m.index + m[0].length)) : [];
}

export function splitArtists(artist: string): string[] {
	return clean(artist)
		.split(ARTIST_SPLIT)
		.map(a => a.trim())
		.filter(Boolean);
}

/** "ID" stands for an unidentified artist or title. */
export function isUnknown(text: string): boolean {
	return /^id$/i.test(clean(text));
}

/** ISO 8601 durations as the microdata writes them ("PT4M49S", "PT1H2M", "PT0.5S"); undefined when unreadable. */
export function isoDurationMs(raw: string | undefined): number | undefined {
	const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(clean(raw));
	if (!m || raw === undefined || /^PT?$/i.test(clean(raw))) return undefined;
	const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map(v => (v === undefined ? 0 : Number(v)));
	const ms = Math.round((((d * 24 + h) * 60 + min) * 60 + s) * 1000);
	return Number.isFinite(ms) ? ms : undefined;
}

/** A cue as the page shows it, "mm:ss" or "h:mm:ss", in ms; undefined when empty or unreadable. */
export function cueTextMs(raw: string | undefined): number | undefined {
	const text = clean(raw);
	const m = /^(?:(\d{1,3}):)?(\d{1,4}):(\d{2})$/.exec(text);
	if (!m) return undefined;
	const [h, min, s] = [m[1] === undefined ? 0 : Number(m[1]), Number(m[2]), Number(m[3])];
	if (s >= 60 || (m[1] !== undefined && min >= 60)) return undefined;
	return ((h * 60 + min) * 60 + s) * 1000;
}

/** A number of seconds as the page writes it in inputs and scripts; undefined when not one. */
export function secondsMs(raw: string | undefined): number | undefined {
	const text = clean(raw);
	if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
	const ms = Math.round(Number(text) * 1000);
	return Number.isSafeInteger(ms) ? ms : undefined;
}

/** The slug in a site path such as /dj/<slug>/index.html. */
export function slugOf(href: string, kind: "dj" | "source" | "artist"): string | undefined {
	const m = new RegExp(`/${kind}/([^/?#]+)`).exec(href);
	return m ? decodeURIComponentSafe(m[1]) : undefined;
}

function decodeURIComponentSafe(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/** `href` resolved against the page's URL; undefined when it is not a URL. */
export function absoluteUrl(href: string | undefined, base: string): string | undefined {
	if (!href) return undefined;
	try {
		return new URL(href, base).href;
	} catch {
		return undefined;
	}
}
