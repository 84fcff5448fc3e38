import type { TrialEvent } from '@apiary/contracts';
import type { Job } from 'bullmq';
import { trialIdsOf } from './trial-message.js';

/**
 * The `failed` events (`exhausted: true`) for a trial job that BullMQ itself moved to `failed`:
 * stalled past BullMQ's limit, started too often, or invalid — one per trial of a pack. Evaluator
 * failures never end up there (the worker completes those jobs after publishing the failure).
 */
export function exhaustedEvents(job: Job): Extract<TrialEvent, { kind: 'failed' }>[] {
  const ids = trialIdsOf(job.data);
  if (ids.length === 0) ids.push({ experimentId: '', trialId: String(job.id ?? '') });
  const reason = exhaustedReason(job);
  return ids.map(({ experimentId, trialId }) => ({
    kind: 'failed',
    experimentId,
    trialId,
    worker: job.processedBy ?? null,
    attempt: Math.max(1, job.attemptsStarted),
    reason,
    exhausted: true,
    startedAt: job.processedOn ?? null,
    at: job.finishedOn ?? Date.now(),
  }));
}

/** Why BullMQ failed a trial job, in the words of a trial's failure. */
export function exhaustedReason(job: Job): string {
  const why = job.failedReason ?? '';
  if (/stalled more than allowable limit/i.test(why)) return `worker lost ${job.stalledCounter} ${job.stalledCounter === 1 ? 'time' : 'times'} (stalled)`;
  if (/started more than allowable limit/i.test(why)) return `worker lost ${Math.max(0, job.attemptsStarted - 1)} times (started ${job.attemptsStarted} times)`;
  return `trial job failed in the queue: ${why || 'no reason recorded'}`;
}
