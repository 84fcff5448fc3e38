import { parseOrThrow, TrialJobSchema, type TrialJob } from '@apiary/contracts';

/**
 * A trial job as it travels in a `trials.<evaluator>` queue: the TrialJob plus `maxRetries`, the
 * number of worker losses (stalls) the trial survives. BullMQ's own stall limit is a Worker
 * option, shared by every job of a queue, while the limit belongs to the experiment; so the
 * dispatcher carries it with the job and the worker enforces it (see {@link stallVerdict}).
 */
export type TrialMessage = TrialJob & { maxRetries?: number };

/** A trial job as sent to a trials queue. */
export function toTrialMessage(job: TrialJob, maxRetries: number): TrialMessage {
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`maxRetries must be a non-negative integer, got ${maxRetries}`);
  return { ...parseOrThrow(TrialJobSchema, job, 'trial job'), maxRetries };
}

/** Splits and validates a trials-queue job's data; throws ValidationError with every problem. */
export function parseTrialMessage(data: unknown): { job: TrialJob; maxRetries: number | undefined } {
  if (data === null || typeof data !== 'object') return { job: parseOrThrow(TrialJobSchema, data, 'trial job'), maxRetries: undefined };
  const { maxRetries, ...rest } = data as Record<string, unknown>;
  const job = parseOrThrow(TrialJobSchema, rest, 'trial job');
  if (maxRetries === undefined) return { job, maxRetries: undefined };
  if (typeof maxRetries !== 'number' || !Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new TypeError(`invalid trial job: maxRetries must be a non-negative integer, got ${JSON.stringify(maxRetries)}`);
  }
  return { job, maxRetries };
}

/**
 * Whether a trial that came back after `stalls` worker losses may run again: null if so, else
 * the reason it fails with ("worker lost 3 times (stalled); retry limit 2").
 */
export function stallVerdict(stalls: number, maxRetries: number): string | null {
  if (stalls <= maxRetries) return null;
  return `worker lost ${stalls} ${stalls === 1 ? 'time' : 'times'} (stalled); retry limit ${maxRetries}`;
}
