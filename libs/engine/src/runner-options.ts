import type { TrialDispatcher, TrialEvent, TrialStatus } from '@apiary/contracts';
import type { ExperimentStatus, ExperimentStore } from './store/store.js';

/** Where the engine writes what it does. Nest's Logger or pino fit through a one-line adapter. */
export interface EngineLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** A logger that drops everything (a library prints nothing unless asked). */
export const SILENT_LOGGER: EngineLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Repeats a callback; injectable so that tests drive time themselves. */
export interface RunnerTimer {
  /** Calls `fn` every `ms` milliseconds until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

/** {@link RunnerTimer} on `setInterval`, not keeping the process alive. */
export const INTERVAL_TIMER: RunnerTimer = {
  every(ms, fn) {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return () => clearInterval(handle);
  },
};

/**
 * What the runner reports through `onEvent`, for metrics and live views (the scheduler maps these
 * to Prometheus histograms and counters; the engine does not depend on prom-client).
 */
export type RunnerEvent =
  /** A generation step: `trials` proposed in `generationSeconds` (wall time, model fit included). */
  | {
      type: 'generation';
      experimentId: string;
      trials: number;
      generator: 'sobol' | 'qlognei' | 'thompson';
      generationSeconds: number;
      /** GP fitting time of a model-based step; null for quasi-random ones. */
      fitSeconds: number | null;
      /** Acquisition optimisation time of a model-based step; null for quasi-random ones. */
      acquisitionSeconds: number | null;
    }
  /** A trial entered `status` (counts per status follow from these). */
  | { type: 'trial'; experimentId: string; trialId: string; index: number; status: TrialStatus; error?: string }
  /** An experiment entered `status`. */
  | { type: 'experiment'; experimentId: string; status: ExperimentStatus; reason?: string }
  /** A transport event that changed nothing: a duplicate, a late event, an unknown trial. */
  | { type: 'ignored'; experimentId: string; trialId: string; event: TrialEvent['kind']; reason: string };

export interface ExperimentRunnerOptions {
  /** Where experiments and trials live. */
  store: ExperimentStore;
  /** How trial jobs reach evaluators (BullMQ, or a local pool). The runner subscribes to it. */
  dispatcher: TrialDispatcher;
  /** Clock, in milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
  /** @defaultValue {@link SILENT_LOGGER} */
  logger?: EngineLogger;
  /** Observability hook; errors it throws are logged and otherwise ignored. @defaultValue none */
  onEvent?: (event: RunnerEvent) => void;
  /**
   * Grace after a trial's time limit: RUNNING for `trialTimeoutMs + staleGraceMs` with no result
   * makes it STALE, and after a second grace it is FAILED "timed out". It absorbs clock skew
   * between workers and the scheduler and the worker's own abort at the limit.
   * @defaultValue 30000
   */
  staleGraceMs?: number;
  /** How often {@link ExperimentRunner.checkTimeouts} runs by itself; 0 turns that off. @defaultValue 5000 */
  timeoutCheckIntervalMs?: number;
  /** Drives the periodic timeout check. @defaultValue {@link INTERVAL_TIMER} */
  timer?: RunnerTimer;
  /** New experiment ids (must not contain braces). @defaultValue crypto.randomUUID */
  newId?: () => string;
  /**
   * Fit models and optimise acquisition functions in a worker thread, so that this thread keeps
   * taking results and serving requests while a proposal is computed (a GP step can take
   * seconds). Proposals are the same as on this thread. The scheduler and the CLI turn it on.
   * Experiments with `generation.method: 'sobol'` never use it (they need no model), and the
   * thread starts with the first experiment that does.
   * @defaultValue false
   */
  generationThread?: boolean;
}

/** {@link ExperimentRunnerOptions} with defaults filled in. */
export interface ResolvedRunnerOptions {
  store: ExperimentStore;
  dispatcher: TrialDispatcher;
  now: () => number;
  logger: EngineLogger;
  onEvent: ((event: RunnerEvent) => void) | null;
  staleGraceMs: number;
  timeoutCheckIntervalMs: number;
  timer: RunnerTimer;
  newId: () => string;
  generationThread: boolean;
}

/** Fills in defaults and checks the options. */
export function resolveRunnerOptions(options: ExperimentRunnerOptions): ResolvedRunnerOptions {
  const nonNegative = (name: string, v: number | undefined, dflt: number): number => {
    const x = v ?? dflt;
    if (!Number.isFinite(x) || x < 0) throw new RangeError(`ExperimentRunner: ${name} must be a finite number >= 0, got ${v}`);
    return x;
  };
  if (!options.store) throw new TypeError('ExperimentRunner: options.store is required');
  if (!options.dispatcher) throw new TypeError('ExperimentRunner: options.dispatcher is required');
  return {
    store: options.store,
    dispatcher: options.dispatcher,
    now: options.now ?? Date.now,
    logger: options.logger ?? SILENT_LOGGER,
    onEvent: options.onEvent ?? null,
    staleGraceMs: nonNegative('staleGraceMs', options.staleGraceMs, 30_000),
    timeoutCheckIntervalMs: nonNegative('timeoutCheckIntervalMs', options.timeoutCheckIntervalMs, 5_000),
    timer: options.timer ?? INTERVAL_TIMER,
    newId: options.newId ?? (() => globalThis.crypto.randomUUID()),
    generationThread: options.generationThread ?? false,
  };
}

/** The job id of trial `index` of an experiment: unique across experiments, stable across restarts. */
export function trialIdOf(experimentId: string, index: number): string {
  return `${experimentId}-${index}`;
}
