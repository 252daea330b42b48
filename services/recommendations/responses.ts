/** JSON Schemas of the recommendations service's answers. */
import { bool, dateTime, int, list, nullable, num, obj, oneOf, ref, str } from "../api/doc/schemas";

const track = { id: "trk_8Qx2", name: "Run Boy Run", artists: ["Woodkid"], durationMs: 219_000, tempo: 170, energy: 0.83, genre: "indie" };

export const RECOMMENDATIONS = {
	songsPage: obj({ bpm: num, tolerance: num, halfDouble: bool, personalized: bool, count: int, items: list(ref("Track")), nextCursor: nullable(str) }),
	songsExample: { bpm: 170, tolerance: 5, halfDouble: true, personalized: false, count: 1, items: [track], nextCursor: null },
	forUser: {
		...obj({
			userId: str,
			generatedAt: dateTime,
			expiresAt: dateTime,
			cached: bool,
			basis: obj({ targetBpm: nullable(num), bpmFrom: oneOf("cadence", "liked", "default", "taste"), genres: list(str), artists: list(str), moods: list(str) }),
			count: int,
			items: list({ allOf: [ref("Track"), obj({ score: num, reasons: list(oneOf("tempo", "genre", "favourite-artist", "liked-artist", "mood", "liked")) })] })
		}),
		examples: [
			{
				userId: "u_9f2c",
				generatedAt: "2026-12-06T21:00:00.000Z",
				expiresAt: "2026-12-06T22:00:00.000Z",
				cached: false,
				basis: { targetBpm: 170, bpmFrom: "cadence", genres: ["indie"], artists: [], moods: [], likedArtists: 0 },
				count: 1,
				items: [{ ...track, score: 0.92, reasons: ["tempo", "genre"] }]
			}
		]
	},
	similar: {
		...obj({ seed: obj({ trackIds: list(str) }, ["trackIds"]), count: int, items: list({ allOf: [ref("Track"), obj({ distance: num })] }) }),
		examples: [{ seed: { tempo: 170, energy: 0.8, trackIds: ["trk_4Zb1"] }, count: 1, items: [{ ...track, distance: 0.12 }] }]
	}
};
