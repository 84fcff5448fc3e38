import type { TrialEvent } from '@apiary/contracts';
import type { Job } from 'bullmq';

/**
 * The `failed` event (`exhausted: true`) for a trial job that BullMQ itself moved to `failed`:
 * stalled past BullMQ's limit, started too often, or invalid. Evaluator failures never end up
 * there (the worker completes those jobs after publishing the failure).
 */
export function exhaustedEvent(job: Job): Extract<TrialEvent, { kind: 'failed' }> {
  const data = (job.data ?? {}) as Record<string, unknown>;
  return {
    kind: 'failed',
    experimentId: typeof data['experimentId'] === 'string' ? data['experimentId'] : '',
    trialId: typeof data['trialId'] === 'string' ? data['trialId'] : String(job.id ?? ''),
    worker: job.processedBy ?? null,
    attempt: Math.max(1, job.attemptsStarted),
    reason: exhaustedReason(job),
    exhausted: true,
    startedAt: job.processedOn ?? null,
    at: job.finishedOn ?? Date.now(),
  };
}

/** Why BullMQ failed a trial job, in the words of a trial's failure. */
export function exhaustedReason(job: Job): string {
  const why = job.failedReason ?? '';
  if (/stalled more than allowable limit/i.test(why)) return `worker lost ${job.stalledCounter} ${job.stalledCounter === 1 ? 'time' : 'times'} (stalled)`;
  if (/started more than allowable limit/i.test(why)) return `worker lost ${Math.max(0, job.attemptsStarted - 1)} times (started ${job.attemptsStarted} times)`;
  return `trial job failed in the queue: ${why || 'no reason recorded'}`;
}
