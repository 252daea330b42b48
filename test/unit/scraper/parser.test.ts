import { BlockedError, NotATracklistError, ParseMismatchError } from "../../../services/scraper/errors";
import { parseListingPage } from "../../../services/scraper/listing";
import { parseTracklistPage, scriptCues } from "../../../services/scraper/parser";
import { cueTextMs, isoDurationMs, splitArtists, splitTrackText } from "../../../services/scraper/text";
import { expectedLines, generateSet, readFixture, renderListing, renderSetPage, generateSets } from "../../simulators/tracklists";

const PAGE = "https://www.1001tracklists.com/tracklist/2k7q9x1/mara-quell-tobin-reyes.html";
const SITE = "https://www.1001tracklists.com";

describe("the tracklist page parser on the full fixture", () => {
	const parsed = parseTracklistPage(readFixture("full"), PAGE);

	it("reads the header: title, DJs and sources from #pageTitle, date, genres, claimed count and author from the metadata", () => {
		expect(parsed.title).toBe("Mara Quell & Tobin Reyes @ Lantern Hall Festival, Harbor Stage, Portmere 2024-06-15");
		expect(parsed.djs).toEqual([
			{ name: "Mara Quell", slug: "mara-quell", url: `${SITE}/dj/mara-quell/index.html` },
			{ name: "Tobin Reyes", slug: "tobin-reyes", url: `${SITE}/dj/tobin-reyes/index.html` }
		]);
		expect(parsed.event).toEqual({ name: "Lantern Hall Festival", slug: "lantern-hall-festival", url: `${SITE}/source/lantern-hall-festival/index.html` });
		expect(parsed.venue).toEqual({ name: "Harbor Stage", slug: "harbor-stage-portmere", url: `${SITE}/source/harbor-stage-portmere/index.html` });
		expect(parsed.date).toBe("2024-06-15");
		expect(parsed.genres).toEqual(["Progressive House", "Melodic Techno"]);
		expect(parsed.claimedTracks).toBe(8);
		expect(parsed.author).toBe("crate_user");
		expect(parsed.tracks).toHaveLength(9);
	});

	it("reads every field of a fully described row, with byArtist and publisher as nested items", () => {
		expect(parsed.tracks[0]).toEqual({
			position: 1,
			number: 1,
			cueMs: 0,
			artists: ["Kay Morrow", "Lio Vance"],
			artist: "Kay Morrow & Lio Vance",
			title: "Paper Lanterns",
			remix: "Deepwell Remix",
			label: "Northline Audio",
			genre: "Progressive House",
			durationMs: 372000,
			isId: false,
			playedWith: false,
			url: `${SITE}/track/a1b2c3/kay-morrow-lio-vance-paper-lanterns/index.html`
		});
	});

	it("reads byArtist and publisher given as meta content", () => {
		expect(parsed.tracks[1]).toMatchObject({ number: 2, cueMs: 227000, artists: ["Sela Brandt"], title: "Low Tide", label: "Tidewater", genre: "Deep House", durationMs: 302000 });
		expect(parsed.tracks[1].remix).toBeUndefined();
	});

	it("marks a w/ row as played together, with its partner's number and the cue its shared script entry gives", () => {
		expect(parsed.tracks[2]).toMatchObject({ position: 3, number: 2, playedWith: true, cueMs: 227000, artist: "Orin Vale", title: "Echo Chamber", remix: "Acapella" });
	});

	it("reads an ID - ID row without microdata as an unknown track", () => {
		expect(parsed.tracks[3]).toEqual({ position: 4, number: 3, cueMs: 570000, artists: [], artist: "ID", title: "ID", isId: true, playedWith: false });
		expect(parsed.tracks[5]).toMatchObject({ number: 5, artists: ["Quentin Aube"], title: "ID", isId: true });
	});

	it("takes cue times from the page script over the hidden inputs and the shown text", () => {
		// Row 5's hidden input says 800 and its text 14:05; the script, which is authoritative, says 845.
		expect(parsed.tracks[4].cueMs).toBe(845000);
		// Row 4's hidden input is 0 (unknown) while the script knows 570.
		expect(parsed.tracks[3].cueMs).toBe(570000);
		expect(scriptCues([readFixture("full")]).get("tlp3_content")).toBe(227000);
	});

	it("reads h:mm:ss cues past the first hour, artists split from the name when byArtist is absent, and the visible label", () => {
		expect(parsed.tracks[6]).toMatchObject({ number: 6, cueMs: 3725000, artists: ["Hana Lirio", "The Wren Collective"], remix: "Kay Morrow Extended Remix", label: "Northline Audio" });
		expect(parsed.tracks[4]).toMatchObject({ artists: ["Dax Ferro", "Mina Sol"], artist: "Dax Ferro ft. Mina Sol", label: "IRONSIDE", durationMs: 450000 });
	});

	it("keeps quotes in names and leaves an unknown cue null", () => {
		expect(parsed.tracks[7]).toMatchObject({ artist: 'Vesna "V" Kord', title: '"Signal" Lost', cueMs: 4200000 });
		expect(parsed.tracks[8]).toMatchObject({ number: 8, cueMs: null, remix: "Outro Edit" });
	});
});

