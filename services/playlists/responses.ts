/** JSON Schemas of the playlists service's answers (services/playlists/model.ts PlaylistView, export.ts). */
import { bool, dateTime, int, list, num, obj, oneOf, str } from "../api/doc/schemas";

const playlistTrack = obj({ id: str, name: str, artists: list(str), durationMs: int, tempo: num, spotifyId: str, deezerId: str, previewUrl: str }, ["durationMs", "tempo", "spotifyId", "deezerId", "previewUrl"]);

export const PLAYLIST = obj(
	{
		id: str,
		ownerId: str,
		name: str,
		description: str,
		bpm: num,
		tolerance: num,
		halfDouble: bool,
		targetDurationSec: int,
		durationSec: int,
		count: int,
		tracks: list(playlistTrack),
		spotify: obj({ status: oneOf("created", "failed", "not-linked", "skipped"), playlistId: str, uri: str, url: str, added: int, missing: int, error: obj({ message: str, type: str }), at: dateTime }, ["playlistId", "uri", "url", "error"]),
		createdAt: dateTime
	},
	["spotify"]
);

export const PLAYLIST_EXAMPLE = {
	id: "5b0e2c1a-8d44-4f2e-b1c9-3a7d6e5f4c3b",
	ownerId: "u_9f2c",
	name: "Run 170 BPM · 30 min",
	description: "9 tracks at 170 BPM (±5), made by cratedigger",
	bpm: 170,
	tolerance: 5,
	halfDouble: true,
	targetDurationSec: 1800,
	durationSec: 1812,
	count: 9,
	tracks: [{ id: "trk_8Qx2", name: "Run Boy Run", artists: ["Woodkid"], durationMs: 219_000, tempo: 170 }],
	spotify: { status: "not-linked", added: 0, missing: 0, at: "2026-12-06T21:00:00.000Z" },
	createdAt: "2026-12-06T21:00:00.000Z"
};

/** format=json's file. */
export const PLAYLIST_EXPORT_EXAMPLE = {
	name: "Run 170 BPM · 30 min",
	description: "9 tracks at 170 BPM (±5), made by cratedigger",
	bpm: 170,
	durationSec: 1812,
	createdAt: "2026-12-06T21:00:00.000Z",
	tracks: [{ position: 1, id: "trk_8Qx2", title: "Run Boy Run", artists: ["Woodkid"], durationSec: 219, tempo: 170, url: "https://www.deezer.com/track/3135556" }]
};
export const PLAYLIST_EXPORT = obj(
	{ name: str, description: str, bpm: num, durationSec: int, createdAt: dateTime, spotifyUrl: str, tracks: list(obj({ position: int, id: str, title: str, artists: list(str), url: str }, [])) },
	["spotifyUrl"]
);
