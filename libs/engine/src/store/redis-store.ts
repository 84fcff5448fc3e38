import { TRIAL_STATUSES, type TrialStatus } from '@apiary/contracts';
import { Redis, type RedisOptions } from 'ioredis';
import { ALLOCATE_INDICES, CAS_EXPERIMENT, CAS_TRIAL, CAS_TRIALS, COUNT_TRIALS, CREATE_EXPERIMENT, INSERT_TRIALS, INSERT_TRIALS_AT } from './redis-scripts.js';
import {
  applyExperimentPatch,
  applyTrialPatch,
  checkConsecutiveIndices,
  emptyCounts,
  isTerminal,
  NON_TERMINAL_TRIAL_STATUSES,
  resolveListOptions,
  type ExperimentPatch,
  type ExperimentRecord,
  type ExperimentStatus,
  type ExperimentStore,
  type IntermediatePoint,
  type ListTrialsOptions,
  type TerminalTrialStatus,
  type TrialCounts,
  type TrialPage,
  type TrialPatch,
  type TrialRecord,
} from './store.js';

export interface RedisStoreOptions {
  /**
   * A connected client (borrowed: {@link RedisStore.close} leaves it open), or a URL or options
   * to open one (owned: closed by `close`).
   */
  redis: Redis | string | RedisOptions;
  /** Prefix of every key. @defaultValue 'apiary:' */
  prefix?: string;
  /** Compare-and-set attempts before a contended update gives up. @defaultValue 100 */
  maxCasAttempts?: number;
  /**
   * Trials whose last JSON this store wrote (inserted or updated) are remembered (up to this many, oldest
   * forgotten first; terminal ones are dropped), so that the next update of one compares against
   * it without reading it first. A stale entry (another process changed the trial) only costs a
   * failed compare-and-set and a re-read. 0 turns it off. @defaultValue 20000
   */
  knownTrials?: number;
}

/**
 * An {@link ExperimentStore} on Redis, so that experiments survive a scheduler restart (run Redis
 * with AOF on and `maxmemory-policy noeviction`, as DESIGN.md asks). Keys, for prefix `p`:
 *
 * - `p experiments` — sorted set of experiment ids by creation time;
 * - `p exp:{id}` — hash: `record` (the experiment as JSON) and `nextIndex` (a counter);
 * - `p exp:{id}:trials` — hash: trial id → trial JSON;
 * - `p exp:{id}:order` — sorted set: trial ids by index (paging);
 * - `p exp:{id}:status:<STATUS>` — sorted set per state: trial ids by index (counts, filters).
 *
 * `{id}` is a hash tag: one experiment's keys share a cluster slot, so each atomic operation is
 * one Lua script. Trial transitions are compare-and-set on the trial's JSON (see redis-scripts).
 */
export class RedisStore implements ExperimentStore {
  private readonly redis: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly maxCasAttempts: number;
  /** Trial JSON last written here, by experiment and trial id (see knownTrials). */
  private readonly known = new Map<string, string>();
  private readonly knownLimit: number;

  constructor(options: RedisStoreOptions) {
    const { redis } = options;
    this.owned = !isClient(redis);
    this.redis = isClient(redis) ? redis : typeof redis === 'string' ? new Redis(redis) : new Redis(redis);
    this.prefix = options.prefix ?? 'apiary:';
    this.maxCasAttempts = options.maxCasAttempts ?? 100;
    if (!Number.isInteger(this.maxCasAttempts) || this.maxCasAttempts < 1) throw new RangeError(`maxCasAttempts must be an integer >= 1, got ${options.maxCasAttempts}`);
    this.knownLimit = options.knownTrials ?? 20_000;
    if (!Number.isInteger(this.knownLimit) || this.knownLimit < 0) throw new RangeError(`knownTrials must be an integer >= 0, got ${options.knownTrials}`);
  }

  async createExperiment(record: ExperimentRecord): Promise<void> {
    if (/[{}]/.test(record.id)) throw new RangeError(`experiment id '${record.id}' contains a brace; ids are used as Redis hash tags`);
    const { nextIndex, ...rest } = record;
    const created = await CREATE_EXPERIMENT.run(this.redis, [this.expKey(record.id)], [JSON.stringify(rest), nextIndex]);
    if (created !== 1) throw new Error(`experiment '${record.id}' already exists`);
    await this.redis.zadd(this.indexKey(), record.createdAt, record.id);
  }

