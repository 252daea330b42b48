import type { PlaylistDoc, PlaylistTrack } from "./model";

export type ExportFormat = "m3u" | "json";

export interface ExportFile {
	contentType: string;
	filename: string;
	body: string;
}

/** Where a player or a browser can open the track: Spotify, then Deezer, then the preview clip. */
export function trackLocation(t: PlaylistTrack): string {
	if (t.spotifyId) return `https://open.spotify.com/track/${t.spotifyId}`;
	if (t.deezerId) return `https://www.deezer.com/track/${t.deezerId}`;
	if (t.previewUrl) return t.previewUrl;
	return `cratedigger:track:${t.id}`;
}

/** One line of M3U text: line breaks would start a new entry. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ").trim();

/**
 * Extended M3U: `#EXTM3U`, then per track `#EXTINF:<seconds>,<artists> - <title>` and its location
 * (-1 seconds when the length is unknown, as the format says).
 */
export function toM3u(doc: PlaylistDoc): string {
	const lines = ["#EXTM3U", `#PLAYLIST:${oneLine(doc.name)}`];
	for (const t of doc.tracks) {
		const seconds = t.durationMs === undefined ? -1 : Math.round(t.durationMs / 1000);
		lines.push(`#EXTINF:${seconds},${oneLine(t.artists.join(", "))} - ${oneLine(t.name)}`, oneLine(trackLocation(t)));
	}
	return `${lines.join("\n")}\n`;
}

export function toJson(doc: PlaylistDoc): string {
	return JSON.stringify(
		{
			name: doc.name,
			description: doc.description,
			bpm: doc.bpm,
			durationSec: Math.round(doc.durationMs / 1000),
			createdAt: new Date(doc.createdAt).toISOString(),
			spotifyUrl: doc.spotify?.url,
			tracks: doc.tracks.map((t, i) => ({
				position: i + 1,
				id: t.id,
				title: t.name,
				artists: t.artists,
				durationSec: t.durationMs === undefined ? undefined : Math.round(t.durationMs / 1000),
				tempo: t.tempo,
				spotifyUri: t.spotifyId ? `spotify:track:${t.spotifyId}` : undefined,
				url: trackLocation(t)
			}))
		},
		null,
		2
	);
}

/** A safe ASCII file name from the playlist's name ("Run 170 BPM" -> "run-170-bpm"). */
export function fileStem(name: string): string {
	const stem = name
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-+|-+$/g, "")
		.slice(0, 80);
	return stem || "playlist";
}

export function exportPlaylist(doc: PlaylistDoc, format: ExportFormat): ExportFile {
	const stem = fileStem(doc.name);
	return format === "m3u"
		? { contentType: "audio/x-mpegurl; charset=utf-8", filename: `${stem}.m3u`, body: toM3u(doc) }
		: { contentType: "application/json; charset=utf-8", filename: `${stem}.json`, body: toJson(doc) };
}
