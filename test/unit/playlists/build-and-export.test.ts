import type { TrackDoc } from "../../../services/catalog/model";
import { fillDuration } from "../../../services/playlists/build";
import { fileStem, toM3u } from "../../../services/playlists/export";
import type { PlaylistDoc } from "../../../services/playlists/model";

const track = (id: string, tempo: number, durationMs: number | undefined, artist = id) =>
	({ _id: id, name: `T ${id}`, tempo, durationMs, artists: [{ name: artist }] }) as unknown as TrackDoc;

describe("playlist building and export", () => {
	it("fills a duration nearest tempo first, within the slack, one artist at most three times while others remain", () => {
		const pool = [
			...Array.from({ length: 6 }, (_, i) => track(`same${i}`, 170, 200_000, "Same")),
			...Array.from({ length: 6 }, (_, i) => track(`other${i}`, 171 + i * 0.1, 200_000))
		];
		const chosen = fillDuration(pool, 170, 3, 20 * 60_000);
		const total = chosen.reduce((s, d) => s + (d.durationMs ?? 0), 0);
		expect(Math.abs(total - 1_200_000)).toBeLessThanOrEqual(60_000);
		expect(chosen.filter(d => d.artists[0].name === "Same")).toHaveLength(3);
		expect(chosen.slice(0, 3).map(d => d._id)).toEqual(["same0", "same1", "same2"]);
	});

	it("lets an artist in again when nothing else fills the time, and never overshoots past the slack", () => {
		const pool = Array.from({ length: 10 }, (_, i) => track(`s${i}`, 170, 240_000, "Only"));
		expect(fillDuration(pool, 170, 3, 20 * 60_000)).toHaveLength(5);
		expect(fillDuration([track("long", 170, 900_000)], 170, 3, 5 * 60_000)).toEqual([]);
	});

	it("writes extended M3U and keeps each entry on one line", () => {
		const doc = {
			name: "Run\n170",
			tracks: [
				{ id: "a", name: "Title, with comma", artists: ["X", "Y"], durationMs: 201_400, spotifyId: "sp1" },
				{ id: "b", name: "Line\nbreak", artists: ["Z"], deezerId: "42" },
				{ id: "c", name: "Preview", artists: ["W"], durationMs: 1000, previewUrl: "https://cdn.example/p.mp3" },
				{ id: "d", name: "Nowhere", artists: ["V"] }
			]
		} as unknown as PlaylistDoc;
		expect(toM3u(doc).split("\n")).toEqual([
			"#EXTM3U",
			"#PLAYLIST:Run 170",
			"#EXTINF:201,X, Y - Title, with comma",
			"https://open.spotify.com/track/sp1",
			"#EXTINF:-1,Z - Line break",
			"https://www.deezer.com/track/42",
			"#EXTINF:1,W - Preview",
			"https://cdn.example/p.mp3",
			"#EXTINF:-1,V - Nowhere",
			"cratedigger:track:d",
			""
		]);
		expect(fileStem("Run 170 BPM · 30 min")).toBe("run-170-bpm-30-min");
		expect(fileStem("Café del Mar")).toBe("cafe-del-mar");
		expect(fileStem("★★★")).toBe("playlist");
	});
});