describe("a page without microdata or cue script", () => {
	const parsed = parseTracklistPage(readFixture("no-microdata"), PAGE);

	it("falls back on the h1 for the title and on the visible row text for every track", () => {
		expect(parsed.title).toBe("Pell Harrow @ Basement Sessions 031");
		expect(parsed.djs.map(d => d.slug)).toEqual(["pell-harrow"]);
		expect(parsed.event?.name).toBe("Basement Sessions");
		expect(parsed.venue).toBeUndefined();
		expect(parsed.claimedTracks).toBeUndefined();
		expect(parsed.genres).toEqual([]);
		expect(parsed.tracks.map(t => [t.number, t.artist, t.title, t.remix ?? null, t.label ?? null])).toEqual([
			[1, "Ilse Marr", "Copper Wire", null, "DRIFT LINE"],
			[2, "Rook & Sable vs. Tam Okoro", "Wirework", "Sable Dub", null],
			[2, "ID", "ID", null, null],
			[3, "Juno Best, Ade Kallis", "Harbour Lights", "Juno Best Rework", "SALT & IRON"],
			[4, "Pell Harrow", "Last Train", null, null]
		]);
		expect(parsed.tracks[1].artists).toEqual(["Rook", "Sable", "Tam Okoro"]);
		expect(parsed.tracks[3].artists).toEqual(["Juno Best", "Ade Kallis"]);
	});

	it("takes cues from non-zero hidden inputs, else from the shown mm:ss or h:mm:ss; a w/ row shares its partner's", () => {
		expect(parsed.tracks.map(t => t.cueMs)).toEqual([0, 310000, 310000, 1342000, 3630000]);
		expect(parsed.tracks[2]).toMatchObject({ playedWith: true, isId: true });
	});
});