  async getExperiment(id: string): Promise<ExperimentRecord | null> {
    const [json, nextIndex] = await this.redis.hmget(this.expKey(id), 'record', 'nextIndex');
    return json ? { ...(JSON.parse(json) as Omit<ExperimentRecord, 'nextIndex'>), nextIndex: Number(nextIndex ?? 0) } : null;
  }

  async listExperiments(): Promise<ExperimentRecord[]> {
    const ids = await this.redis.zrange(this.indexKey(), 0, '-1');
    const records = await Promise.all(ids.map((id) => this.getExperiment(id)));
    return records.filter((r): r is ExperimentRecord => r !== null);
  }

  async updateExperiment(id: string, patch: ExperimentPatch, ifStatus?: ExperimentStatus): Promise<ExperimentRecord | null> {
    const key = this.expKey(id);
    for (let attempt = 0; attempt < this.maxCasAttempts; attempt++) {
      const [json, nextIndex] = await this.redis.hmget(key, 'record', 'nextIndex');
      if (!json) return null;
      const current = JSON.parse(json) as Omit<ExperimentRecord, 'nextIndex'>;
      if (ifStatus !== undefined && current.status !== ifStatus) return null;
      const next = applyExperimentPatch(current, patch);
      if ((await CAS_EXPERIMENT.run(this.redis, [key], [json, JSON.stringify(next)])) === 1) return { ...next, nextIndex: Number(nextIndex ?? 0) };
    }
    throw new Error(`experiment '${id}': update still contended after ${this.maxCasAttempts} attempts`);
  }

  async deleteExperiment(id: string): Promise<boolean> {
    const keys = [this.expKey(id), this.trialsKey(id), this.orderKey(id), ...this.statusKeys(id)];
    for (const key of [...this.known.keys()]) if (key.startsWith(knownKey(id, ''))) this.known.delete(key);
    const [deleted] = await Promise.all([this.redis.del(keys[0]!), this.redis.del(...keys.slice(1)), this.redis.zrem(this.indexKey(), id)]);
    return deleted === 1;
  }

  async allocateTrialIndices(experimentId: string, n: number): Promise<number> {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
    const first = Number(await ALLOCATE_INDICES.run(this.redis, [this.expKey(experimentId)], [n]));
    if (first < 0) throw new Error(`no experiment '${experimentId}'`);
    return first;
  }

  async insertTrials(experimentId: string, trials: readonly TrialRecord[]): Promise<void> {
    if (trials.length === 0) return;
    const jsons = trials.map((t) => JSON.stringify(t));
    const inserted = await INSERT_TRIALS.run(this.redis, this.insertKeys(experimentId), insertArgs(trials, jsons));
    if (!Array.isArray(inserted)) throw new Error(`no experiment '${experimentId}'`);
    this.rememberInserted(experimentId, trials, jsons, inserted);
  }

  async insertTrialsAt(experimentId: string, first: number, trials: readonly TrialRecord[]): Promise<boolean> {
    if (trials.length === 0) return (await this.getExperiment(experimentId))?.nextIndex === first;
    checkConsecutiveIndices(first, trials);
    const jsons = trials.map((t) => JSON.stringify(t));
    const inserted = await INSERT_TRIALS_AT.run(this.redis, this.insertKeys(experimentId), [first, ...insertArgs(trials, jsons)]);
    if (inserted === 0) return false;
    if (!Array.isArray(inserted)) throw new Error(`no experiment '${experimentId}'`);
    this.rememberInserted(experimentId, trials, jsons, inserted);
    return true;
  }

  /** An id that existed was left as it was (HSETNX): its JSON is not known here. */
  private rememberInserted(experimentId: string, trials: readonly TrialRecord[], jsons: readonly string[], inserted: unknown[]): void {
    trials.forEach((t, i) => {
      if (inserted[i] === 1) this.remember(experimentId, t.id, jsons[i]!, t.status);
    });
  }

  private insertKeys(experimentId: string): string[] {
    return [this.expKey(experimentId), this.trialsKey(experimentId), this.orderKey(experimentId), ...this.statusKeys(experimentId)];
  }

  async getTrial(experimentId: string, trialId: string): Promise<TrialRecord | null> {
    const json = await this.redis.hget(this.trialsKey(experimentId), trialId);
    return json ? (JSON.parse(json) as TrialRecord) : null;
  }

