import { createHash } from "node:crypto";
import { audioDuration, AudioHeaderError } from "../../../services/scraper/audio-header";
import { cueString, cueTime, fileType, generateCue } from "../../../services/scraper/cue";
import { validateSheet, validateTracks } from "../../../services/scraper/cue-validate";
import { CueError } from "../../../services/scraper/errors";
import type { TrackEntry, TracklistContent } from "../../../services/scraper/model";
import { parseTracklistPage } from "../../../services/scraper/parser";
import { readFixture } from "../../simulators/tracklists";

function track(position: number, number: number, cueMs: number | null, artist: string, title: string, extra: Partial<TrackEntry> = {}): TrackEntry {
	return { position, number, cueMs, artists: [artist], artist, title, isId: title === "ID", playedWith: false, ...extra };
}

const SET: TracklistContent = {
	title: 'Night "Drive" Session',
	djs: [{ name: "Mara Quell" }, { name: "Tobin Reyes" }],
	date: "2024-06-15",
	genres: ["Progressive House", "Techno"],
	tracks: [
		track(1, 1, 0, "Kay Morrow & Lio Vance", "Paper Lanterns", { remix: "Deepwell Remix", label: "Northline Audio", genre: "Progressive House" }),
		track(2, 2, 227500, 'Vesna "V" Kord', '"Signal" Lost', { label: "Quote Records" }),
		track(3, 2, 227500, "Orin Vale", "Echo Chamber", { remix: "Acapella", playedWith: true }),
		track(4, 3, 3725000, "ID", "ID", { artists: [] })
	]
};

const lines = (...l: string[]) => l.join("\r\n") + "\r\n";

const STANDARD = lines(
	'REM GENRE "Progressive House"',
	"REM DATE 2024",
	'PERFORMER "Mara Quell & Tobin Reyes"',
	"TITLE \"Night 'Drive' Session\"",
	'FILE "set.mp3" MP3',
	"  TRACK 01 AUDIO",
	'    TITLE "Paper Lanterns (Deepwell Remix)"',
	'    PERFORMER "Kay Morrow & Lio Vance"',
	"    INDEX 01 00:00:00",
	"  TRACK 02 AUDIO",
	"    TITLE \"'Signal' Lost\"",
	"    PERFORMER \"Vesna 'V' Kord\"",
	'    REM WITH "Orin Vale - Echo Chamber (Acapella)"',
	"    INDEX 01 03:47:37",
	"  TRACK 03 AUDIO",
	'    TITLE "ID"',
	'    PERFORMER "ID"',
	"    INDEX 01 62:05:00"
);