describe("pages that are not tracklists", () => {
	it("recognises a Turnstile challenge and an IP block, and never returns them as empty tracklists", () => {
		expect(() => parseTracklistPage(readFixture("challenge"), PAGE)).toThrow(BlockedError);
		expect(() => parseTracklistPage(readFixture("challenge"), PAGE)).toThrow(/challenge/);
		expect(() => parseTracklistPage(readFixture("ip-block"), PAGE)).toThrow(/ip-block/);
	});

	it("raises parse_mismatch when the page claims tracks but none parse", () => {
		let err: unknown;
		try {
			parseTracklistPage(readFixture("mismatch"), PAGE);
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(ParseMismatchError);
		expect((err as ParseMismatchError).type).toBe("PARSE_MISMATCH");
		expect((err as ParseMismatchError).data).toMatchObject({ claimed: 12, parsed: 0, kind: "fatal" });
	});

	it("refuses a page with no tracklist at all", () => {
		expect(() => parseTracklistPage(readFixture("not-tracklist"), PAGE)).toThrow(NotATracklistError);
		expect(() => parseTracklistPage("", PAGE)).toThrow(NotATracklistError);
	});
});

describe("generated pages", () => {
	it("parse back to the sets they were written from, row for row", () => {
		for (const set of generateSets({ seed: 5, sets: 6, tracks: 40 })) {
			const parsed = parseTracklistPage(renderSetPage(set), `${SITE}/tracklist/${set.id}/x.html`);
			expect(parsed.tracks.map(t => `${t.artist} - ${t.title}`)).toEqual(expectedLines(set));
			expect(parsed.tracks.map(t => t.playedWith)).toEqual(set.tracks.map(t => t.with));
			expect(parsed.tracks.map(t => t.cueMs)).toEqual(set.tracks.map(t => (t.cueSec === undefined ? null : t.cueSec * 1000)));
			expect(parsed.tracks.map(t => t.remix ?? null)).toEqual(set.tracks.map(t => t.remix ?? null));
			expect(parsed.claimedTracks).toBe(set.tracks.filter(t => !t.with).length);
		}
	});
});

describe("listing pages", () => {
	it("read each entry's title, URL, date, track count and DJs, and the next page", () => {
		const sets = [generateSet(3, 0, 10), generateSet(3, 1, 12)];
		const page = parseListingPage(renderListing(sets, "/dj/mara-quell/index.html?page=2"), `${SITE}/dj/mara-quell/index.html`);
		expect(page.items).toEqual([
			{ title: sets[0].title, url: `${SITE}/tracklist/${sets[0].id}/${sets[0].slug}.html`, date: sets[0].date, trackCount: 10, djs: [sets[0].djs[0].name] },
			{ title: sets[1].title, url: `${SITE}/tracklist/${sets[1].id}/${sets[1].slug}.html`, date: sets[1].date, trackCount: 12, djs: [sets[1].djs[0].name] }
		]);
		expect(page.next).toBe(`${SITE}/dj/mara-quell/index.html?page=2`);
		expect(parseListingPage(renderListing([]), SITE)).toEqual({ items: [] });
		expect(() => parseListingPage(readFixture("challenge"), SITE)).toThrow(BlockedError);
	});
});

describe("row text helpers", () => {
	it("split artist, title and remix", () => {
		expect(splitTrackText("A & B - Song (C Remix)")).toEqual({ artist: "A & B", title: "Song", remix: "C Remix" });
		expect(splitTrackText("A - Song (Live at Home)")).toEqual({ artist: "A", title: "Song (Live at Home)" });
		expect(splitTrackText("ID - ID")).toEqual({ artist: "ID", title: "ID" });
		expect(splitTrackText("Just A Title")).toEqual({ artist: "ID", title: "Just A Title" });
		expect(splitArtists("A feat. B, C x D vs. E")).toEqual(["A", "B", "C", "D", "E"]);
	});

	it("read cue texts and ISO durations, refusing malformed ones", () => {
		expect(cueTextMs("03:47")).toBe(227000);
		expect(cueTextMs("1:02:05")).toBe(3725000);
		expect(cueTextMs("75:10")).toBe(4510000);
		expect([cueTextMs("3:61"), cueTextMs("1:60:00"), cueTextMs(""), cueTextMs("abc")]).toEqual([undefined, undefined, undefined, undefined]);
		expect(isoDurationMs("PT4M49S")).toBe(289000);
		expect(isoDurationMs("PT1H2M")).toBe(3720000);
		expect([isoDurationMs("PT"), isoDurationMs("4:49"), isoDurationMs(undefined)]).toEqual([undefined, undefined, undefined]);
	});
});
