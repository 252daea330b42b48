/**
 * Parses a 1001tracklists-style page (the shape is in REFERENCE.md and docs/scraper.md) into a
 * tracklist. It throws only the scraper's own errors: BlockedError for challenge, captcha and
 * IP-block pages, ParseMismatchError when the page claims tracks but none parse,
 * NotATracklistError when there is nothing to store. It never returns an empty tracklist.
 */
import { detectBlock } from "./blocks";
import { BlockedError, NotATracklistError, ParseMismatchError } from "./errors";
import type { MashupPart, PageLink, ParsedTracklist, SourceLink, TrackEntry } from "./model";
import { readPage, type PageFields, type RowFields, type Tokenizer } from "./page-reader";
import { attributeIndex, tokenize } from "./tokenizer";
import { absoluteUrl, clean, cueTextMs, featuredArtists, isoDurationMs, isUnknown, secondsMs, slugOf, splitArtists, splitTrackText } from "./text";

export { MAX_ROWS } from "./page-reader";
const MAX_TEXT = 500;

const short = (text: string | undefined) => clean(text).slice(0, MAX_TEXT);

export interface CueEntry {
	ms: number;
	/** The media id of the recording ("Player N") the cue is in, when the page says. */
	player?: string;
	/** The entry names the row after another one (`ids[1]`…): a "w/" row filed under its parent's cue. */
	shared?: boolean;
}

/**
 * The authoritative cues: entries of `cueValuesEntry = {}; cueValuesEntry.seconds = N;
 * cueValuesEntry.idPlayer = '…'; cueValuesEntry.ids[k] = 'tlpX_content';`, one entry naming one
 * or more rows. The first entry naming a row wins; a row named after the first id of an entry is
 * marked shared (the real pages file "w/" rows under their parent's entry, whatever their own cue).
 */
export function scriptCueEntries(scripts: string[]): Map<string, CueEntry> {
	const cues = new Map<string, CueEntry>();
	const token =
		/cueValuesEntry\s*=\s*\{\s*\}|cueValuesEntry\.seconds\s*=\s*(\d+(?:\.\d+)?)|cueValuesEntry\.idPlayer\s*=\s*['"]([^'"]{0,50})['"]|cueValuesEntry\.ids\[\s*(\d+)\s*\]\s*=\s*['"]([^'"]{1,200})['"]/g;
	for (const script of scripts) {
		let ms: number | undefined;
		let player: string | undefined;
		for (const m of script.matchAll(token)) {
			if (m[1] !== undefined) ms = secondsMs(m[1]);
			else if (m[2] !== undefined) player = m[2] || undefined;
			else if (m[4] !== undefined) {
				if (ms !== undefined && !cues.has(m[4])) cues.set(m[4], { ms, ...(player ? { player } : {}), ...(m[3] !== "0" ? { shared: true } : {}) });
			} else {
				ms = undefined;
				player = undefined;
			}
		}
	}
	return cues;
}

/** The cue of each element the page script names, in ms. */
export function scriptCues(scripts: string[]): Map<string, number> {
	return new Map([...scriptCueEntries(scripts)].map(([id, e]) => [id, e.ms]));
}

const LABEL_ATTRIBUTES = attributeIndex(["class"]);

/**
 * A label field: plain text, or (on most rows since 2024) escaped HTML holding one
 * `span.trackLabel` per label. Each label's text, joined by " / ", without the page's brackets.
 */
export function labelText(raw: string | undefined): string {
	const value = clean(raw);
	if (!value.includes("<")) return value.replace(/^\[(.*)\]$/, "$1").trim();
	const labels: string[] = [];
	let all = "";
	let depth = 0;
	let labelDepth = -1;
	let current = "";
	tokenize(
		value,
		{
		onopentag(_name, a) {
			depth++;
			if (labelDepth < 0 && /\btrackLabel\b/.test(a.class ?? "")) {
				labelDepth = depth;
				current = "";
			}
		},
		ontext(t) {
			all += t;
			if (labelDepth > 0) current += t;
		},
		onclosetag() {
			if (depth === labelDepth) {
				labelDepth = -1;
				if (clean(current)) labels.push(clean(current));
			}
			depth--;
		}
		},
		LABEL_ATTRIBUTES
	);
	return (labels.length ? labels.join(" / ") : clean(all)).replace(/^\[(.*)\]$/, "$1").trim();
}

