export * from "./types";
export * from "./errors";
export { getJson, requestJson, parseRetryAfter, DEFAULT_RETRY_AFTER_MS, type RequestOptions } from "./http";
export { SpotifyClient, SPOTIFY_LIMITS, SPOTIFY_PUBLIC_API, type SpotifyClientOptions, type SpotifyModeSetting, type SpotifyModeStore } from "./spotify";
export { DeezerClient, DEEZER_PUBLIC_API, type DeezerClientOptions } from "./deezer";
export { minimumCalls, callsPer1000Tracks, type CatalogShape, type MinimumCalls } from "./minimum-calls";
export { UpstreamMixin, upstreamConfigOf, API_CALLS_METRIC, API_ERRORS_METRIC, type UpstreamConfig, type UpstreamMixinOptions, type UpstreamVars } from "./upstream.mixin";
