/**
 * The real-page corpus: pages of the site saved by public projects, listed with their provenance
 * in test/fixtures/tracklists/real/manifest.json with expectations worked out by hand from their
 * HTML. The pages are not in this repository (real/README.md says why and how to get them), so
 * this runs when REAL_PAGES_DIR names a folder holding them; pages missing there are listed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { generateCue } from "../../../services/scraper/cue";
import { BlockedError } from "../../../services/scraper/errors";
import { parseTracklistPage } from "../../../services/scraper/parser";
import { readCueSheets } from "./cue-reader";

interface Expected {
	trackCount?: number;
	djs?: string[];
	date?: string;
	genres?: string[];
	cues?: Array<number | null>;
	ided?: { identified: number; total: number };
	isIdCount?: number;
	event?: string | null;
	venue?: string | null;
	recordings?: number;
	postedBy?: string;
	edits?: Record<string, string>;
	featured?: Record<string, string[]>;
	claimedTracks?: number;
	/** Positions of the rows played with the one before ("w/"). */
	playedWith?: number[];
	/** Position of each mashup → how many parts the page lists under it. */
	mashups?: Record<string, number>;
	/** Position of a mashup → its parts as "Artist - Title (Version)". */
	mashupParts?: Record<string, string[]>;
	/** The position each recording starts at, when there are several. */
	recordingStarts?: number[];
	/** The page's own cues go back inside a recording, so the CUE generator refuses the set, naming the track. */
	cueRefused?: { type: string; track: number };
	blocked?: string;
}
interface Entry {
	file: string;
	repository: string;
	path: string;
	commit: string;
	licence: string;
	expected: Expected;
}

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../fixtures/tracklists/real/manifest.json"), "utf8")) as { pages: Entry[] };
const dir = process.env.REAL_PAGES_DIR;
const present = dir ? manifest.pages.filter(p => fs.existsSync(path.join(dir, p.file))) : [];
const URL = "https://www.1001tracklists.com/tracklist/real/page.html";

describe("the real-page manifest", () => {
	it("names every page's repository, path, commit and licence, and what to expect of it", () => {
		expect(manifest.pages.length).toBeGreaterThan(0);
		for (const p of manifest.pages) {
			expect(p).toMatchObject({ file: expect.stringMatching(/\.html$/), repository: expect.stringMatching(/^[\w.-]+\/[\w.-]+$/), commit: expect.stringMatching(/^[0-9a-f]{40}$/), licence: expect.stringMatching(/^(MIT|BSD|Apache|CC0|Unlicense|GPL-\d|none stated)/) });
			expect(Object.keys(p.expected).length).toBeGreaterThan(0);
		}
	});

	it("keeps the pages themselves out of the repository", () => {
		const fixtures = path.resolve(__dirname, "../../fixtures");
		const committed = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap(d => (d.isDirectory() ? committed(path.join(dir, d.name)) : [d.name]));
		const names = new Set(committed(fixtures));
		expect(manifest.pages.filter(p => names.has(p.file)).map(p => p.file)).toEqual([]);
	});
});

// Like the MongoDB half of the store contract: without the pages nothing is registered (CI counts a
// skipped test as a failure), and the run says so in one line.
if (!present.length) console.log(`real-page corpus not run: REAL_PAGES_DIR ${dir ? `(${dir}) holds none` : "is unset"} of the ${manifest.pages.length} pages in real/manifest.json`);
(present.length ? describe : () => undefined)(`real pages in REAL_PAGES_DIR (${present.length} of ${manifest.pages.length})`, () => {
	it.each(present.map(p => [p.file, p] as const))("%s", (_name, entry) => {
		const html = fs.readFileSync(path.join(dir ?? "", entry.file), "utf8");
		const e = entry.expected;
		if (e.blocked) {
			expect(() => parseTracklistPage(html, URL)).toThrow(BlockedError);
			expect(() => parseTracklistPage(html, URL)).toThrow(expect.objectContaining({ code: 503, data: expect.objectContaining({ reason: e.blocked, kind: "retryable" }) }));
			return;
		}
		const parsed = parseTracklistPage(html, URL);
		// The fast tokenizer reads the real page exactly as htmlparser2 does.
		expect(parsed).toEqual(parseTracklistPage(html, URL, { tokenizer: "htmlparser2" }));
		expect(parsed.tracks).toHaveLength(e.trackCount ?? -1);
		expect(parsed.djs.map(d => d.name)).toEqual(e.djs);
		expect(parsed.date).toBe(e.date);
		expect(parsed.genres).toEqual(e.genres);
		expect(parsed.tracks.map(t => t.cueMs)).toEqual(e.cues);
		if (e.ided) expect(parsed.ided).toEqual(e.ided);
		if (e.isIdCount !== undefined) expect(parsed.tracks.filter(t => t.isId)).toHaveLength(e.isIdCount);
		if (e.event !== undefined) expect(parsed.event?.name ?? null).toBe(e.event);
		if (e.venue !== undefined) expect(parsed.venue?.name ?? null).toBe(e.venue);
		if (e.recordings !== undefined) expect(parsed.recordings ?? 1).toBe(e.recordings);
		if (e.postedBy) expect(parsed.postedBy).toBe(e.postedBy);
		for (const [pos, edit] of Object.entries(e.edits ?? {})) expect(parsed.tracks[Number(pos) - 1].edit).toBe(edit);
		for (const [pos, names] of Object.entries(e.featured ?? {})) expect(parsed.tracks[Number(pos) - 1].featured).toEqual(names);
		if (e.claimedTracks !== undefined) expect(parsed.claimedTracks).toBe(e.claimedTracks);
		expect(parsed.tracks.filter(t => t.playedWith).map(t => t.position)).toEqual(e.playedWith ?? []);
		expect(Object.fromEntries(parsed.tracks.filter(t => t.mashupParts).map(t => [String(t.position), t.mashupParts?.length]))).toEqual(e.mashups ?? {});
		const partText = (p: { artist: string; title: string; remix?: string }) => `${p.artist} - ${p.title}${p.remix ? ` (${p.remix})` : ""}`;
		for (const [pos, parts] of Object.entries(e.mashupParts ?? {})) expect(parsed.tracks[Number(pos) - 1].mashupParts?.map(partText)).toEqual(parts);
		if (e.recordingStarts) expect(parsed.tracks.filter((t, i) => i === 0 || t.recording !== parsed.tracks[i - 1].recording).map(t => t.position)).toEqual(e.recordingStarts);
		expect(parsed.tracks.filter(t => t.label?.includes("<"))).toEqual([]);
		// Every track the page gives no cue is an estimate; the sheet still reads, one FILE per recording.
		const options = { audioFileName: "set.mp3", format: "standard", includePregap: false } as const;
		if (e.cueRefused) {
			expect(() => generateCue(parsed, options)).toThrow(expect.objectContaining({ type: e.cueRefused.type, data: { track: e.cueRefused.track } }));
			return;
		}
		const sheet = generateCue(parsed, options);
		expect(sheet.estimated).toHaveLength((e.cues ?? []).filter(c => c === null).length);
		const [read] = readCueSheets([sheet.text]);
		expect(read.errors).toEqual([]);
		expect(read.sheet.files).toHaveLength(e.recordings ?? 1);
		expect(read.sheet.files.reduce((n, f) => n + f.tracks.length, 0) + (sheet.text.match(/^\s*REM WITH /gm) ?? []).length).toBe(parsed.tracks.length);
	});
});
