import { generateCue } from "../../../services/scraper/cue";
import { BLOCK_RETRY_AFTER_MS, BlockedError } from "../../../services/scraper/errors";
import type { TracklistContent } from "../../../services/scraper/model";
import { applyDraftEdit } from "../../../services/scraper/params";
import { labelText, parseTracklistPage } from "../../../services/scraper/parser";
import * as fs from "node:fs";
import * as path from "node:path";
import { generateSets, readFixture, renderSetPage } from "../../simulators/tracklists";
import { indexMs, readCueSheets } from "./cue-reader";

const PAGE = "https://www.1001tracklists.com/tracklist/2k7q9x1/mara-quell.html";
const SITE = "https://www.1001tracklists.com";

/*
 * layout-2026.html is hand-written in the shape of the site's pages since mid-2026 (see the
 * README beside it): every expectation here was worked out from that HTML.
 */
describe("the 2026 layout", () => {
	const parsed = parseTracklistPage(readFixture("layout-2026"), PAGE);

	it("takes the set's metadata from the playlist block, not the page's Article block", () => {
		expect(parsed.title).toBe("Mara Quell & Tobin Reyes @ Harbor Radio (Lantern Hall Festival, Harbor Stage, Portmere 2026-06-13) 2026-06-15");
		// The Article block says genre "tracklist", posted 2026-06-17 by crate_digger_99.
		expect(parsed.genres).toEqual(["Techno", "House"]);
		expect(parsed.date).toBe("2026-06-15");
		expect(parsed.author).toBe("Mara Quell");
		expect(parsed).toMatchObject({ postedBy: "crate_digger_99", postedAt: "2026-06-17T08:10:00+00:00", claimedTracks: 5, ided: { identified: 4, total: 5 } });
	});

	it("reads DJs linked as /artist/… from an h1 that is itself #pageTitle", () => {
		expect(parsed.djs).toEqual([
			{ name: "Mara Quell", slug: "mara-quell", url: `${SITE}/artist/mara-quell/tracklists.html` },
			{ name: "Tobin Reyes", slug: "tobin-reyes", url: `${SITE}/artist/tobin-reyes/tracklists.html` }
		]);
	});

	it("tells the venue from the source boxes' kinds instead of taking the second source link", () => {
		expect(parsed.sources?.map(s => [s.name, s.kind])).toEqual([
			["Harbor Radio", "Radio Show"],
			["Lantern Hall Festival", "Festival"],
			["Harbor Stage", "Event Location"]
		]);
		expect(parsed.event?.name).toBe("Harbor Radio");
		expect(parsed.venue?.name).toBe("Harbor Stage");
	});

	it("keeps a mashup as one track with its parts, not as w/ tracks", () => {
		expect(parsed.tracks).toHaveLength(6);
		expect(parsed.tracks.map(t => [t.number, t.playedWith])).toEqual([
			[1, false],
			[2, false],
			[3, false],
			[3, true],
			[4, false],
			[5, false]
		]);
		const mashup = parsed.tracks[1];
		expect(mashup).toMatchObject({ artist: "Sela Brandt vs. Orin Vale", title: "Low Tide vs. Echo Chamber", remix: "Mara Quell Mashup", artists: ["Sela Brandt", "Orin Vale"], playCount: 3 });
		expect(mashup.mashupParts).toEqual([
			{ artists: ["Sela Brandt"], artist: "Sela Brandt", title: "Low Tide", isId: false, label: "TIDEWATER", url: `${SITE}/track/b1/sela-brandt-low-tide/index.html` },
			{ artists: ["Orin Vale"], artist: "Orin Vale", title: "Echo Chamber", remix: "Acappella", isId: false }
		]);
	});

	it("finds cues through the inner tlpN_content ids, the opener at 0:00 included, and numbers the recordings", () => {
		expect(parsed.tracks.map(t => t.cueMs)).toEqual([0, 300000, 720000, 720000, 0, 610000]);
		expect(parsed.tracks.map(t => t.recording)).toEqual([1, 1, 1, 1, 2, 2]);
		expect(parsed.recordings).toBe(2);
	});

	it("reads escaped-HTML labels, split credits, featured artists, edit notes, play counts and player links", () => {
		expect(parsed.tracks[0]).toMatchObject({
			artists: ["Kay Morrow", "Lio Vance"],
			label: "NORTHLINE / DEEPWELL",
			edit: "Intro Edit",
			playCount: 12,
			players: ["YouTube", "SoundCloud"]
		});
		expect(parsed.tracks[2]).toMatchObject({ artist: "Dax Ferro ft. Mina Sol", artists: ["Dax Ferro", "Mina Sol"], featured: ["Mina Sol"], label: "IRONSIDE" });
		expect(parsed.tracks[4]).toMatchObject({ title: "Night Swim", edit: "ID Remix", label: "SALT & IRON" });
		expect(parsed.tracks[5]).toMatchObject({ artist: "ID", title: "ID", isId: true, artists: [] });
		expect(labelText('<span class="blueTxt"><span class="trackLabel">A &amp; B<a title="open label page"></a></span></span>')).toBe("A & B");
		expect(labelText("[TIDEWATER]")).toBe("TIDEWATER");
	});
});

