import { int } from "./vars";

/** Songs by BPM, recommendations and playlists. */
export const recommendationsVars = {
	RECOMMENDATIONS_CACHE_TTL_SEC: int(3600, "How long a user's computed recommendations are served from cache, in seconds; 0 computes them on every request.", {
		min: 0,
		max: 604800
	}),
	RECOMMENDATIONS_DEFAULT_BPM: int(170, "Target tempo of recommendations for a user who gave no running cadence and liked no track with a tempo.", {
		min: 60,
		max: 220
	}),
	PLAYLIST_SPOTIFY_RETRIES: int(2, "Times one Spotify call of a playlist creation is retried after a rate limit or a transient error.", { min: 0, max: 10 }),
	PLAYLIST_SPOTIFY_MAX_WAIT_SEC: int(30, "Longest Spotify Retry-After a playlist request waits out; a longer one records the error on the playlist instead, in seconds.", {
		min: 0,
		max: 600
	})
};
