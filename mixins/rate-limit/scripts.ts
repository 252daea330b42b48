import { createHash } from "node:crypto";
import type Redis from "ioredis";

/*
 * The limiter's Redis side. Every script reads the clock with TIME, so all nodes agree on "now"
 * whatever their own clocks say, and replies carry that "now" so a node can turn Redis times into
 * waits. Numbers with fractions go back as strings: Redis would truncate Lua numbers to integers.
 *
 * Members of the live and ended sets are "<token>|<weight>". All keys share the hash tag {prefix},
 * so the scripts also run on Redis Cluster (every key of a call lives in one slot).
 */

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
`;

const WEIGHT_OF = `
local function weightOf(member) return tonumber(string.match(member, '|(%d+)$')) or 1 end
`;

/**
 * The rule of window.ts in Lua. KEYS: live (granted, not ended; score = start), ended (score =
 * end), pause, overrides, epoch.
 * ARGV: name, maxPerWindow, windowMs, maxConcurrent (0: none), marginMs, weight, token,
 *       expirationMs, lookaheadMs, peers in fallback (k), nodes running the limiter (n), pollMs.
 * Returns {status, time, now, maxPerWindow, windowMs, maxConcurrent} where status is
 *   ok (time = start), paused (time = end of pause), wait (time = when to ask again), never.
 */
export const RESERVE = `${NOW}${WEIGHT_OF}
-- A missing epoch means Redis lost its data (or is new): calls granted before the loss are
-- unknown, so nothing starts until one full window has passed since the loss was noticed.
local epoch = tonumber(redis.call('GET', KEYS[5]))
if not epoch then
  epoch = now
  redis.call('SET', KEYS[5], tostring(now))
end

local maxPer, windowMs, conc = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local raw = redis.call('HGET', KEYS[4], ARGV[1])
if raw then
  local ok, o = pcall(cjson.decode, raw)
  if ok and type(o) == 'table' then
    if type(o.maxPerWindow) == 'number' then maxPer = o.maxPerWindow end
    if type(o.windowMs) == 'number' then windowMs = o.windowMs end
    if type(o.maxConcurrent) == 'number' then conc = o.maxConcurrent end
  end
end

local pausedUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
if pausedUntil > now then
  return {'paused', tostring(pausedUntil), tostring(now), maxPer, windowMs, conc}
end

local weight = tonumber(ARGV[6])
if weight > maxPer then
  return {'never', '0', tostring(now), maxPer, windowMs, conc}
end

-- Peers that fell back to local shares may use them without asking: leave them that much.
local limit = maxPer
local k, n = tonumber(ARGV[10]), tonumber(ARGV[11])
if k > 0 and n > 0 then
  limit = maxPer - (k * math.floor(maxPer / n) + math.min(k, maxPer % n))
end
local span = windowMs + tonumber(ARGV[5])
local expiration = tonumber(ARGV[8])
local lookahead = tonumber(ARGV[9])
local retry = now + tonumber(ARGV[12])
if weight > limit then
  return {'wait', tostring(now + math.min(span, lookahead)), tostring(now), maxPer, windowMs, conc}
end

-- A call older than the expiration is taken to have ended then: its node may be gone.
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - expiration, 'WITHSCORES')
for i = 1, #stale, 2 do
  redis.call('ZREM', KEYS[1], stale[i])
  redis.call('ZADD', KEYS[2], tonumber(stale[i + 1]) + expiration, stale[i])
end
if #stale > 0 then redis.call('PEXPIRE', KEYS[2], math.ceil(span + 1000)) end

local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local liveWeight, lastStart = 0, 0
for i = 1, #live, 2 do
  liveWeight = liveWeight + weightOf(live[i])
  lastStart = math.max(lastStart, tonumber(live[i + 1]))
end
if conc > 0 and #live / 2 >= conc then
  return {'wait', tostring(retry), tostring(now), maxPer, windowMs, conc}
end
if liveWeight + weight > limit then
  return {'wait', tostring(retry), tostring(now), maxPer, windowMs, conc}
end

local start = math.max(now, epoch + span, lastStart)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - span)
local ended = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
local count = #ended / 2
local weights, total, first = {}, liveWeight, 1
for i = 1, count do
  weights[i] = weightOf(ended[2 * i - 1])
  if tonumber(ended[2 * i]) <= start - span then first = i + 1 else total = total + weights[i] end
end
local i = first
while total + weight > limit and i <= count do
  total = total - weights[i]
  start = math.max(start, tonumber(ended[2 * i]) + span)
  i = i + 1
end

-- Far-off starts are not reserved: the node asks again later, so none hoards future capacity.
if start - now > lookahead then
  return {'wait', tostring(start - lookahead), tostring(now), maxPer, windowMs, conc}
end

redis.call('ZADD', KEYS[1], start, ARGV[7] .. '|' .. weight)
redis.call('PEXPIRE', KEYS[1], math.ceil(start - now + expiration + span + 1000))
return {'ok', tostring(start), tostring(now), maxPer, windowMs, conc}
`;

/**
 * KEYS: live, ended. ARGV: member, span. The call ended now (Redis' now, which is after the
 * upstream saw the request): it keeps counting for one more window.
 */
export const FINISH = `${NOW}
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  local ttl = math.ceil(tonumber(ARGV[2]) + 1000)
  if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
end
return {tostring(now)}
`;

/**
 * KEYS: pause. ARGV: durationMs. Extends the pause to now + duration, never shortens it.
 * Returns {until, extendedMs, now}.
 */
export const PAUSE = `${NOW}
local wanted = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= wanted then
  return {tostring(current), '0', tostring(now)}
end
redis.call('SET', KEYS[1], tostring(wanted), 'PX', math.ceil(wanted - now))
return {tostring(wanted), tostring(wanted - math.max(current, now)), tostring(now)}
`;

/** KEYS: live, ended, pause. ARGV: windowMs. Returns {weight counting now, pause end or 0, now}. */
export const USAGE = `${NOW}${WEIGHT_OF}
local used = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do used = used + weightOf(m) end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. (now - tonumber(ARGV[1])), '+inf')) do used = used + weightOf(m) end
local pausedUntil = tonumber(redis.call('GET', KEYS[3]) or '0')
if pausedUntil <= now then pausedUntil = 0 end
return {tostring(used), tostring(pausedUntil), tostring(now)}
`;

/**
 * KEYS: live, ended. ARGV: maxPerWindow, windowMs + margin. Starts a broken limiter afresh. The
 * history is lost with the old keys, so the new log opens with one full window already used.
 */
export const REBUILD = `${NOW}
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZADD', KEYS[2], now, 'rebuild|' .. ARGV[1])
redis.call('PEXPIRE', KEYS[2], math.ceil(tonumber(ARGV[2]) + 1000))
return {tostring(now)}
`;

/** KEYS: none. Returns now, for health checks and clock offsets. */
export const TIME = `${NOW}
return {tostring(now)}
`;

/** A Lua script run by SHA, sent whole only when Redis does not know it (after a restart, say). */
export class LuaScript {
	private readonly sha: string;

	constructor(private readonly source: string) {
		this.sha = createHash("sha1").update(source).digest("hex");
	}

	async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
		try {
			return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
		} catch (err) {
			if (!String((err as Error).message).includes("NOSCRIPT")) throw err;
			return redis.eval(this.source, keys.length, ...keys, ...args);
		}
	}
}