  async getTrials(experimentId: string, trialIds: readonly string[]): Promise<(TrialRecord | null)[]> {
    if (trialIds.length === 0) return [];
    const jsons = await this.redis.hmget(this.trialsKey(experimentId), ...trialIds);
    return jsons.map((j) => (j ? (JSON.parse(j) as TrialRecord) : null));
  }

  async updateTrials(experimentId: string, trialIds: readonly string[], change: (current: TrialRecord) => TrialRecord | null): Promise<Map<string, TrialRecord>> {
    const before = new Map<string, TrialRecord>();
    const keys = [this.trialsKey(experimentId), ...this.statusKeys(experimentId)];
    let pending = [...new Set(trialIds)];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.maxCasAttempts) throw new Error(`trials ${pending.join(', ')}: update still contended after ${this.maxCasAttempts} attempts`);
      // First attempt: the remembered JSON where there is one; after a conflict, what Redis holds.
      const jsons = attempt === 0 ? await this.knownOrStored(experimentId, pending) : await this.redis.hmget(keys[0]!, ...pending);
      const tried: { id: string; json: string; status: TrialStatus }[] = [];
      const args: (string | number)[] = [];
      pending.forEach((id, i) => {
        const json = jsons[i];
        if (!json) return void before.delete(id);
        const current = JSON.parse(json) as TrialRecord;
        before.set(id, current);
        const next = change(current);
        if (!next) return;
        const nextJson = JSON.stringify(next);
        tried.push({ id, json: nextJson, status: next.status });
        args.push(id, json, nextJson, current.index, statusPosition(current.status), statusPosition(next.status));
      });
      if (tried.length === 0) break;
      const set = (await CAS_TRIALS.run(this.redis, keys, args)) as number[];
      tried.forEach((t, i) => {
        if (set[i] === 1) this.remember(experimentId, t.id, t.json, t.status);
        else this.known.delete(knownKey(experimentId, t.id));
      });
      pending = tried.filter((_, i) => set[i] !== 1).map((t) => t.id);
    }
    return before;
  }

  async updateTrial(experimentId: string, trialId: string, patch: TrialPatch, from: readonly TrialStatus[] = NON_TERMINAL_TRIAL_STATUSES): Promise<TrialRecord | null> {
    return this.mutateTrial(experimentId, trialId, (t) => applyTrialPatch(t, patch, from));
  }

  async recordOutcome(experimentId: string, trialId: string, status: TerminalTrialStatus, patch: TrialPatch): Promise<boolean> {
    return (await this.updateTrial(experimentId, trialId, { ...patch, status }, NON_TERMINAL_TRIAL_STATUSES)) !== null;
  }

  async appendIntermediate(experimentId: string, trialId: string, point: IntermediatePoint): Promise<boolean> {
    const updated = await this.mutateTrial(experimentId, trialId, (t) =>
      NON_TERMINAL_TRIAL_STATUSES.includes(t.status) ? { ...t, intermediate: [...t.intermediate, { step: point.step, value: point.value }] } : null,
    );
    return updated !== null;
  }

  async listTrials(experimentId: string, options?: ListTrialsOptions): Promise<TrialPage> {
    const { offset, limit, statuses } = resolveListOptions(options);
    let ids: string[];
    let total: number;
    if (statuses === null || statuses.length === 1) {
      const key = statuses === null ? this.orderKey(experimentId) : this.statusKey(experimentId, statuses[0]!);
      [ids, total] = await Promise.all([limit === 0 ? Promise.resolve([]) : this.redis.zrange(key, offset, String(offset + limit - 1)), this.redis.zcard(key)]);
    } else {
      // Several states: merge their (small) index-ordered sets here.
      const sets = await Promise.all([...new Set(statuses)].map((s) => this.redis.zrange(this.statusKey(experimentId, s), 0, '-1', 'WITHSCORES')));
      const scored: [string, number][] = [];
      for (const flat of sets) for (let i = 0; i < flat.length; i += 2) scored.push([flat[i]!, Number(flat[i + 1])]);
      scored.sort((a, b) => a[1] - b[1]);
      total = scored.length;
      ids = scored.slice(offset, offset + limit).map(([id]) => id);
    }
    const jsons = ids.length > 0 ? await this.redis.hmget(this.trialsKey(experimentId), ...ids) : [];
    const items = jsons.filter((j): j is string => j !== null).map((j) => JSON.parse(j) as TrialRecord);
    return { items, total, offset, limit };
  }

  async countTrials(experimentId: string): Promise<TrialCounts> {
    const counts = emptyCounts();
    const cards = (await COUNT_TRIALS.run(this.redis, this.statusKeys(experimentId), [])) as number[];
    TRIAL_STATUSES.forEach((s, i) => (counts[s] = Number(cards[i] ?? 0)));
    return counts;
  }

  async close(): Promise<void> {
    if (this.owned && this.redis.status !== 'end') await this.redis.quit();
  }

  /** Compare-and-set loop: `change` maps the current trial to the next one, or null to leave it. */
  private async mutateTrial(experimentId: string, trialId: string, change: (t: TrialRecord) => TrialRecord | null): Promise<TrialRecord | null> {
    const keys = [this.trialsKey(experimentId), ...this.statusKeys(experimentId)];
    for (let attempt = 0; attempt < this.maxCasAttempts; attempt++) {
      const json = await this.redis.hget(keys[0]!, trialId);
      if (!json) return null;
      const current = JSON.parse(json) as TrialRecord;
      const next = change(current);
      if (!next) return null;
      const nextJson = JSON.stringify(next);
      const args = [trialId, json, nextJson, current.index, statusPosition(current.status), statusPosition(next.status)];
      if ((await CAS_TRIAL.run(this.redis, keys, args)) === 1) {
        this.remember(experimentId, trialId, nextJson, next.status);
        return next;
      }
    }
    throw new Error(`trial '${trialId}': update still contended after ${this.maxCasAttempts} attempts`);
  }

  /** Each trial's remembered JSON, or else what Redis holds (one HMGET for all those not remembered). */
  private async knownOrStored(experimentId: string, trialIds: readonly string[]): Promise<(string | null)[]> {
    const jsons = trialIds.map((id) => this.known.get(knownKey(experimentId, id)) ?? null);
    const missing = trialIds.filter((_, i) => jsons[i] === null);
    if (missing.length === 0) return jsons;
    const read = await this.redis.hmget(this.trialsKey(experimentId), ...missing);
    let k = 0;
    return jsons.map((j) => j ?? read[k++] ?? null);
  }

  /** Remembers a trial's JSON as written (forgets it once terminal: no more updates expected). */
  private remember(experimentId: string, trialId: string, json: string, status: TrialStatus): void {
    if (this.knownLimit === 0) return;
    const key = knownKey(experimentId, trialId);
    this.known.delete(key); // re-inserted last: the oldest entries are forgotten first
    if (isTerminal(status)) return;
    this.known.set(key, json);
    if (this.known.size > this.knownLimit) this.known.delete(this.known.keys().next().value!);
  }

  private expKey(id: string): string {
    return `${this.prefix}exp:{${id}}`;
  }
  private indexKey(): string {
    return `${this.prefix}experiments`;
  }
  private trialsKey(id: string): string {
    return `${this.expKey(id)}:trials`;
  }
  private orderKey(id: string): string {
    return `${this.expKey(id)}:order`;
  }
  private statusKey(id: string, status: TrialStatus): string {
    return `${this.expKey(id)}:status:${status}`;
  }
  private statusKeys(id: string): string[] {
    return TRIAL_STATUSES.map((s) => this.statusKey(id, s));
  }
}

/** Key of a remembered trial (a NUL cannot occur in either id as sent by the engine). */
function knownKey(experimentId: string, trialId: string): string {
  return `${experimentId}\u0000${trialId}`;
}

/** A client, by its methods (an instance from another copy of ioredis fails `instanceof`). */
function isClient(x: RedisStoreOptions['redis']): x is Redis {
  return typeof x === 'object' && typeof (x as Partial<Redis>).evalsha === 'function' && typeof (x as Partial<Redis>).hget === 'function';
}

/** INSERT_TRIALS' per-trial arguments: id, index, status position, JSON. */
function insertArgs(trials: readonly TrialRecord[], jsons: readonly string[]): (string | number)[] {
  return trials.flatMap((t, i) => [t.id, t.index, statusPosition(t.status), jsons[i]!]);
}

/** 1-based position of a status in TRIAL_STATUSES (the scripts' KEYS order). */
function statusPosition(status: TrialStatus): number {
  const i = TRIAL_STATUSES.indexOf(status);
  if (i < 0) throw new RangeError(`unknown trial status '${String(status)}'`);
  return i + 1;
}