/*
 * layout-2025.html is hand-written in the shape the real 2025 pages of real/manifest.json showed and
 * the older fixtures lacked; every expectation here was worked out from that HTML.
 */
describe("the 2025 layout", () => {
	const parsed = parseTracklistPage(readFixture("layout-2025"), PAGE);

	it("reads \"IDed all / N\" as every track identified", () => {
		expect(parsed.ided).toEqual({ identified: 6, total: 6 });
		expect(parsed).toMatchObject({ claimedTracks: 9, date: "2025-09-13", genres: ["Melodic House/Techno", "Trance"], postedBy: "quay_lister" });
		expect(parsed.djs.map(d => d.name)).toEqual(["Juno Veyra", "Pell Harrow"]);
		expect([parsed.event?.name, parsed.venue?.name]).toEqual(["Cinder Bay Festival", "Old Quay Hall"]);
	});

	it("gives a w/ row filed under its parent's script entry its own cue when it shows one, else the entry's", () => {
		// The entry at 250 s names tlp1, tlp2 and tlp3; tlp2's play button and cue say 300 s, tlp3 shows none.
		expect(parsed.tracks.map(t => [t.number, t.playedWith, t.cueMs])).toEqual([
			[1, false, 0],
			[2, false, 250000],
			[2, true, 300000],
			[2, true, 250000],
			[3, false, 540000],
			[4, false, 870000]
		]);
	});

	it("keeps a three-part mashup as one track with its parts", () => {
		expect(parsed.tracks[4].mashupParts?.map(p => [p.artist, p.title, p.remix])).toEqual([
			["Lio Vance", "Drift", undefined],
			["Sela Brandt", "Lowlight", "Acappella"],
			["Kay Morrow", "Copper", undefined]
		]);
	});

	it("counts one recording when \"Player 2\" is another upload of the same set and the cues never go back", () => {
		expect(parsed.recordings).toBeUndefined();
		expect(new Set(parsed.tracks.map(t => t.recording ?? 1))).toEqual(new Set([1]));
		const sheet = generateCue(parsed, { audioFileName: "set.mp3", format: "standard", includePregap: false });
		const [read] = readCueSheets([sheet.text]);
		expect(read.errors).toEqual([]);
		expect(read.sheet.files).toHaveLength(1);
	});
});

