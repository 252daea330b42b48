import type { Doc } from "../../mixins/store/types";
import type { TrackAlbum, TrackDoc } from "../catalog/model";

/** A track as the playlist keeps it: a snapshot, so the playlist and its exports stay as built. */
export interface PlaylistTrack {
	id: string;
	name: string;
	artists: string[];
	album?: TrackAlbum;
	durationMs?: number;
	tempo?: number;
	spotifyId?: string;
	deezerId?: string;
	previewUrl?: string;
}

/**
 * What happened on Spotify: `created` (every track Spotify knows was added), `failed` (see error;
 * `playlistId` and `added` tell how far it got), `not-linked` (the user has no Spotify account
 * linked) or `skipped` (no track has a Spotify id).
 */
export interface SpotifySync {
	status: "created" | "failed" | "not-linked" | "skipped";
	playlistId?: string;
	uri?: string;
	url?: string;
	/** Tracks added on Spotify. */
	added: number;
	/** Tracks left out because Spotify does not know them. */
	missing: number;
	error?: { message: string; type: string; status?: number };
	at: number;
}

export interface PlaylistDoc extends Doc {
	ownerId: string;
	name: string;
	description: string;
	bpm: number;
	tolerance: number;
	halfDouble: boolean;
	targetMs: number;
	durationMs: number;
	tracks: PlaylistTrack[];
	spotify?: SpotifySync;
	createdAt: number;
	updatedAt: number;
}

export interface PlaylistView {
	id: string;
	ownerId: string;
	name: string;
	description: string;
	bpm: number;
	tolerance: number;
	halfDouble: boolean;
	targetDurationSec: number;
	durationSec: number;
	count: number;
	tracks: PlaylistTrack[];
	spotify?: Omit<SpotifySync, "at"> & { at: string };
	createdAt: string;
}

/** Length counted for a track whose duration the catalog does not know (a typical single). */
export const ASSUMED_TRACK_MS = 210_000;

export function playlistTrack(doc: TrackDoc): PlaylistTrack {
	return {
		id: doc._id,
		name: doc.name,
		artists: doc.artists.map(a => a.name),
		...(doc.album ? { album: doc.album } : {}),
		durationMs: doc.durationMs,
		tempo: doc.tempo,
		spotifyId: doc.spotifyId,
		deezerId: doc.deezerId,
		previewUrl: doc.previewUrl
	};
}

export function playlistView(doc: PlaylistDoc): PlaylistView {
	return {
		id: doc._id,
		ownerId: doc.ownerId,
		name: doc.name,
		description: doc.description,
		bpm: doc.bpm,
		tolerance: doc.tolerance,
		halfDouble: doc.halfDouble,
		targetDurationSec: Math.round(doc.targetMs / 1000),
		durationSec: Math.round(doc.durationMs / 1000),
		count: doc.tracks.length,
		tracks: doc.tracks,
		spotify: doc.spotify ? { ...doc.spotify, at: new Date(doc.spotify.at).toISOString() } : undefined,
		createdAt: new Date(doc.createdAt).toISOString()
	};
}
