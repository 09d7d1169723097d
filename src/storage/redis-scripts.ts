// The Lua scripts RedisStore runs. Each is one atomic server-side operation: Redis runs a script to the end before
// any other command, so a check and the write that depends on it cannot be split by another client.
//
// Redis Lua (5.1) numbers are doubles: every integer handled here stays within ±2^53, where doubles are exact.
// Scripts name every key they touch in KEYS, and write nothing before they have decided, so a script that returns
// an error (or a "refused" status) leaves the data as it was.
import { createHash } from 'node:crypto';

export interface RedisScript {
  readonly source: string;
  readonly sha1: string;
}

export const script = (source: string): RedisScript => ({ source, sha1: createHash('sha1').update(source).digest('hex') });

/**
 * The reception-window step both window scripts run (Lua, spec 4.6.5 "Message Counter Processing" as
 * SecureUnicastReceptionWindow does it): window_step(raw, counter) returns 'new' and the window text to store,
 * 'duplicate', or raises NOTWINDOW when `raw` is not "max:seen" with both below 2^32.
 */
export const WINDOW_STEP = `
local function window_step(raw, counter)
  local max, seen = 0, 0
  if raw then
    local m, s = string.match(raw, '^(%d+):(%d+)$')
    if not m or #m > 10 or #s > 10 then error({err = 'NOTWINDOW stored value is not a reception window'}) end
    max, seen = tonumber(m), tonumber(s)
    if max > 4294967295 or seen > 4294967295 then error({err = 'NOTWINDOW stored value is not a reception window'}) end
  end
  if counter > max then
    local ahead = counter - max
    if ahead < 32 then
      seen = (seen % 2 ^ (32 - ahead)) * 2 ^ ahead + 2 ^ (ahead - 1)
    elseif ahead == 32 then
      seen = 2 ^ 31
    else
      seen = 0
    end
    max = counter
  else
    local behind = max - counter
    if behind == 0 or behind > 32 then return 'duplicate' end
    local bit = 2 ^ (behind - 1)
    if math.floor(seen / bit) % 2 == 1 then return 'duplicate' end
    seen = seen + bit
  end
  return 'new', string.format('%.0f:%.0f', max, seen)
end
`;

/**
 * increment / reserveCounterBlock. KEYS[1] the counter; ARGV by, lowest, highest allowed result.
 * Returns {1, new value} after INCRBY; {0, raw} if the stored value is not a canonical decimal safe integer (the
 * forms decimal-counter.ts accepts); {2, current} if the result would leave [lowest, highest]. Only {1, ...} writes.
 */
export const INCREMENT = script(`
local raw = redis.call('GET', KEYS[1])
local current = 0
if raw then
  if not (raw == '0' or (#raw <= 20 and string.match(raw, '^%-?[1-9]%d*$'))) then return {0, raw} end
  current = tonumber(raw)
  if current > 9007199254740991 or current < -9007199254740991 then return {0, raw} end
end
local result = current + tonumber(ARGV[1])
if result < tonumber(ARGV[2]) or result > tonumber(ARGV[3]) then return {2, raw or '0'} end
return {1, redis.call('INCRBY', KEYS[1], ARGV[1])}
`);

/**
 * claimSessionId / claimRandomFreeSessionId. KEYS the candidate id keys, tried in order; ARGV owner, ttl in ms (0:
 * none), '1' if a key the owner already holds counts as claimed (a retried claim), '0' if only absent keys do.
 * Returns the 1-based index of the key claimed, or 0 when every candidate belongs to someone.
 */
export const CLAIM = script(`
local owner, ttl, reclaim = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current == false or (reclaim and current == owner) then
    if ttl > 0 then redis.call('SET', key, owner, 'PX', ttl) else redis.call('SET', key, owner) end
    return i
  end
end
return 0
`);

/** releaseSessionId. KEYS[1] the id key; ARGV owner. Deletes the key only if `owner` holds it; returns 1 if so. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * checkAndCommitCounter: SecureUnicastReceptionWindow.verify, then commit if new, in one step. KEYS[1] the window,
 * stored as "max:seen" in decimal, absent meaning "0:0" (a session just activated); ARGV counter (0 .. 2^32 - 1).
 * Bit i of seen (0 .. 2^32 - 1) set: counter max - 1 - i was committed. Counters above the max are new (no
 * rollover); the max itself, counters more than 32 behind and counters whose bit is set are duplicates.
 * Returns 'new' (and stores the window, keeping its TTL), 'duplicate' (writing nothing), or an error reply
 * 'NOTWINDOW' if the key holds something else.
 */
export const CHECK_AND_COMMIT = script(`${WINDOW_STEP}
local verdict, window = window_step(redis.call('GET', KEYS[1]), tonumber(ARGV[1]))
if verdict == 'duplicate' then return 'duplicate' end
redis.call('SET', KEYS[1], window, 'KEEPTTL')
return 'new'
`);

/**
 * compareAndSet. KEYS[1] the key; ARGV expected value ('' for absent: stored values are never empty here), new
 * value ('' to delete), expiry in ms (0: none). Returns 1 after writing, 0 (nothing written) if the stored value
 * is not the expected one.
 */
export const COMPARE_AND_SET = script(`
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 1
`);
