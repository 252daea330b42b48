/** JSON Schemas of the activity service's reports (services/activity/reports.ts). */
import { dateTime, int, list, mapOf, nullable, num, obj, ref, str } from "../api/doc/schemas";

const windowFields = { window: str, from: dateTime, to: dateTime };
const countFields = { plays: int, completes: int, likes: int, skips: int, shares: int, dislikes: int, listeningMs: int };
const rateFields = { skipRate: nullable(num), completionRate: nullable(num) };
const rankedTrack = obj({ track: ref("Track"), score: num, ...countFields }, Object.keys(countFields));
const rankedGroup = (key: string) => obj({ [key]: str, score: num, tracks: int }, ["score", "tracks"]);

export const ACTIVITY = {
	trending: obj({ ...windowFields, items: list(rankedTrack) }),
	trendingExample: {
		window: "7d",
		from: "2026-11-29T21:00:00.000Z",
		to: "2026-12-06T21:00:00.000Z",
		items: [{ track: { id: "trk_4Zb1", name: "Midnight City", artists: ["M83"], tempo: 105 }, score: 41, plays: 30, completes: 22, likes: 5, skips: 2, shares: 1, dislikes: 0, listeningMs: 6_480_000 }]
	},
	summary: {
		...obj({ ...windowFields, activeUsers: int, ...countFields, ...rateFields, playsPerActiveUser: num }, Object.keys(rateFields)),
		examples: [
			{ window: "24h", from: "2026-12-05T21:00:00.000Z", to: "2026-12-06T21:00:00.000Z", activeUsers: 3, plays: 40, completes: 30, likes: 6, skips: 5, shares: 1, dislikes: 1, listeningMs: 7_200_000, skipRate: 0.125, completionRate: 0.75, playsPerActiveUser: 13.33 }
		]
	},
	trends: {
		...obj({ ...windowFields, tracksConsidered: int, tracks: list(rankedTrack), artists: list(rankedGroup("name")), genres: list(rankedGroup("genre")) }),
		examples: [{ window: "7d", from: "2026-11-29T21:00:00.000Z", to: "2026-12-06T21:00:00.000Z", tracksConsidered: 0, tracks: [], artists: [], genres: [] }]
	},
	user: {
		...obj(
			{
				userId: str,
				...windowFields,
				truncated: { type: "boolean" },
				likedTracks: int,
				dislikedTracks: int,
				firstActiveAt: nullable(dateTime),
				lastActiveAt: nullable(dateTime),
				topTracks: list(rankedTrack),
				topArtists: list(rankedGroup("name")),
				sources: mapOf(int)
			},
			["sources"]
		),
		examples: [
			{ userId: "u_9f2c", window: "30d", from: "2026-11-06T21:00:00.000Z", to: "2026-12-06T21:00:00.000Z", truncated: false, likedTracks: 4, dislikedTracks: 0, firstActiveAt: "2026-11-10T07:00:00.000Z", lastActiveAt: "2026-12-06T07:30:00.000Z", topTracks: [], topArtists: [] }
		]
	}
};
