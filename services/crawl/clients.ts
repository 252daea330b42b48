import { FatalError } from "../../mixins/upstream/errors";
import type { SpotifyClient } from "../../mixins/upstream/spotify";
import type { CatalogClient, Provider } from "../../mixins/upstream/types";
import type { UpstreamVars } from "../../mixins/upstream/upstream.mixin";



/** The provider new name seeds are crawled on: Spotify when the app has credentials, else Deezer. */
export function seedProvider(svc: UpstreamVars): Provider {
	return svc.spotify ? "spotify" : "deezer";
}

export function spotifyOf(svc: UpstreamVars): SpotifyClient {
	if (!svc.spotify) throw new FatalError("not configured (set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET)", { provider: "spotify", endpoint: "-" });
	return svc.spotify;
}

export function clientOf(svc: UpstreamVars, provider: Provider): CatalogClient {
	return provider === "spotify" ? spotifyOf(svc) : svc.deezer;
}