/*
 * The visible name links each artist to its page; a band whose name holds "&" is split into
 * spans that link the same page ("Voodoos" & "Taboos" → /artist/voodoos-&-taboos/), so links,
 * not joiner words, say where one artist ends.
 */
function linkedArtists(f: RowFields, credit: string): string[] {
	const groups: Array<{ href: string; names: string[] }> = [];
	for (const l of f.artistLinks) {
		const last = groups[groups.length - 1];
		if (last && last.href === l.href) last.names.push(l.name);
		else groups.push({ href: l.href, names: [l.name] });
	}
	return groups
		.map(g => {
			if (g.names.length === 1) return short(g.names[0]);
			const from = credit.indexOf(g.names[0]);
			const lastName = g.names[g.names.length - 1];
			const to = credit.indexOf(lastName, from + 1);
			return short(from >= 0 && to > from ? credit.slice(from, to + lastName.length) : g.names.join(" & "));
		})
		.filter(Boolean);
}

/** The credit split into artists; featured ones ("ft.") are named apart too. */
function credits(f: RowFields, artist: string): { artists: string[]; featured: string[] } {
	const featured = featuredArtists(artist).map(a => a.slice(0, MAX_TEXT));
	if (f.artistLinks.length) {
		const linked = linkedArtists(f, clean(artist));
		// A featured artist without a page of its own is still credited.
		if (linked.length) return { artists: [...linked, ...featured.filter(n => !linked.includes(n))], featured };
	}
	// Several byArtist items are the site's own split; a single one is the whole credit as one string.
	if (f.byArtist.length > 1) return { artists: f.byArtist.map(a => short(a)).filter(Boolean), featured };
	const credit = isUnknown(artist) ? clean(f.byArtist[0]) : artist;
	if (!credit || isUnknown(credit)) return { artists: [], featured };
	return { artists: splitArtists(credit).map(a => a.slice(0, MAX_TEXT)), featured };
}

const unparen = (text: string | undefined) => clean(text).replace(/^\((.*)\)$/, "$1").trim();

interface RowContext {
	prev: TrackEntry | undefined;
	cues: Map<string, CueEntry>;
	players: Map<string, number>;
	base: string;
}

function rowText(f: RowFields): string {
	return clean(f.microName) || clean(f.trackValue);
}

function toPart(f: RowFields, base: string): MashupPart | undefined {
	const text = rowText(f);
	if (!text) return undefined;
	const parts = splitTrackText(text);
	const part: MashupPart = { artists: credits(f, parts.artist).artists, artist: short(parts.artist), title: short(parts.title), isId: isUnknown(parts.title) };
	const remix = parts.remix ?? (unparen(f.editNote) || undefined);
	if (remix) part.remix = short(remix);
	const label = short(labelText(f.publisher)) || short(labelText(f.trackLabel));
	if (label) part.label = label;
	const url = absoluteUrl(clean(f.url), base);
	if (url) part.url = url;
	return part;
}

