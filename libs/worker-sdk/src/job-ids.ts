import { createHash } from 'node:crypto';

/**
 * BullMQ job ids of trials. BullMQ rejects custom ids that parse as integers ("42", "-7") or that
 * contain `:`, so a trial id is escaped — injectively, and unchanged in the common case — by
 * percent-encoding `%` and `:`, and, for an id BullMQ would read as an integer, its first
 * character ("42" → "%342").
 */
export function trialJobId(trialId: string): string {
  const escaped = trialId.replace(/%/g, '%25').replace(/:/g, '%3A');
  if (String(Number.parseInt(escaped, 10)) !== escaped) return escaped;
  return `%${escaped.charCodeAt(0).toString(16).toUpperCase()}${escaped.slice(1)}`;
}

/**
 * The BullMQ job id of a pack of trials: `%P` and a digest of the trial ids in order. No trial's
 * job id starts that way (`%` in a trial job id is followed by hex digits), and adding the same
 * pack twice is a no-op, as for a single trial.
 */
export function packJobId(trialIds: readonly string[]): string {
  return `%P${createHash('sha1').update(trialIds.join('\n')).digest('hex')}`;
}

/** How long finished trial jobs are kept by default (re-adding a kept job is a no-op). */
export const FINISHED_RETENTION_SECONDS = 7 * 24 * 3600;

/** BullMQ options of a trial or pack job: its id, one attempt (evaluator failures are final), kept `retentionSeconds` once finished. */
export function trialJobOptions(jobId: string, retentionSeconds = FINISHED_RETENTION_SECONDS): { jobId: string; attempts: number; removeOnComplete: { age: number }; removeOnFail: { age: number } } {
  return { jobId, attempts: 1, removeOnComplete: { age: retentionSeconds }, removeOnFail: { age: retentionSeconds } };
}
