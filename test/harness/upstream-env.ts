import type { Env } from "../../config";

export interface SimulatorUrls {
	clientId: string;
	clientSecret: string;
	spotifyAccounts: string;
	spotifyApi: string;
	deezer: string;
}

/** Configuration that points a node at the simulators, with limits high enough not to matter. */
export function upstreamEnv(sims: SimulatorUrls): Env {
	return {
		SPOTIFY_CLIENT_ID: sims.clientId,
		SPOTIFY_CLIENT_SECRET: sims.clientSecret,
		SPOTIFY_ACCOUNTS_URL: sims.spotifyAccounts,
		SPOTIFY_API_URL: sims.spotifyApi,
		DEEZER_API_URL: sims.deezer,
		SPOTIFY_RATE_PER_30S: "100000",
		DEEZER_RATE: "100000"
	};
}

/** The same, from an in-process simulator pair. */
export function pairUrls(pair: { spotify: { clientId: string; clientSecret: string; accountsUrl: string; apiUrl: string }; deezer: { url: string } }): SimulatorUrls {
	return { clientId: pair.spotify.clientId, clientSecret: pair.spotify.clientSecret, spotifyAccounts: pair.spotify.accountsUrl, spotifyApi: pair.spotify.apiUrl, deezer: pair.deezer.url };
}
