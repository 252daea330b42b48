export { RateLimitMixin, type RateLimitService } from "./rate-limit.mixin";
export { limiterReadiness, setLimitOverride } from "./admin";
export { LIMIT_EVENTS } from "./events";
export { limiterSettingsFromConfig, hostLimiterName, hostSettings, parseLimitSpec, formatSettings } from "./settings";
export { retryAfterMs, isDeezerQuotaError } from "./pause";
export { LimiterError } from "./store";
export type { Limiter, LimiterSettings, LimiterStatus, RateLimitMethods } from "./types";
