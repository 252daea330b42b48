import type { TrackDoc } from "../../../services/catalog/model";
import { decodeCursor, encodeCursor, queryHash } from "../../../services/recommendations/cursor";
import { moodTarget, parsePreferences, targetBpm } from "../../../services/recommendations/preferences";
import { tempoDistance } from "../../../services/recommendations/scoring";
import { parseSignals } from "../../../services/recommendations/signals";
import { camelot, keyDistance } from "../../../services/recommendations/similarity";

const doc = (tempo?: number, tempoAlt?: number) => ({ tempo, tempoAlt }) as Pick<TrackDoc, "tempo" | "tempoAlt">;

describe("recommendation helpers", () => {
	it("places keys on the Camelot wheel: C major 8B, A minor 8A, and counts harmonic steps", () => {
		expect(camelot(0, 1)).toEqual({ n: 8, minor: false });
		expect(camelot(9, 0)).toEqual({ n: 8, minor: true });
		expect(camelot(7, 1)).toEqual({ n: 9, minor: false });
		expect(camelot(11, 1)).toEqual({ n: 1, minor: false });
		expect(keyDistance({ key: 0, mode: 1 }, { key: 9, mode: 0 })).toBe(1);
		expect(keyDistance({ key: 0, mode: 1 }, { key: 7, mode: 1 })).toBe(1);
		expect(keyDistance({ key: 0, mode: 1 }, { key: 6, mode: 1 })).toBe(6);
		expect(keyDistance({ key: 4, mode: 0 }, { key: 4, mode: 0 })).toBe(0);
	});

	it("measures tempo distance at the same, half or double time, using the alternative reading too", () => {
		expect(tempoDistance(doc(172), 170)).toBe(2);
		expect(tempoDistance(doc(86), 170)).toBe(2);
		expect(tempoDistance(doc(120, 171), 170)).toBe(1);
		expect(tempoDistance(doc(), 170)).toBe(Infinity);
	});

	it("binds a cursor to its query and refuses tampered ones", () => {
		const hash = queryHash({ bpm: 170, tolerance: 3 });
		expect(queryHash({ tolerance: 3, bpm: 170 })).toBe(hash);
		expect(queryHash({ bpm: 170, tolerance: 4 })).not.toBe(hash);
		const text = encodeCursor({ o: 40, t: 169.5, i: "abc", q: hash });
		expect(decodeCursor(text, hash)).toEqual({ o: 40, t: 169.5, i: "abc", q: hash });
		expect(() => decodeCursor(text, queryHash({ bpm: 171, tolerance: 3 }))).toThrow(/different query/);
		expect(() => decodeCursor(Buffer.from('{"o":-1,"t":1,"i":"a","q":"x"}').toString("base64url"), "x")).toThrow(/not a cursor/);
		expect(() => decodeCursor("%%%", hash)).toThrow(/not a cursor/);
	});

	it("reads preferences and signals defensively and picks the target tempo", () => {
		expect(parsePreferences({ preferences: { genres: ["house", 3], cadence: "fast" } })).toEqual({ genres: ["house"], artists: [], moods: [], cadence: undefined });
		expect(parsePreferences(null)).toEqual({ genres: [], artists: [], moods: [], cadence: undefined });
		expect(parseSignals({ liked: ["a"], skipped: { b: 2, c: "x" }, likedArtists: "nope" })).toEqual({ liked: ["a"], disliked: [], skipped: { b: 2 }, likedArtists: [] });
		const none = { genres: [], artists: [], moods: [] };
		expect(targetBpm({ ...none, cadence: 176 }, [120], 170)).toEqual({ bpm: 176, from: "cadence" });
		expect(targetBpm(none, [150, 160, 120], 170)).toEqual({ bpm: 150, from: "liked" });
		expect(targetBpm(none, [], 165)).toEqual({ bpm: 165, from: "default" });
		expect(moodTarget(["Energetic", "happy", "unknown"])).toEqual({ energy: 0.75, valence: 0.85 });
	});
});