describe("CUE sheets", () => {
	it("count INDEX times in frames of 1/75 s: 227.5 s is 03:47:37", () => {
		expect(cueTime(227500)).toBe("03:47:37");
		expect(cueTime(0)).toBe("00:00:00");
		expect(cueTime(999)).toBe("00:00:74");
		expect(cueTime(1000)).toBe("00:01:00");
		expect(cueTime(59_999)).toBe("00:59:74");
		expect(cueTime(3_725_000)).toBe("62:05:00");
		expect(cueTime(6_000_000)).toBe("100:00:00");
	});

	it("write the standard sheet exactly as expected, quotes cleaned, w/ rows as REM WITH, with its checksum and size", () => {
		const sheet = generateCue(SET, { audioFileName: "set.mp3", format: "standard", includePregap: false });
		expect(sheet.text).toBe(STANDARD);
		expect(sheet.trackCount).toBe(3);
		expect(sheet.size).toBe(Buffer.byteLength(STANDARD));
		expect(sheet.checksum).toBe(createHash("sha256").update(STANDARD).digest("hex"));
	});

	it("write the cdj sheet in plain ASCII without REM lines, the w/ track in the title", () => {
		const content: TracklistContent = { ...SET, title: "Café del Mar Sessión", tracks: SET.tracks.slice(0, 3) };
		const sheet = generateCue(content, { audioFileName: "C:\\mixes\\Sessión.wav", format: "cdj", includePregap: false });
		expect(sheet.text).toBe(
			lines(
				'PERFORMER "Mara Quell & Tobin Reyes"',
				'TITLE "Cafe del Mar Session"',
				'FILE "Session.wav" WAVE',
				"  TRACK 01 AUDIO",
				'    TITLE "Paper Lanterns (Deepwell Remix)"',
				'    PERFORMER "Kay Morrow & Lio Vance"',
				"    INDEX 01 00:00:00",
				"  TRACK 02 AUDIO",
				"    TITLE \"'Signal' Lost w/ Orin Vale - Echo Chamber (Acapella)\"",
				"    PERFORMER \"Vesna 'V' Kord\"",
				"    INDEX 01 03:47:37"
			)
		);
	});

	it("write the traktor sheet with each track's label, genre and BPM", () => {
		const sheet = generateCue({ ...SET, tracks: SET.tracks.slice(0, 2) }, { audioFileName: "set.aiff", format: "traktor", includePregap: false, tempoByPosition: new Map([[1, 122], [2, 124.5]]) });
		expect(sheet.text).toBe(
			lines(
				'REM GENRE "Progressive House"',
				"REM DATE 2024",
				'PERFORMER "Mara Quell & Tobin Reyes"',
				"TITLE \"Night 'Drive' Session\"",
				'FILE "set.aiff" AIFF',
				"  TRACK 01 AUDIO",
				'    TITLE "Paper Lanterns (Deepwell Remix)"',
				'    PERFORMER "Kay Morrow & Lio Vance"',
				'    REM LABEL "Northline Audio"',
				'    REM GENRE "Progressive House"',
				"    REM BPM 122.00",
				"    INDEX 01 00:00:00",
				"  TRACK 02 AUDIO",
				"    TITLE \"'Signal' Lost\"",
				"    PERFORMER \"Vesna 'V' Kord\"",
				'    REM LABEL "Quote Records"',
				"    REM BPM 124.50",
				"    INDEX 01 03:47:37"
			)
		);
	});

	it("start the first track at 00:00:00, or keep a lead-in as its pregap (INDEX 00) when asked", () => {
		const late: TracklistContent = { ...SET, tracks: [track(1, 1, 30_000, "A", "One"), track(2, 2, 90_000, "B", "Two")] };
		const plain = generateCue(late, { audioFileName: "x.flac", format: "standard", includePregap: false }).text;
		expect(plain).toContain("FILE \"x.flac\" WAVE\r\n  TRACK 01 AUDIO\r\n    TITLE \"One\"\r\n    PERFORMER \"A\"\r\n    INDEX 01 00:00:00\r\n");
		const pregap = generateCue(late, { audioFileName: "x.flac", format: "standard", includePregap: true }).text;
		expect(pregap).toContain("    INDEX 00 00:00:00\r\n    INDEX 01 00:30:00\r\n  TRACK 02 AUDIO");
		expect(validateSheet(pregap, 600_000).problems).toEqual([]);
	});

	it("clean strings: no double quotes, no control characters, at most 80 characters", () => {
		expect(cueString('say "hi"\tnow\n')).toBe("say 'hi' now");
		expect(cueString("x".repeat(100))).toHaveLength(80);
		expect(cueString("Ünïcödé", "cdj")).toBe("Unicode");
		expect([fileType("a.MP3"), fileType("a.wav"), fileType("a.aif"), fileType("a")]).toEqual(["MP3", "WAVE", "AIFF", "WAVE"]);
	});

	it("refuse more than 99 tracks with a clear error; w/ rows do not count", () => {
		const many = (n: number, withRows = 0): TracklistContent => {
			const tracks: TrackEntry[] = [];
			for (let i = 0; i < n; i++) {
				tracks.push(track(tracks.length + 1, i + 1, i * 60_000, `Artist ${i}`, `Title ${i}`));
				if (i < withRows) tracks.push(track(tracks.length + 1, i + 1, i * 60_000, `Guest ${i}`, `Layer ${i}`, { playedWith: true }));
			}
			return { ...SET, tracks };
		};
		expect(generateCue(many(99, 5), { audioFileName: "a.mp3", format: "standard", includePregap: false }).trackCount).toBe(99);
		let err: unknown;
		try {
			generateCue(many(100), { audioFileName: "a.mp3", format: "standard", includePregap: false });
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(CueError);
		expect(err).toMatchObject({ code: 422, type: "CUE_TOO_MANY_TRACKS", data: { tracks: 100, max: 99 } });
		expect((err as Error).message).toMatch(/at most 99/);
	});

	it("refuse, when asked to, tracks without cue times, and always times that do not rise", () => {
		const fixture = parseTracklistPage(readFixture("full"), "https://www.1001tracklists.com/tracklist/x/y.html");
		expect(() => generateCue(fixture, { audioFileName: "a.mp3", format: "standard", includePregap: false, missingTimes: "refuse" })).toThrow(
			expect.objectContaining({ type: "CUE_MISSING_TIMES", data: { tracks: [8] } })
		);
		const ok = generateCue({ ...fixture, tracks: fixture.tracks.slice(0, 8) }, { audioFileName: "a.mp3", format: "standard", includePregap: false });
		expect(ok.trackCount).toBe(7);
		expect(ok.text).toContain("    INDEX 01 14:05:00\r\n");
		const backwards = { ...SET, tracks: [track(1, 1, 0, "A", "One"), track(2, 2, 90_000, "B", "Two"), track(3, 3, 60_000, "C", "Three")] };
		expect(() => generateCue(backwards, { audioFileName: "a.mp3", format: "standard", includePregap: false })).toThrow(expect.objectContaining({ type: "CUE_TIMES_NOT_RISING" }));
	});
});

describe("audio validation", () => {
	it("passes a sheet whose times rise and fit in the audio, and names the line of a cue past the end", () => {
		expect(validateSheet(STANDARD, 3 * 3600_000)).toEqual({ ok: true, durationMs: 3 * 3600_000, trackCount: 3, problems: [] });
		const short = validateSheet(STANDARD, 3600_000);
		expect(short.ok).toBe(false);
		expect(short.problems).toEqual([{ line: 18, track: 3, code: "beyond_end", severity: "error", message: "Track 3 starts at 62:05:00, at or after the end of the audio (60:00:00)" }]);
	});

	it("reports each problem of a broken sheet by line", () => {
		const broken = lines(
			'FILE "x.mp3" MP3',
			"  TRACK 01 AUDIO",
			"    INDEX 01 00:10:00",
			"  TRACK 02 AUDIO",
			"    INDEX 01 00:05:00",
			"  TRACK 04 AUDIO",
			"    INDEX 01 01:00:80",
			"  TRACK 05 AUDIO",
			'    TITLE "no index"'
		);
		const result = validateSheet(broken, 120_000);
		expect(result.problems.map(p => [p.line, p.track, p.code, p.severity])).toEqual([
			[3, 1, "first_not_zero", "warning"],
			[5, 2, "not_rising", "error"],
			[6, 4, "track_number", "error"],
			[7, 4, "bad_time", "error"],
			[8, 5, "missing_index", "error"]
		]);
	});

	it("checks a tracklist's own cue times track by track", () => {
		const result = validateTracks(SET.tracks.concat(track(5, 4, null, "D", "Four")), 3_000_000);
		expect(result.trackCount).toBe(4);
		expect(result.problems.map(p => [p.track, p.code])).toEqual([
			[3, "beyond_end"],
			[4, "missing_time"]
		]);
	});
});

describe("durations from audio headers", () => {
	function wavHeader(seconds: number): Buffer {
		const b = Buffer.alloc(44);
		b.write("RIFF", 0, "latin1");
		b.writeUInt32LE(36 + 176400 * seconds, 4);
		b.write("WAVEfmt ", 8, "latin1");
		b.writeUInt32LE(16, 16);
		b.writeUInt16LE(1, 20);
		b.writeUInt16LE(2, 22);
		b.writeUInt32LE(44100, 24);
		b.writeUInt32LE(176400, 28);
		b.writeUInt16LE(4, 32);
		b.writeUInt16LE(16, 34);
		b.write("data", 36, "latin1");
		b.writeUInt32LE(176400 * seconds, 40);
		return b;
	}

	/** An ID3v2 tag of `size` bytes, then an MPEG-1 Layer III 128 kbit/s 44.1 kHz stereo frame, with a Xing header when `frames` is given. */
	function mp3Head(frames?: number, id3 = 100): Buffer {
		const tag = Buffer.alloc(10 + id3);
		tag.write("ID3", 0, "latin1");
		tag[3] = 4;
		tag[9] = id3 & 0x7f;
		tag[8] = (id3 >> 7) & 0x7f;
		const frame = Buffer.alloc(417);
		frame.set([0xff, 0xfb, 0x90, 0x00], 0);
		if (frames !== undefined) {
			frame.write("Xing", 36, "latin1");
			frame.writeUInt32BE(1, 40);
			frame.writeUInt32BE(frames, 44);
		}
		return Buffer.concat([tag, frame]);
	}

	it("read WAV, MP3 (Xing, CBR), FLAC and AIFF", () => {
		expect(audioDuration(wavHeader(600))).toEqual({ durationMs: 600_000, format: "wav", method: "header" });
		expect(audioDuration(mp3Head(23000))).toEqual({ durationMs: Math.round((23000 * 1152 * 1000) / 44100), format: "mp3", method: "header" });
		expect(audioDuration(mp3Head(), 110 + 9_600_000)).toEqual({ durationMs: 600_000, format: "mp3", method: "bitrate" });

		const flac = Buffer.alloc(42);
		flac.write("fLaC", 0, "latin1");
		flac.set([0x80, 0x00, 0x00, 0x22], 4);
		flac.set([0x0a, 0xc4, 0x42, 0xf0], 18);
		flac.writeUInt32BE(44100 * 600, 22);
		expect(audioDuration(flac)).toEqual({ durationMs: 600_000, format: "flac", method: "header" });

		const aiff = Buffer.alloc(38);
		aiff.write("FORM", 0, "latin1");
		aiff.write("AIFFCOMM", 8, "latin1");
		aiff.writeUInt32BE(18, 16);
		aiff.writeUInt16BE(2, 20);
		aiff.writeUInt32BE(44100 * 600, 22);
		aiff.writeUInt16BE(16, 26);
		aiff.set([0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0], 28);
		expect(audioDuration(aiff)).toEqual({ durationMs: 600_000, format: "aiff", method: "header" });
	});

	it("refuse what they cannot read, with a client error saying what to send", () => {
		expect(() => audioDuration(mp3Head())).toThrow(/audio_file_size/);
		expect(() => audioDuration(Buffer.from("hello world"))).toThrow(AudioHeaderError);
		expect(() => audioDuration(wavHeader(10).subarray(0, 30))).toThrow(AudioHeaderError);
		for (let cut = 0; cut < 44; cut += 3) {
			try {
				audioDuration(wavHeader(10).subarray(0, cut));
			} catch (err) {
				expect(err).toBeInstanceOf(AudioHeaderError);
			}
		}
	});
});
