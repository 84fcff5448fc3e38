import type { ExperimentConfig, ParameterValues, TrialStatus } from '@apiary/contracts';
import { TERMINAL_TRIAL_STATUSES, TRIAL_STATUSES } from '@apiary/contracts';

/**
 * The experiment store: where experiments, trials and observations live, so that a restarted
 * scheduler resumes from it. Implementations: {@link MemoryStore} (tests, embedded mode) and
 * {@link RedisStore} (the service). Every method is safe to call concurrently; trial changes are
 * atomic, and a trial's outcome is recorded once (the first wins).
 */

/** An experiment's lifecycle state. */
export type ExperimentStatus = 'RUNNING' | 'STOPPED' | 'COMPLETED' | 'FAILED';

/** A stored experiment. */
export interface ExperimentRecord {
  id: string;
  /** The parsed config, every default filled in. */
  config: ExperimentConfig;
  status: ExperimentStatus;
  /** Why it stopped, completed or failed. */
  reason?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  /** The index the next trial gets (trial indices are allocated from it, never reused). */
  nextIndex: number;
}

/** One recorded intermediate value (`ctx.report(step, value)`). */
export interface IntermediatePoint {
  step: number;
  value: number;
}

/** A stored trial. Times are milliseconds since the epoch. */
export interface TrialRecord {
  /** Unique across experiments; also the transport's job id. */
  id: string;
  experimentId: string;
  /** Position in proposal order within the experiment, from 0. */
  index: number;
  parameters: ParameterValues;
  /** The encoded unit-cube point the optimiser proposed (kept so a rebuilt model fits the same numbers). */
  unit: number[];
  /** What proposed it. */
  generator: 'sobol' | 'qlognei' | 'thompson';
  status: TrialStatus;
  /** Delivery attempts seen so far (the latest `started` event's attempt). */
  attempts: number;
  worker?: string;
  /** Metric values of a completed trial. */
  values?: Record<string, number>;
  /** Standard errors of the mean, where the evaluator reported them. */
  sem?: Record<string, number>;
  /** Why it failed or was abandoned. */
  error?: string;
  intermediate: IntermediatePoint[];
  createdAt: number;
  queuedAt?: number;
  startedAt?: number;
  finishedAt?: number;
}

/** The fields of a trial that a transition may change. */
export type TrialPatch = Partial<Omit<TrialRecord, 'id' | 'experimentId' | 'index' | 'parameters' | 'unit' | 'generator' | 'createdAt' | 'intermediate'>>;

/** The fields of an experiment that may change after creation; `reason: null` removes the reason. */
export interface ExperimentPatch {
  status?: ExperimentStatus;
  reason?: string | null;
  updatedAt?: number;
}

/** The terminal states a trial's outcome can record. */
export type TerminalTrialStatus = 'COMPLETED' | 'FAILED' | 'ABANDONED';

/** Trials per status. */
export type TrialCounts = Record<TrialStatus, number>;

export interface ListTrialsOptions {
  /** Trials to skip, in index order. @defaultValue 0 */
  offset?: number;
  /** Trials to return at most. @defaultValue 100 */
  limit?: number;
  /** Only trials in this state (or these states). @defaultValue every state */
  status?: TrialStatus | readonly TrialStatus[];
}

/** One page of trials, in index order. */
export interface TrialPage {
  items: TrialRecord[];
  /** Trials matching the filter, over all pages. */
  total: number;
  offset: number;
  limit: number;
}