function toTrack(f: RowFields, position: number, ctx: RowContext): TrackEntry | undefined {
	const text = rowText(f);
	if (!text) return undefined;
	const { prev } = ctx;
	const parts = splitTrackText(text);
	const numberText = clean(f.numberText);
	const playedWith = /^w\/?$/i.test(numberText) || f.con;
	const shown = Number.parseInt(numberText, 10);
	const fromAttr = Number.parseInt(f.dataTrno ?? "", 10);
	const number = playedWith ? (prev?.number ?? 1) : Number.isInteger(shown) && shown > 0 ? shown : Number.isInteger(fromAttr) && fromAttr > 0 ? fromAttr : (prev?.number ?? 0) + 1;
	const entry = (f.contentId !== undefined ? ctx.cues.get(f.contentId) : undefined) ?? (f.elementId !== undefined ? ctx.cues.get(f.elementId) : undefined);
	const inputMs = secondsMs(f.cueInput);
	const ownInput = inputMs && inputMs > 0 ? inputMs : undefined;
	// The row's own script entry is authoritative; a shared one is its parent's, so what the row itself shows comes first.
	let cueMs: number | null = (entry?.shared ? (ownInput ?? cueTextMs(f.cueDisplay) ?? entry.ms) : (entry?.ms ?? ownInput ?? cueTextMs(f.cueDisplay))) ?? null;
	if (cueMs === null && playedWith) cueMs = prev?.cueMs ?? null;
	const { artists, featured } = credits(f, parts.artist);
	const label = short(labelText(f.publisher)) || short(labelText(f.trackLabel));
	const track: TrackEntry = {
		position,
		number,
		cueMs,
		artists,
		artist: short(parts.artist),
		title: short(parts.title),
		isId: isUnknown(parts.title),
		playedWith
	};
	// The visible name can carry a version the microdata name lacks.
	const visible = parts.remix === undefined && f.trackValue ? splitTrackText(f.trackValue).remix : undefined;
	const remix = parts.remix ?? visible;
	if (remix) track.remix = short(remix);
	if (label) track.label = label;
	if (clean(f.genre)) track.genre = short(f.genre);
	const durationMs = isoDurationMs(f.duration);
	if (durationMs !== undefined) track.durationMs = durationMs;
	const url = absoluteUrl(clean(f.url), ctx.base);
	if (url) track.url = url;
	if (featured.length) track.featured = featured;
	const edit = short(unparen(f.editNote));
	if (edit && edit !== track.remix) track.edit = edit;
	const player = entry?.player !== undefined ? ctx.players.get(entry.player) : undefined;
	if (player !== undefined) track.recording = player;
	else if (playedWith && prev?.recording !== undefined) track.recording = prev.recording;
	const plays = Number.parseInt(clean(f.playCount).replace(/[^\d]/g, ""), 10);
	if (Number.isInteger(plays)) track.playCount = plays;
	if (f.players.length) track.players = f.players.slice(0, 20);
	return track;
}

/** Rows into tracks: mashup parts join the mashup row before them instead of becoming tracks. */
function buildTracks(page: PageFields, base: string): TrackEntry[] {
	const cues = scriptCueEntries(page.scripts);
	const tracks: TrackEntry[] = [];
	for (const row of page.rows) {
		const owner = tracks[tracks.length - 1];
		if (row.mashPart && owner) {
			const part = toPart(row, base);
			if (part) (owner.mashupParts ??= []).push(part);
			continue;
		}
		const track = toTrack(row, tracks.length + 1, { prev: owner, cues, players: page.players, base });
		if (track) tracks.push(track);
	}
	assignRecordings(tracks, new Set(page.players.values()).size);
	return tracks;
}

/*
 * With two or more recordings and cues that name no player, a cue that goes back starts the next
 * recording: each recording's cues start from zero.
 */
function assignRecordings(tracks: TrackEntry[], recordings: number): void {
	if (recordings < 2) {
		for (const t of tracks) delete t.recording;
		return;
	}
	if (tracks.some(t => t.recording !== undefined)) {
		let last = 1;
		for (const t of tracks) {
			if (t.recording === undefined) t.recording = last;
			last = t.recording;
		}
		return;
	}
	let current = 1;
	let lastCue = -1;
	for (const t of tracks) {
		if (!t.playedWith && t.cueMs !== null) {
			if (t.cueMs < lastCue && current < recordings) current++;
			lastCue = t.cueMs;
		}
		t.recording = current;
	}
}

const VENUE_KINDS = /\b(event location|club|venue|location|arena|stadium|bar|hall)\b/i;

function headerLinks(page: PageFields, base: string): { djs: PageLink[]; sources: SourceLink[] } {
	const djs: PageLink[] = [];
	const sources: SourceLink[] = [];
	for (const link of page.h1Links) {
		const name = short(link.text);
		if (!name) continue;
		const dj = slugOf(link.href, "dj") ?? slugOf(link.href, "artist");
		const source = slugOf(link.href, "source");
		if (dj !== undefined) djs.push({ name, slug: dj, url: absoluteUrl(link.href, base) });
		else if (source !== undefined) {
			const kind = page.sourceKinds.get(link.href);
			sources.push({ name, slug: source, url: absoluteUrl(link.href, base), ...(kind ? { kind: short(kind) } : {}) });
		}
	}
	return { djs, sources };
}