describe("block pages", () => {
	it.each([
		["forward-challenge", "the site's JS forwarder ('Please wait, you will be forwared…')"],
		["image-captcha", "the 2026 image captcha ('We need to validate your are real human!')"],
		["challenge", "Cloudflare Turnstile"]
	])("%s (%s) is BLOCKED, retried later, not NOT_A_TRACKLIST", name => {
		let err: unknown;
		try {
			parseTracklistPage(readFixture(name), PAGE);
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(BlockedError);
		expect(err).toMatchObject({ code: 503, type: "BLOCKED", data: { reason: "challenge", kind: "retryable", retryAfterMs: BLOCK_RETRY_AFTER_MS } });
	});
});

describe("CUE sheets read by an independent parser (@gplane/cue)", () => {
	const layout = parseTracklistPage(readFixture("layout-2026"), PAGE);
	const full = parseTracklistPage(readFixture("full"), PAGE);
	const noMicro = parseTracklistPage(readFixture("no-microdata"), PAGE);

	it("a page with two recordings gives one FILE per recording, each starting at 00:00:00", () => {
		const sheet = generateCue(layout, { audioFileName: "harbor.mp3", format: "standard", includePregap: false });
		expect(sheet.files).toEqual(["harbor-1.mp3", "harbor-2.mp3"]);
		const [read] = readCueSheets([sheet.text]);
		expect(read.errors).toEqual([]);
		expect(read.sheet.performer).toBe("Mara Quell & Tobin Reyes");
		expect(read.sheet.files.map(f => f.name)).toEqual(["harbor-1.mp3", "harbor-2.mp3"]);
		expect(read.sheet.files.map(f => f.tracks.map(t => [t.trackNumber, t.title, indexMs(t.indexes[0].startingTime)]))).toEqual([
			[
				[1, "Paper Lanterns (Intro Edit)", 0],
				[2, "Low Tide vs. Echo Chamber (Mara Quell Mashup)", 300000],
				[3, "Iron Tide", 720000]
			],
			[
				[4, "Night Swim (ID Remix)", 0],
				[5, "ID", 610000]
			]
		]);
		expect(read.sheet.comments).toEqual(["GENRE Techno", "DATE 2026", "MASHUP Sela Brandt - Low Tide", "MASHUP Orin Vale - Echo Chamber (Acappella)", "WITH Quentin Aube - ID"]);
	});

	it("every format of every fixture parses without errors, times rising within each FILE", () => {
		const contents: TracklistContent[] = [layout, full, noMicro];
		const sheets = contents.flatMap(c => (["standard", "cdj", "traktor"] as const).map(format => generateCue(c, { audioFileName: "set.mp3", format, includePregap: true })));
		const read = readCueSheets(sheets.map(s => s.text));
		read.forEach((r, i) => {
			expect(r.errors).toEqual([]);
			expect(r.sheet.files.flatMap(f => f.tracks)).toHaveLength(sheets[i].trackCount);
			for (const f of r.sheet.files) {
				const starts = f.tracks.map(t => indexMs(t.indexes[t.indexes.length - 1].startingTime));
				expect([...starts].sort((a, b) => a - b)).toEqual(starts);
				expect(new Set(starts).size).toBe(starts.length);
			}
		});
	});

	it("estimates missing cue times between the known ones instead of refusing the set, and says which", () => {
		const set: TracklistContent = {
			title: "Gaps",
			djs: [{ name: "Mara Quell" }],
			genres: [],
			tracks: [0, null, null, 900_000, null].map((cue, i) => ({
				position: i + 1,
				number: i + 1,
				cueMs: cue,
				artists: ["A"],
				artist: "A",
				title: `T${i + 1}`,
				isId: false,
				playedWith: false,
				...(i === 3 ? { durationMs: 330_000 } : {})
			}))
		};
		const sheet = generateCue(set, { audioFileName: "gaps.wav", format: "standard", includePregap: false });
		expect(sheet.estimated).toEqual([2, 3, 5]);
		const [read] = readCueSheets([sheet.text]);
		expect(read.errors).toEqual([]);
		// Evenly between 0 and 15:00, then the last known track's duration (5:30) after it.
		expect(read.sheet.files[0].tracks.map(t => indexMs(t.indexes[0].startingTime))).toEqual([0, 300000, 600000, 900000, 1230000]);
		expect(() => generateCue(set, { audioFileName: "gaps.wav", format: "standard", includePregap: false, missingTimes: "refuse" })).toThrow(expect.objectContaining({ type: "CUE_MISSING_TIMES", data: { tracks: [2, 3, 5] } }));
	});
});

describe("the fast tokenizer", () => {
	const outcome = (html: string, tokenizer: "fast" | "htmlparser2") => {
		try {
			return parseTracklistPage(html, PAGE, { tokenizer });
		} catch (err) {
			return { error: (err as { type?: string }).type };
		}
	};

	it("reads every fixture and generated page exactly as htmlparser2 does", () => {
		const dir = path.resolve(__dirname, "../../fixtures/tracklists");
		const pages = fs
			.readdirSync(dir)
			.filter(f => f.endsWith(".html"))
			.map(f => fs.readFileSync(path.join(dir, f), "utf8"));
		for (const set of generateSets({ seed: 16, sets: 10, tracks: 30 })) pages.push(renderSetPage(set));
		expect(pages.length).toBeGreaterThan(15);
		for (const html of pages) expect(outcome(html, "fast")).toEqual(outcome(html, "htmlparser2"));
	});
});

describe("drafts of a page with two recordings", () => {
	it("keep each track's recording, edit note and featured artists, so the sheet still has a FILE per recording", () => {
		const base = parseTracklistPage(readFixture("layout-2026"), PAGE);
		const draft = applyDraftEdit(base, {
			id: "x",
			tracks: [
				{ artist: "A", title: "One", cue_ms: 0, recording: 1, edit: "Intro Edit" },
				{ artist: "B ft. C", title: "Two", cue_ms: 200_000, recording: 1, featured: ["C"] },
				{ artist: "D", title: "Three", played_with: true },
				{ artist: "E", title: "Four", cue_ms: 0, recording: 2 }
			]
		});
		expect(draft.recordings).toBe(2);
		expect(draft.tracks.map(t => [t.recording, t.edit ?? null, t.featured ?? null])).toEqual([
			[1, "Intro Edit", null],
			[1, null, ["C"]],
			[1, null, null],
			[2, null, null]
		]);
		const [read] = readCueSheets([generateCue(draft, { audioFileName: "d.mp3", format: "standard", includePregap: false }).text]);
		expect(read.errors).toEqual([]);
		expect(read.sheet.files.map(f => [f.name, f.tracks.length])).toEqual([
			["d-1.mp3", 2],
			["d-2.mp3", 1]
		]);
	});
});
