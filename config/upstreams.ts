import { baseUrl, int, oneOf, secret } from "./vars";

/** Music data providers. Base URLs are configurable so simulators and proxies can stand in. */
export const upstreamVars = {
	SPOTIFY_ACCOUNTS_URL: baseUrl("https://accounts.spotify.com", "Spotify accounts service root; tokens come from POST <root>/api/token."),
	SPOTIFY_API_URL: baseUrl("https://api.spotify.com/v1", "Spotify Web API root."),
	SPOTIFY_CLIENT_ID: secret("Spotify app client id. Without it (and the secret) Spotify is off and tracks come from Deezer only."),
	SPOTIFY_CLIENT_SECRET: secret("Spotify app client secret."),
	SPOTIFY_MODE: oneOf(
		["auto", "extended", "development"] as const,
		"auto",
		"Kind of Spotify app: auto detects it from the first batch call (and remembers it); the others force it."
	),
	DEEZER_API_URL: baseUrl("https://api.deezer.com", "Deezer public API root."),
	UPSTREAM_TIMEOUT_MS: int(10000, "Timeout of one upstream HTTP request, reading the body included, in ms.", { min: 100, max: 300000 })
};

/** Checks across variables, for loadConfig: half a set of Spotify credentials is a mistake, not "off". */
export function upstreamProblems(config: { SPOTIFY_CLIENT_ID?: string; SPOTIFY_CLIENT_SECRET?: string }): string[] {
	const id = Boolean(config.SPOTIFY_CLIENT_ID);
	const secret = Boolean(config.SPOTIFY_CLIENT_SECRET);
	return id === secret ? [] : ["SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET must be set together (or both left unset to use Deezer only)"];
}