export interface ExperimentStore {
  /** Stores a new experiment. @throws Error if the id exists. */
  createExperiment(record: ExperimentRecord): Promise<void>;
  /** The experiment, or null. */
  getExperiment(id: string): Promise<ExperimentRecord | null>;
  /** Every experiment, oldest first. */
  listExperiments(): Promise<ExperimentRecord[]>;
  /**
   * Applies `patch`, atomically; with `ifStatus`, only while the experiment is in that state.
   * @returns the updated record, or null if there is no such experiment or its state differed.
   */
  updateExperiment(id: string, patch: ExperimentPatch, ifStatus?: ExperimentStatus): Promise<ExperimentRecord | null>;
  /** Removes the experiment and all its trials. @returns whether it existed. */
  deleteExperiment(id: string): Promise<boolean>;
  /**
   * Reserves `n` consecutive trial indices, atomically. @returns the first.
   * @throws Error if there is no such experiment.
   */
  allocateTrialIndices(experimentId: string, n: number): Promise<number>;
  /** Stores new trials (indices from {@link allocateTrialIndices}). Ids that exist are left alone. */
  insertTrials(experimentId: string, trials: readonly TrialRecord[]): Promise<void>;
  /**
   * Allocation and insert in one atomic step, for a caller that expects the next index to be
   * `first`: if it is, reserves `trials.length` indices from it and stores the trials (whose
   * indices must be `first`, `first + 1`, …); otherwise (another caller allocated meanwhile)
   * changes nothing. @returns whether it stored them.
   * @throws Error if there is no such experiment.
   */
  insertTrialsAt(experimentId: string, first: number, trials: readonly TrialRecord[]): Promise<boolean>;
  /** The trial, or null. */
  getTrial(experimentId: string, trialId: string): Promise<TrialRecord | null>;
  /** The trials with these ids, in the same order (null for an absent one), read at once. */
  getTrials(experimentId: string, trialIds: readonly string[]): Promise<(TrialRecord | null)[]>;
  /**
   * Applies a non-terminal transition `patch`, atomically, while the trial is in one of `from`.
   * @param from states in which the change applies. @defaultValue every non-terminal state
   * @returns the updated trial, or null if it does not exist or was in another state.
   */
  updateTrial(experimentId: string, trialId: string, patch: TrialPatch, from?: readonly TrialStatus[]): Promise<TrialRecord | null>;
  /**
   * Moves a trial to a terminal state with `patch`, atomically, unless it is already terminal:
   * a result is recorded once, the first wins.
   * @returns true if this call recorded it; false (nothing changed) if the trial was already
   *   terminal or does not exist.
   */
  recordOutcome(experimentId: string, trialId: string, status: TerminalTrialStatus, patch: TrialPatch): Promise<boolean>;
  /**
   * Changes several trials of one experiment at once: `change` maps a trial's current record to
   * the next one, or to null to leave it as it is. Each trial's change is atomic (a
   * compare-and-set: for a trial that changed meanwhile, `change` is called again with the fresh
   * record), the batch as a whole is not. On Redis an uncontended batch is one script, plus one read
   * of the trials this store did not write last (RedisStore's `knownTrials`).
   * `change` must be a pure function of its argument, which it must not modify: it may be called
   * more than once per trial, and its argument is the record returned.
   * @returns per trial that exists, the record that `change` was last given; when `change`
   *   returned a record for it, that record is what is stored now. Absent ids are left out.
   */
  updateTrials(experimentId: string, trialIds: readonly string[], change: (current: TrialRecord) => TrialRecord | null): Promise<Map<string, TrialRecord>>;
  /** Appends an intermediate value to a non-terminal trial. @returns false if it is terminal or absent. */
  appendIntermediate(experimentId: string, trialId: string, point: IntermediatePoint): Promise<boolean>;
  /** A page of trials in index order. */
  listTrials(experimentId: string, options?: ListTrialsOptions): Promise<TrialPage>;
  /** Trials per status (zeros for an unknown experiment). */
  countTrials(experimentId: string): Promise<TrialCounts>;
  /** Releases connections the store opened. */
  close(): Promise<void>;
}

/** @defaultValue of {@link ListTrialsOptions.limit}. */
export const DEFAULT_TRIAL_PAGE_LIMIT = 100;

