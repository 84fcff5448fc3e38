import { TRIAL_STATUSES, type ExperimentConfig, type TrialEvent } from '@apiary/contracts';
import { checkOutcome } from './outcome-check.js';
import { applyTrialPatch, isTerminal, type ExperimentStore, type TrialPatch, type TrialRecord } from './store/store.js';

/** What a transport event did to the store. */
export type IntakeResult =
  /** Nothing changed; `reason` says why (logged, reported as an `ignored` runner event). */
  | { kind: 'ignored'; reason: string }
  /** A non-terminal change: started (now RUNNING) or an intermediate value appended. */
  | { kind: 'updated'; trial: TrialRecord }
  /** This event recorded the trial's outcome (COMPLETED or FAILED); `dropped` lists unstorable metrics. */
  | { kind: 'terminal'; trial: TrialRecord; dropped: string[] };

/**
 * Applies one transport event to the store, idempotently: delivery is at-least-once, so a
 * duplicate or late event (for a trial already terminal, or an older attempt) changes nothing and
 * says so. A `completed` event whose values lack the objective or a constrained metric, or hold a
 * non-finite one, fails the trial with the reason.
 */
export async function recordEvent(store: ExperimentStore, config: ExperimentConfig, event: TrialEvent): Promise<IntakeResult> {
  const { experimentId, trialId } = event;
  const trial = await store.getTrial(experimentId, trialId);
  if (!trial) return { kind: 'ignored', reason: 'unknown trial' };
  if (isTerminal(trial.status)) return { kind: 'ignored', reason: `trial is already ${trial.status}; the first result wins` };

  switch (event.kind) {
    case 'started': {
      if (event.attempt < trial.attempts) return { kind: 'ignored', reason: `attempt ${event.attempt} started after attempt ${trial.attempts}` };
      const patch: TrialPatch = { status: 'RUNNING', worker: event.worker, attempts: event.attempt, startedAt: event.at };
      const updated = await store.updateTrial(experimentId, trialId, patch);
      return updated ? { kind: 'updated', trial: updated } : { kind: 'ignored', reason: 'trial became terminal meanwhile' };
    }
    case 'intermediate': {
      const ok = await store.appendIntermediate(experimentId, trialId, { step: event.step, value: event.value });
      return ok ? { kind: 'updated', trial: { ...trial, intermediate: [...trial.intermediate, { step: event.step, value: event.value }] } } : { kind: 'ignored', reason: 'trial became terminal meanwhile' };
    }
    case 'completed': {
      const checked = checkOutcome(event.outcome, config);
      const common: TrialPatch = {
        worker: event.worker,
        attempts: Math.max(trial.attempts, event.attempt),
        startedAt: trial.startedAt ?? event.startedAt,
        finishedAt: event.at,
      };
      if (!checked.ok) return terminal(store, trial, 'FAILED', { ...common, error: checked.reason }, []);
      const patch: TrialPatch = { ...common, values: checked.outcome.values };
      if (checked.outcome.sem && Object.keys(checked.outcome.sem).length > 0) patch.sem = checked.outcome.sem;
      return terminal(store, trial, 'COMPLETED', patch, checked.dropped);
    }
    case 'failed': {
      const patch: TrialPatch = {
        attempts: Math.max(trial.attempts, event.attempt),
        finishedAt: event.at,
        error: event.reason || 'failed (no reason given)',
      };
      if (event.worker !== null) patch.worker = event.worker;
      const startedAt = trial.startedAt ?? event.startedAt ?? undefined;
      if (startedAt !== undefined) patch.startedAt = startedAt;
      return terminal(store, trial, 'FAILED', patch, []);
    }
  }
}

async function terminal(store: ExperimentStore, trial: TrialRecord, status: 'COMPLETED' | 'FAILED', patch: TrialPatch, dropped: string[]): Promise<IntakeResult> {
  if (!(await store.recordOutcome(trial.experimentId, trial.id, status, patch))) {
    return { kind: 'ignored', reason: 'trial became terminal meanwhile; the first result wins' };
  }
  return { kind: 'terminal', trial: applyTrialPatch(trial, { ...patch, status }, TRIAL_STATUSES)!, dropped };
}
