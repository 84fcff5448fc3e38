import type { TrialDispatcher, TrialStatus } from '@apiary/contracts';
import type { EngineLogger, RunnerEvent } from './runner-options.js';
import { listAllTrials, type ExperimentStore, type TrialRecord } from './store/store.js';

/** What {@link abandonTrials} needs. */
export interface AbandonContext {
  store: ExperimentStore;
  dispatcher: TrialDispatcher;
  now: () => number;
  logger: EngineLogger;
  emit: (event: RunnerEvent) => void;
}

/**
 * Withdraws an experiment's trials in the given states: each becomes ABANDONED with `reason`
 * (unless its result won the race, first wins) and its job is cancelled, best effort.
 * @returns the trials this call abandoned.
 */
export async function abandonTrials(ctx: AbandonContext, experimentId: string, evaluator: string, statuses: readonly TrialStatus[], reason: string): Promise<TrialRecord[]> {
  if (statuses.length === 0) return [];
  const abandoned: TrialRecord[] = [];
  for (const t of await listAllTrials(ctx.store, experimentId, statuses)) {
    const finishedAt = ctx.now();
    if (!(await ctx.store.recordOutcome(experimentId, t.id, 'ABANDONED', { error: reason, finishedAt }))) continue;
    abandoned.push({ ...t, status: 'ABANDONED', error: reason, finishedAt });
    ctx.emit({ type: 'trial', experimentId, trialId: t.id, index: t.index, status: 'ABANDONED', error: reason });
    await cancelQuietly(ctx, { experimentId, trialId: t.id, evaluator });
  }
  return abandoned;
}

/** Cancels a job, logging (not throwing) a transport error: cancelling is best effort. */
export async function cancelQuietly(ctx: Pick<AbandonContext, 'dispatcher' | 'logger'>, job: { experimentId: string; trialId: string; evaluator: string }): Promise<void> {
  try {
    await ctx.dispatcher.cancel(job);
  } catch (e) {
    ctx.logger.warn('could not cancel a trial job', { ...job, error: e instanceof Error ? e.message : String(e) });
  }
}