/** States a trial is still in flight in (counted against `parallelism`). */
export const IN_FLIGHT_TRIAL_STATUSES: readonly TrialStatus[] = ['CANDIDATE', 'QUEUED', 'RUNNING', 'STALE'];

/** Whether a trial in this state never changes again. */
export function isTerminal(status: TrialStatus): boolean {
  return TERMINAL_TRIAL_STATUSES.includes(status);
}

/** The precondition of {@link ExperimentStore.insertTrialsAt}: indices `first`, `first + 1`, … in order. */
export function checkConsecutiveIndices(first: number, trials: readonly TrialRecord[]): void {
  trials.forEach((t, i) => {
    if (t.index !== first + i) throw new RangeError(`insertTrialsAt: trial ${t.id} has index ${t.index}, expected ${first + i}`);
  });
}

/** Zero for every status. */
export function emptyCounts(): TrialCounts {
  return Object.fromEntries(TRIAL_STATUSES.map((s) => [s, 0])) as TrialCounts;
}

/** The sum over the given states (all by default). */
export function sumCounts(counts: TrialCounts, statuses: readonly TrialStatus[] = TRIAL_STATUSES): number {
  return statuses.reduce((n, s) => n + counts[s], 0);
}

/** Options resolved and checked: offset and limit non-negative integers, statuses known. */
export function resolveListOptions(options: ListTrialsOptions = {}): { offset: number; limit: number; statuses: readonly TrialStatus[] | null } {
  const offset = options.offset ?? 0;
  const limit = options.limit ?? DEFAULT_TRIAL_PAGE_LIMIT;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be an integer >= 0, got ${offset}`);
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be an integer >= 0, got ${limit}`);
  const s = options.status;
  const statuses = s === undefined ? null : typeof s === 'string' ? [s] : [...s];
  for (const st of statuses ?? []) {
    if (!TRIAL_STATUSES.includes(st)) throw new RangeError(`unknown trial status '${String(st)}'; expected one of ${TRIAL_STATUSES.join(', ')}`);
  }
  return { offset, limit, statuses };
}

/**
 * The trial after a transition, or null when the transition does not apply (the trial is not in
 * one of `from`). `patch` fields set to undefined are left as they were. Shared by the stores so
 * that they agree on the rules.
 */
export function applyTrialPatch(trial: TrialRecord, patch: TrialPatch, from: readonly TrialStatus[]): TrialRecord | null {
  if (!from.includes(trial.status)) return null;
  const next: TrialRecord = { ...trial };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
  return next;
}

/** The experiment after `patch` (undefined fields left alone, a null reason removed). */
export function applyExperimentPatch<R extends Omit<ExperimentRecord, 'nextIndex'>>(record: R, patch: ExperimentPatch): R {
  const next = { ...record };
  if (patch.status !== undefined) next.status = patch.status;
  if (patch.updatedAt !== undefined) next.updatedAt = patch.updatedAt;
  if (patch.reason === null) delete next.reason;
  else if (patch.reason !== undefined) next.reason = patch.reason;
  return next;
}

/** Non-terminal states: where {@link ExperimentStore.updateTrial} and {@link ExperimentStore.recordOutcome} apply by default. */
export const NON_TERMINAL_TRIAL_STATUSES: readonly TrialStatus[] = TRIAL_STATUSES.filter((s) => !TERMINAL_TRIAL_STATUSES.includes(s));

/** Every trial matching `status`, in index order, read page by page. */
export async function listAllTrials(store: ExperimentStore, experimentId: string, status?: TrialStatus | readonly TrialStatus[], pageSize = 1000): Promise<TrialRecord[]> {
  const out: TrialRecord[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await store.listTrials(experimentId, { offset, limit: pageSize, ...(status !== undefined ? { status } : {}) });
    out.push(...page.items);
    if (page.items.length < pageSize || offset + pageSize >= page.total) return out;
  }
}
