import { FatalError } from "../../mixins/upstream/errors";
import type { Service } from "moleculer";
import type { SpotifyClient, SpotifyModeStore } from "../../mixins/upstream/spotify";
import type { CatalogClient, Provider, SpotifyMode } from "../../mixins/upstream/types";
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

/**
 * The detected Spotify mode lives with the scheduler (in its store), so every worker node and every
 * restart reuses it instead of spending a refused batch call to find out again.
 */
export function spotifyModeStore(svc: Service): SpotifyModeStore {
	return {
		load: async () => {
			const res = await svc.broker.call<{ mode?: SpotifyMode }, object>("scheduler.spotifyMode", {}).catch(() => ({ mode: undefined }));
			return res.mode;
		},
		save: async mode => {
			await svc.broker.call("scheduler.spotifyMode", { mode }).catch(() => undefined);
		}
	};
}
