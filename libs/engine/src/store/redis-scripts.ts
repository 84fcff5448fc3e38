import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts behind {@link RedisStore}'s atomic operations. Each touches the keys of one
 * experiment only, which share a hash tag (`{<id>}`), so they also run on Redis Cluster.
 *
 * Design note: records are stored as JSON written by the client, and the scripts never decode
 * them: a change is a compare-and-set of the whole JSON string (the client re-reads and retries
 * on a conflict). Decoding in Lua would go through cjson, which rounds numbers to 14 digits and
 * turns empty arrays into objects.
 */

/** A Lua script run by its SHA1 (EVALSHA), loaded on first use or after a SCRIPT FLUSH. */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** KEYS: experiment hash. ARGV: record JSON, next index. Returns 1, or 0 if the id exists. */
export const CREATE_EXPERIMENT = new LuaScript(`
if redis.call('HSETNX', KEYS[1], 'record', ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'nextIndex', ARGV[2])
return 1
`);

/** KEYS: experiment hash. ARGV: expected record JSON, new JSON. Returns 1 if set, 0 on a mismatch. */
export const CAS_EXPERIMENT = new LuaScript(`
if redis.call('HGET', KEYS[1], 'record') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'record', ARGV[2])
return 1
`);

/** KEYS: experiment hash. ARGV: n. Returns the first of n reserved indices, or -1 if no experiment. */
export const ALLOCATE_INDICES = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], 'record') == 0 then return -1 end
local n = tonumber(ARGV[1])
return redis.call('HINCRBY', KEYS[1], 'nextIndex', n) - n
`);

/**
 * The Lua that inserts trials from ARGV[from] on (four arguments each: id, index, status
 * position, JSON) into the keys of INSERT_TRIALS, and returns one 1 (inserted) or 0 (the id
 * existed: left as it was) per trial. Shared by INSERT_TRIALS and INSERT_TRIALS_AT.
 */
function insertLoop(from: number): string {
  return `local out = {}
for i = ${from}, #ARGV, 4 do
  local id, index, pos, json = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  if redis.call('HSETNX', KEYS[2], id, json) == 1 then
    redis.call('ZADD', KEYS[3], index, id)
    redis.call('ZADD', KEYS[3 + pos], index, id)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`;
}

/**
 * KEYS: experiment hash, trials hash, order zset, then one zset per trial status (in
 * TRIAL_STATUSES order). ARGV: per trial, id, index, status position (1-based), JSON.
 * Returns one 1 (inserted) or 0 (the id existed: left as it was) per trial, in order, or -1 if
 * no experiment.
 */
export const INSERT_TRIALS = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], 'record') == 0 then return -1 end
${insertLoop(1)}`);

/**
 * {@link ALLOCATE_INDICES} and {@link INSERT_TRIALS} in one step, if the next index is the one
 * expected. KEYS: as INSERT_TRIALS. ARGV: expected next index, then per trial the four arguments
 * of INSERT_TRIALS. Returns INSERT_TRIALS' list, 0 (the next index is another: nothing written),
 * or -1 if no experiment.
 */
export const INSERT_TRIALS_AT = new LuaScript(`
if redis.call('HEXISTS', KEYS[1], 'record') == 0 then return -1 end
if tonumber(redis.call('HGET', KEYS[1], 'nextIndex')) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HINCRBY', KEYS[1], 'nextIndex', (#ARGV - 1) / 4)
${insertLoop(2)}`);

/**
 * KEYS: trials hash, then one zset per trial status (in TRIAL_STATUSES order). ARGV: trial id,
 * expected JSON, new JSON, index, old status position, new status position (1-based).
 * Returns 1 if set, 0 on a mismatch (changed meanwhile, or deleted).
 */
export const CAS_TRIAL = new LuaScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[5] ~= ARGV[6] then
  redis.call('ZREM', KEYS[1 + tonumber(ARGV[5])], ARGV[1])
  redis.call('ZADD', KEYS[1 + tonumber(ARGV[6])], ARGV[4], ARGV[1])
end
return 1
`);

/**
 * {@link CAS_TRIAL} for several trials at once. KEYS: as CAS_TRIAL. ARGV: per trial, the six
 * arguments of CAS_TRIAL. Returns one 1 (set) or 0 (mismatch) per trial, in order.
 */
export const CAS_TRIALS = new LuaScript(`
local out = {}
for i = 1, #ARGV, 6 do
  local id = ARGV[i]
  if redis.call('HGET', KEYS[1], id) ~= ARGV[i + 1] then
    out[#out + 1] = 0
  else
    redis.call('HSET', KEYS[1], id, ARGV[i + 2])
    if ARGV[i + 4] ~= ARGV[i + 5] then
      redis.call('ZREM', KEYS[1 + tonumber(ARGV[i + 4])], id)
      redis.call('ZADD', KEYS[1 + tonumber(ARGV[i + 5])], ARGV[i + 3], id)
    end
    out[#out + 1] = 1
  end
end
return out
`);

/** KEYS: one zset per trial status (in TRIAL_STATUSES order). Returns their sizes, in order. */
export const COUNT_TRIALS = new LuaScript(`
local out = {}
for i = 1, #KEYS do out[i] = redis.call('ZCARD', KEYS[i]) end
return out
`);
