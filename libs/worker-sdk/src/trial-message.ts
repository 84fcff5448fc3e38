import { parseOrThrow, TrialJobSchema, type TrialJob } from '@apiary/contracts';
import { packJobId, trialJobId, trialJobOptions } from './job-ids.js';

/**
 * A trial job as it travels in a `trials.<evaluator>` queue: the TrialJob plus `maxRetries`, the
 * number of worker losses (stalls) the trial survives. BullMQ's own stall limit is a Worker
 * option, shared by every job of a queue, while the limit belongs to the experiment; so the
 * dispatcher carries it with the job and the worker enforces it (see {@link stallVerdict}).
 */
export type TrialMessage = TrialJob & { maxRetries?: number };

/**
 * Several short trials of one experiment in one BullMQ job (name {@link PACK_JOB_NAME}; see
 * BullmqDispatcher's `packing`): a worker runs them one after another in one slot, publishing
 * each trial's events as it would for a job of its own. `maxRetries` applies to each.
 */
export interface TrialPackMessage {
  pack: TrialJob[];
  maxRetries?: number;
  /**
   * The attempt number of the job's first run: a pack handed back by a worker (the trials behind
   * a long one) continues the count of the job it came from. @defaultValue 1
   */
  firstAttempt?: number;
}

/** BullMQ job names in a trials queue: one trial, or a pack of trials. */
export const TRIAL_JOB_NAME = 'trial';
export const PACK_JOB_NAME = 'trials';

/** A BullMQ job of a trials queue, ready for `add` / `addBulk`. */
export interface TrialQueueJob {
  name: string;
  data: TrialMessage | TrialPackMessage;
  opts: ReturnType<typeof trialJobOptions>;
}

/**
 * What to add for these trials: a job of its own for a lone trial (its id the trial's, see
 * trialJobId) unless `asPack`, else a pack (its id a digest of the trial ids, see packJobId).
 */
export function trialQueueJob(jobs: readonly TrialJob[], maxRetries: number, options: { retentionSeconds?: number; asPack?: boolean; firstAttempt?: number } = {}): TrialQueueJob {
  if (jobs.length === 1 && !options.asPack) return { name: TRIAL_JOB_NAME, data: toTrialMessage(jobs[0]!, maxRetries), opts: trialJobOptions(trialJobId(jobs[0]!.trialId), options.retentionSeconds) };
  const data = toPackMessage(jobs, maxRetries);
  if (options.firstAttempt !== undefined && options.firstAttempt > 1) data.firstAttempt = options.firstAttempt;
  return { name: PACK_JOB_NAME, data, opts: trialJobOptions(packJobId(jobs.map((j) => j.trialId)), options.retentionSeconds) };
}

/** A trial job as sent to a trials queue. */
export function toTrialMessage(job: TrialJob, maxRetries: number): TrialMessage {
  return { ...parseOrThrow(TrialJobSchema, job, 'trial job'), maxRetries: checkedMaxRetries(maxRetries) };
}

/** Several trial jobs as one pack for a trials queue. */
export function toPackMessage(jobs: readonly TrialJob[], maxRetries: number): TrialPackMessage {
  if (jobs.length === 0) throw new RangeError('a trial pack needs at least one trial');
  return { pack: jobs.map((job) => parseOrThrow(TrialJobSchema, job, 'trial job')), maxRetries: checkedMaxRetries(maxRetries) };
}

/** Splits and validates a trials-queue job's data; throws ValidationError with every problem. */
export function parseTrialMessage(data: unknown): { job: TrialJob; maxRetries: number | undefined } {
  if (data === null || typeof data !== 'object') return { job: parseOrThrow(TrialJobSchema, data, 'trial job'), maxRetries: undefined };
  const { maxRetries, ...rest } = data as Record<string, unknown>;
  return { job: parseOrThrow(TrialJobSchema, rest, 'trial job'), maxRetries: parsedMaxRetries(maxRetries) };
}

/**
 * The trials of a trials-queue job, one or a pack (by its data: a pack has a `pack` array), and
 * their stall limit; throws (ValidationError, TypeError) naming the problem.
 */
export function parseTrialJobData(data: unknown): { jobs: TrialJob[]; maxRetries: number | undefined; firstAttempt: number } {
  if (!isPackData(data)) {
    const { job, maxRetries } = parseTrialMessage(data);
    return { jobs: [job], maxRetries, firstAttempt: 1 };
  }
  const { pack, maxRetries, firstAttempt = 1 } = data;
  if (!Array.isArray(pack) || pack.length === 0) throw new TypeError('invalid trial pack: pack must be a non-empty array of trial jobs');
  if (typeof firstAttempt !== 'number' || !Number.isInteger(firstAttempt) || firstAttempt < 1) throw new TypeError(`invalid trial pack: firstAttempt must be an integer ≥ 1, got ${JSON.stringify(firstAttempt)}`);
  return { jobs: pack.map((job, i) => parseOrThrow(TrialJobSchema, job, `trial job ${i} of the pack`)), maxRetries: parsedMaxRetries(maxRetries), firstAttempt };
}

/**
 * The experiment and trial ids a trials-queue job carries, as far as they can be read from data
 * that may be invalid (for the failure events of jobs BullMQ failed).
 */
export function trialIdsOf(data: unknown): { experimentId: string; trialId: string }[] {
  const idsOf = (d: unknown): { experimentId: string; trialId: string } | null => {
    if (d === null || typeof d !== 'object') return null;
    const { experimentId, trialId } = d as Record<string, unknown>;
    return typeof trialId === 'string' ? { experimentId: typeof experimentId === 'string' ? experimentId : '', trialId } : null;
  };
  if (isPackData(data)) return Array.isArray(data.pack) ? data.pack.map(idsOf).filter((x) => x !== null) : [];
  const one = idsOf(data);
  return one ? [one] : [];
}

/**
 * Whether a trial that came back after `stalls` worker losses may run again: null if so, else
 * the reason it fails with ("worker lost 3 times (stalled); retry limit 2").
 */
export function stallVerdict(stalls: number, maxRetries: number): string | null {
  if (stalls <= maxRetries) return null;
  return `worker lost ${stalls} ${stalls === 1 ? 'time' : 'times'} (stalled); retry limit ${maxRetries}`;
}

/** Whether a trials-queue job's data is a pack's (it has a `pack` field), however valid. */
function isPackData(data: unknown): data is Record<string, unknown> & { pack: unknown } {
  return data !== null && typeof data === 'object' && 'pack' in data;
}

function checkedMaxRetries(maxRetries: number): number {
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`maxRetries must be a non-negative integer, got ${maxRetries}`);
  return maxRetries;
}

function parsedMaxRetries(maxRetries: unknown): number | undefined {
  if (maxRetries === undefined) return undefined;
  if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new TypeError(`invalid trial job: maxRetries must be a non-negative integer, got ${JSON.stringify(maxRetries)}`);
  }
  return maxRetries;
}