/**
 * The event and the venue among the header's sources. A source box that names the kind decides;
 * without kinds the first source is the event and nothing is taken for the venue: the second
 * link is as often a festival or a radio show's broadcaster as a place.
 */
function eventAndVenue(sources: SourceLink[]): { event?: PageLink; venue?: PageLink } {
	const plain = (s: SourceLink | undefined): PageLink | undefined => (s ? { name: s.name, ...(s.slug ? { slug: s.slug } : {}), ...(s.url ? { url: s.url } : {}) } : undefined);
	const venue = sources.find(s => s.kind !== undefined && VENUE_KINDS.test(s.kind));
	const event = sources.find(s => s !== venue && !(s.kind !== undefined && VENUE_KINDS.test(s.kind)));
	const out: { event?: PageLink; venue?: PageLink } = {};
	const e = plain(event);
	const v = plain(venue);
	if (e) out.event = e;
	if (v) out.venue = v;
	return out;
}

function dateOf(...candidates: Array<string | undefined>): string | undefined {
	for (const c of candidates) {
		const m = /(\d{4})-(\d{2})-(\d{2})/.exec(c ?? "");
		if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= 31) return `${m[1]}-${m[2]}-${m[3]}`;
	}
	return undefined;
}

function genresOf(values: string[] | undefined): string[] {
	const out: string[] = [];
	for (const v of values ?? []) {
		for (const g of clean(v).split(",")) {
			const genre = short(g);
			// The page's Article block calls every page's genre "tracklist".
			if (genre && !/^tracklists?$/i.test(genre) && !out.includes(genre)) out.push(genre);
		}
	}
	return out;
}

/** Parses one tracklist page; `url` resolves relative links and names the page in errors. */
export function parseTracklistPage(html: string, url: string, opts: { tokenizer?: Tokenizer } = {}): ParsedTracklist {
	const page = readPage(html, opts.tokenizer);
	const tracks = buildTracks(page, url);
	// The set's own block when the page has one; pages without microdata scopes have only one block.
	const hasPlaylist = page.playlist.size > 0;
	const set = hasPlaylist ? page.playlist : page.page;
	const first = (key: string) => set.get(key)?.[0];
	const claimedRaw = Number.parseInt(clean(first("numTracks")), 10);
	const claimedTracks = Number.isInteger(claimedRaw) && claimedRaw > 0 ? claimedRaw : undefined;
	if (tracks.length === 0) {
		const blocked = detectBlock(html);
		if (blocked) throw new BlockedError(url, blocked);
		if (claimedTracks) throw new ParseMismatchError(url, claimedTracks, 0);
		throw new NotATracklistError(url, page.rows.length ? "its rows hold no tracks" : "the page has no tracklist rows");
	}
	const { djs, sources } = headerLinks(page, url);
	const h1Text = short(page.h1Text);
	const title = short(first("name")) || h1Text || short(clean(page.titleText).replace(/\s*Tracklist$/i, "")) || "Untitled tracklist";
	const author = short(first("author"));
	if (djs.length === 0 && hasPlaylist && author) djs.push({ name: author });
	const result: ParsedTracklist = { title, djs, genres: genresOf(set.get("genre")), tracks };
	Object.assign(result, eventAndVenue(sources));
	if (sources.length) result.sources = sources;
	const recordings = new Set(tracks.map(t => t.recording).filter(r => r !== undefined)).size;
	if (recordings > 1) result.recordings = recordings;
	// The set's date; the posting date (the Article block's) is often a day or more later.
	const date = dateOf(first("datePublished"), title, h1Text);
	if (date) result.date = date;
	if (claimedTracks) result.claimedTracks = claimedTracks;
	if (author) result.author = author;
	if (hasPlaylist) {
		const postedBy = short(page.page.get("author")?.[0]);
		const postedAt = clean(page.page.get("datePublished")?.[0]);
		if (postedBy) result.postedBy = postedBy;
		if (postedAt) result.postedAt = postedAt;
	}
	// "IDed 16 / 22", or "IDed all / 15" when every track is identified.
	const ided = /^(\d+|all)\s*\/\s*(\d+)$/i.exec(clean(page.idedText));
	if (ided) result.ided = { identified: /^all$/i.test(ided[1]) ? Number(ided[2]) : Number(ided[1]), total: Number(ided[2]) };
	return result;
}
