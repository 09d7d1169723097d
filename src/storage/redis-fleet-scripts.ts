// The Lua scripts behind a fleet's epoch guard: every operation that decides whether a message counter is new or
// which outgoing counters an instance may use runs only if Redis still holds the state the fleet built (spec
// "Message Counters": a counter value is used once per key; "Message Counter Processing": a replay is never new).
//
// The guard, at the top of each script (KEYS[1] the epoch, KEYS[2] the generation, ARGV[1] the caller's epoch token):
// - the epoch key must hold "<token>/<run_id>/<master_replid2>": the token the caller joined, written on the Redis
//   process and replication history that still answer. A restart (empty, or loading an older RDB or AOF) changes
//   run_id; a replica promoted by failover is another process (another run_id); a primary that was demoted,
//   resynced from a lagging replica and promoted again keeps its run_id but not its secondary replication id
//   (promotion moves the id it replicated into master_replid2). Each makes the guard fail before anything is read.
//   master_replid itself is not part of it: a primary draws a new one when its first replica attaches (it creates
//   its backlog), which loses nothing.
// - the generation key is incremented and returned: the caller checks it passed what it saw before sending, so a
//   rollback inside one Redis process (keys restored under the same run_id) is seen by any instance that saw later.
// A failed guard is the error reply FLEETEPOCH and writes nothing. Scripts read INFO, so they need Redis 5+ with
// effects replication (the default since 5; the only mode from 7).
import { script, WINDOW_STEP } from './redis-scripts.js';


/** The identity of the Redis process and replication history answering now: "<run_id>/<master_replid2>". */
const IDENTITY = `
local function identity()
  local server = redis.call('INFO', 'server')
  local replication = redis.call('INFO', 'replication')
  return (string.match(server, 'run_id:(%x+)') or '?') .. '/' .. (string.match(replication, 'master_replid2:(%x+)') or '?')
end
`;

const GUARD = `${IDENTITY}
if redis.call('GET', KEYS[1]) ~= ARGV[1] .. '/' .. identity() then
  return redis.error_reply('FLEETEPOCH the fleet epoch is not the one this instance joined, or Redis restarted or failed over')
end
local generation = redis.call('INCR', KEYS[2])
if generation == 1 then redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[1]), 1)) end
`;

/**
 * Joins the fleet epoch, or starts a new one. KEYS epoch, generation; ARGV proposal token, stale token ('' when
 * joining fresh), epoch ttl ms. Returns the stored token if it was written on the Redis answering now and is not
 * `stale`; otherwise stores "<proposal>/<identity>" with a generation of 0 and returns the proposal.
 */
export const JOIN_EPOCH = script(`${IDENTITY}
local here = identity()
local stored = redis.call('GET', KEYS[1])
if stored then
  local token, made = string.match(stored, '^([^/]+)/(.+)$')
  if made == here and token ~= ARGV[2] then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
    return token
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. '/' .. here, 'PX', ARGV[3])
redis.call('SET', KEYS[2], '0', 'PX', ARGV[3])
return ARGV[1]
`);

/**
 * Stores a new session. KEYS epoch, generation, claim, session, window, counter; ARGV token, owner, ttl ms, the
 * session's (encrypted) state, the counter's random start. Only the claim's owner may: returns {generation, 1}, or
 * {generation, 0} writing nothing when `owner` no longer holds the id. The window starts as activation leaves it
 * ("0:0": the peer's first counter is new, 0 never is); every key expires after ttl unless renewed.
 */
export const OPEN_SESSION = script(`${GUARD}
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return {generation, 0} end
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('SET', KEYS[4], ARGV[4], 'PX', ARGV[3])
redis.call('SET', KEYS[5], '0:0', 'PX', ARGV[3])
redis.call('SET', KEYS[6], ARGV[5], 'PX', ARGV[3])
return {generation, 1}
`);

/**
 * The shared secure unicast window: verify, and commit when new. KEYS epoch, generation, claim, session, window,
 * counter; ARGV token, owner, ttl ms, the received counter. Returns {generation, verdict}: 'unknown' when the claim
 * is not `owner`'s or any of the session's keys is missing (a lost window is never read as an empty one), else the
 * verdict of SecureUnicastReceptionWindow (window "max:seen": bit i of seen set means max - 1 - i was committed;
 * no rollover). 'new' stores the window and renews the session's keys; 'duplicate' changes nothing else.
 */
export const COMMIT_COUNTER = script(`${GUARD}${WINDOW_STEP}
if redis.call('GET', KEYS[3]) ~= ARGV[2] or redis.call('EXISTS', KEYS[4]) == 0 or redis.call('EXISTS', KEYS[6]) == 0 then
  return {generation, 'unknown'}
end
local raw = redis.call('GET', KEYS[5])
if not raw then return {generation, 'unknown'} end
local verdict, window = window_step(raw, tonumber(ARGV[4]))
if verdict == 'duplicate' then return {generation, 'duplicate'} end
redis.call('SET', KEYS[5], window, 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
redis.call('PEXPIRE', KEYS[6], ARGV[3])
return {generation, 'new'}
`);

/**
 * A block of outgoing counters. KEYS epoch, generation, claim, counter; ARGV token, owner, block size, limit.
 * Returns {generation, 'ok', new value} after INCRBY (the caller owns (new - size, new]); {generation, 'unknown'}
 * when the claim is not `owner`'s or the counter is missing (never restarted from 0); {generation, 'exhausted',
 * current} when the block would pass the limit.
 */
export const RESERVE_COUNTERS = script(`${GUARD}
if redis.call('GET', KEYS[3]) ~= ARGV[2] then return {generation, 'unknown'} end
local raw = redis.call('GET', KEYS[4])
if not raw or not string.match(raw, '^%d+$') or #raw > 16 then return {generation, 'unknown'} end
if tonumber(raw) + tonumber(ARGV[3]) > tonumber(ARGV[4]) then return {generation, 'exhausted', raw} end
return {generation, 'ok', redis.call('INCRBY', KEYS[4], ARGV[3])}
`);

/**
 * The lease: renews the epoch and the keys of the ids an instance holds. KEYS epoch, generation, then groups of
 * four (claim, session, window, counter); ARGV token, ttl ms, epoch ttl ms, then one owner per group. Returns
 * {generation, held...}: 1 for each group whose claim `owner` still holds (its keys renewed), 0 otherwise.
 */
export const RENEW_LEASE = script(`${GUARD}
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local held = {generation}
for i = 0, (#KEYS - 2) / 4 - 1 do
  local claim = KEYS[3 + 4 * i]
  if redis.call('GET', claim) == ARGV[4 + i] then
    for k = 0, 3 do redis.call('PEXPIRE', KEYS[3 + 4 * i + k], ARGV[2]) end
    held[#held + 1] = 1
  else
    held[#held + 1] = 0
  end
end
return held
`);

/**
 * Removes a session. KEYS claim, session, window, counter; ARGV owner. Deletes all four when `owner` holds the
 * claim or nobody does (the keys are this session's then); leaves them when another owner claimed the id since.
 * Returns 1 if it deleted. Needs no guard: removing can never reuse a counter or accept a replay.
 */
export const CLOSE_SESSION = script(`
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return 1
`);
