import { groupBy, type ExperimentConfig, type TrialEvent } from '@apiary/contracts';
import { checkOutcome } from './outcome-check.js';
import { applyTrialPatch, isTerminal, NON_TERMINAL_TRIAL_STATUSES, type ExperimentStore, type TrialPatch, type TrialRecord } from './store/store.js';

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
  const [result] = await recordEvents(store, config, [event]);
  return result!;
}

/**
 * {@link recordEvent} for a batch of events of one experiment, in order: the trials they name
 * are read and changed with one {@link ExperimentStore.updateTrials} call, each trial's events
 * applied one after another to it (a `started` and the `completed` of the same trial in one batch
 * both count). @returns one result per event, in the events' order.
 */
export async function recordEvents(store: ExperimentStore, config: ExperimentConfig, events: readonly TrialEvent[]): Promise<IntakeResult[]> {
  const experimentId = events[0]?.experimentId;
  if (experimentId === undefined) return [];
  for (const e of events) {
    if (e.experimentId !== experimentId) throw new RangeError(`recordEvents: events of experiments '${experimentId}' and '${e.experimentId}' in one batch`);
  }
  const byTrial = groupBy(events.keys(), (i) => events[i]!.trialId);
  const eventsOf = (trialId: string): TrialEvent[] => (byTrial.get(trialId) ?? []).map((i) => events[i]!);
  const before = await store.updateTrials(experimentId, [...byTrial.keys()], (t) => foldEvents(t, eventsOf(t.id), config).next);
  // Replay each trial's events on the record the stored change was computed from (foldEvents is pure).
  const results: IntakeResult[] = [];
  for (const [trialId, indices] of byTrial) {
    const trial = before.get(trialId);
    const outcomes = trial ? foldEvents(trial, eventsOf(trialId), config).results : [];
    indices.forEach((at, k) => (results[at] = outcomes[k] ?? { kind: 'ignored', reason: 'unknown trial' }));
  }
  return results;
}

/**
 * The trial after a trial's events, applied in order (null when none changed it), and what each
 * did. Pure: the store may call it again on a fresher record (compare-and-set).
 */
export function foldEvents(trial: TrialRecord, events: readonly TrialEvent[], config: ExperimentConfig): { next: TrialRecord | null; results: IntakeResult[] } {
  let current = trial;
  let changed = false;
  const results = events.map((event) => {
    const result = applyEvent(current, event, config);
    if (result.kind !== 'ignored') {
      current = result.trial;
      changed = true;
    }
    return result;
  });
  return { next: changed ? current : null, results };
}

/** One event on one trial, in memory. */
function applyEvent(trial: TrialRecord, event: TrialEvent, config: ExperimentConfig): IntakeResult {
  if (isTerminal(trial.status)) return { kind: 'ignored', reason: `trial is already ${trial.status}; the first result wins` };
  switch (event.kind) {
    case 'started': {
      if (event.attempt < trial.attempts) return { kind: 'ignored', reason: `attempt ${event.attempt} started after attempt ${trial.attempts}` };
      // Redelivered (the consumer died before acknowledging it): already recorded.
      if (trial.attempts === event.attempt && trial.startedAt === event.at && trial.worker === event.worker && (trial.status === 'RUNNING' || trial.status === 'STALE')) {
        return { kind: 'ignored', reason: `duplicate 'started' event of attempt ${event.attempt}` };
      }
      return updated(trial, { status: 'RUNNING', worker: event.worker, attempts: event.attempt, startedAt: event.at });
    }
    case 'intermediate': {
      if (trial.intermediate.some((p) => p.step === event.step && p.value === event.value)) return { kind: 'ignored', reason: `duplicate intermediate value at step ${event.step}` };
      return { kind: 'updated', trial: { ...trial, intermediate: [...trial.intermediate, { step: event.step, value: event.value }] } };
    }
    case 'completed': {
      const checked = checkOutcome(event.outcome, config);
      const common: TrialPatch = {
        worker: event.worker,
        attempts: Math.max(trial.attempts, event.attempt),
        startedAt: trial.startedAt ?? event.startedAt,
        finishedAt: event.at,
      };
      if (!checked.ok) return terminal(trial, 'FAILED', { ...common, error: checked.reason }, []);
      const patch: TrialPatch = { ...common, values: checked.outcome.values };
      if (checked.outcome.sem && Object.keys(checked.outcome.sem).length > 0) patch.sem = checked.outcome.sem;
      return terminal(trial, 'COMPLETED', patch, checked.dropped);
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
      return terminal(trial, 'FAILED', patch, []);
    }
  }
}

function updated(trial: TrialRecord, patch: TrialPatch): IntakeResult {
  return { kind: 'updated', trial: applyTrialPatch(trial, patch, NON_TERMINAL_TRIAL_STATUSES)! };
}

function terminal(trial: TrialRecord, status: 'COMPLETED' | 'FAILED', patch: TrialPatch, dropped: string[]): IntakeResult {
  return { kind: 'terminal', trial: applyTrialPatch(trial, { ...patch, status }, NON_TERMINAL_TRIAL_STATUSES)!, dropped };
}
