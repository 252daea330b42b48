import { isScraperError } from "../../../services/scraper/errors";
import { parseListingPage } from "../../../services/scraper/listing";
import { parseTracklistPage } from "../../../services/scraper/parser";
import { mulberry32, type Rng } from "../../simulators/prng";
import { generateSet, readFixture, renderListing, renderSetPage } from "../../simulators/tracklists";

const JUNK = [
	"<",
	">",
	'"',
	"'",
	"</div>",
	"<div class=\"tlpItem\">",
	"<div class=\"tlpItem con\" id=\"tlp1_content\"><span id=\"x_tracknumber_value\">w/</span></div>",
	"cueValuesEntry.seconds = 99999999999999999999999; cueValuesEntry.ids[0] = 'tlp1_content';",
	"cueValuesEntry.ids[0] = '",
	"<meta itemprop=\"numTracks\" content=\"-5\">",
	"<meta itemprop=\"duration\" content=\"PT99999999999999999999H\">",
	"<input id=\"tlp1_cue_seconds\" value=\"1e308\">",
	"<div class=\"cue\">999:99:99</div>",
	"<span class=\"trackValue\"> - </span>",
	"<span itemprop=\"byArtist\">",
	"&#xFFFFFF;&amp;&#0;",
	"\u0000\u0007\ud800",
	"<script>",
	"<!--",
	"<![CDATA[",
	"<a href=\"/dj/%E0%A4%A/index.html\">x</a>",
	"<a href=\"http://[::1\">y</a>"
];

function mutate(html: string, rng: Rng): string {
	const at = () => Math.floor(rng() * (html.length + 1));
	switch (Math.floor(rng() * 7)) {
		case 0:
			return html.slice(0, at());
		case 1: {
			const a = at();
			return html.slice(0, a) + html.slice(a + Math.floor(rng() * 2000));
		}
		case 2: {
			const a = at();
			return html.slice(0, a) + JUNK[Math.floor(rng() * JUNK.length)] + html.slice(a);
		}
		case 3: {
			const a = at();
			const b = Math.min(html.length, a + Math.floor(rng() * 3000));
			return html.slice(0, b) + html.slice(a, b) + html.slice(b);
		}
		case 4:
			return html.replace(/"[^"]{0,40}"/g, m => (rng() < 0.2 ? `"${JUNK[Math.floor(rng() * JUNK.length)].replace(/"/g, "")}"` : m));
		case 5:
			return html.replace(/<\/(div|span|script)>/g, m => (rng() < 0.3 ? "" : m));
		default: {
			const chars = [...html];
			for (let i = 0; i < 50; i++) chars[Math.floor(rng() * chars.length)] = String.fromCharCode(Math.floor(rng() * 0x3000));
			return chars.join("");
		}
	}
}

function check(parse: () => unknown, what: string): "ok" | "scraper-error" {
	try {
		parse();
		return "ok";
	} catch (err) {
		if (!isScraperError(err)) throw new Error(`${what}: ${(err as Error).stack ?? String(err)}`, { cause: err });
		return "scraper-error";
	}
}

describe("the parsers on mutated and truncated pages", () => {
	const sources = [readFixture("full"), readFixture("no-microdata"), readFixture("challenge"), readFixture("mismatch"), renderSetPage(generateSet(9, 2, 60)), readFixture("layout-2026"), readFixture("image-captcha")];

	it("raise nothing but the scraper's own errors on 250 mutated tracklist pages, and never return an empty or broken tracklist", () => {
		const rng = mulberry32(20240615);
		const outcomes = { ok: 0, "scraper-error": 0 };
		for (let i = 0; i < 250; i++) {
			let html = sources[i % sources.length];
			const rounds = 1 + Math.floor(rng() * 3);
			for (let r = 0; r < rounds; r++) html = mutate(html, rng);
			outcomes[
				check(() => {
					const parsed = parseTracklistPage(html, "https://www.1001tracklists.com/tracklist/x/y.html");
					expect(parsed.tracks.length).toBeGreaterThan(0);
					for (const t of parsed.tracks) {
						expect(t.cueMs === null || (Number.isSafeInteger(t.cueMs) && t.cueMs >= 0)).toBe(true);
						expect(Number.isInteger(t.number)).toBe(true);
						expect(typeof t.title).toBe("string");
					}
					return parsed;
				}, `mutation ${i}`)
			]++;
		}
		// Both kinds of result happen: the mutations reach the error paths and the parsing paths.
		expect(outcomes.ok).toBeGreaterThan(20);
		expect(outcomes["scraper-error"]).toBeGreaterThan(20);
	});

	it("raise nothing but the scraper's own errors on 100 mutated listing pages", () => {
		const rng = mulberry32(77);
		const listing = renderListing([generateSet(1, 0, 5), generateSet(1, 1, 5), generateSet(1, 2, 5)], "/dj/x/index.html?page=2");
		for (let i = 0; i < 100; i++) check(() => parseListingPage(mutate(mutate(listing, rng), rng), "https://www.1001tracklists.com/dj/x/"), `listing mutation ${i}`);
	});
});
