import type { TrialJob, TrialOutcome } from './trial.js';

/**
 * How trial jobs reach evaluators and results come back, independent of the transport (BullMQ on
 * Redis, or a local pool in embedded mode). The engine talks only to these interfaces.
 */

/** A message from the evaluation side about one trial. */
export type TrialEvent =
  | { kind: 'started'; experimentId: string; trialId: string; worker: string; attempt: number; at: number }
  | { kind: 'intermediate'; experimentId: string; trialId: string; step: number; value: number; at: number }
  | { kind: 'completed'; experimentId: string; trialId: string; worker: string; attempt: number; outcome: TrialOutcome; startedAt: number; at: number }
  | {
      kind: 'failed';
      experimentId: string;
      trialId: string;
      worker: string | null;
      attempt: number;
      reason: string;
      /** True when the transport gave up after retries (worker deaths, stalls), false for an evaluator failure. */
      exhausted: boolean;
      startedAt: number | null;
      at: number;
    };

/** Sends trial jobs to evaluators. */
export interface TrialDispatcher {
  /** Enqueues a job; enqueueing the same trialId twice is a no-op. */
  dispatch(job: TrialJob, options: { maxRetries: number }): Promise<void>;
  /**
   * Enqueues several jobs at once (one round trip where the transport allows), each as
   * {@link dispatch} would. When it rejects, none of them may be assumed enqueued (enqueueing
   * again is a no-op for those that were). Optional: callers fall back to `dispatch` per job.
   */
  dispatchMany?(jobs: readonly TrialJob[], options: { maxRetries: number }): Promise<void>;
  /** Withdraws a job not yet finished (stop, delete); best effort. */
  cancel(job: Pick<TrialJob, 'experimentId' | 'trialId' | 'evaluator'>): Promise<void>;
  /** Starts delivering events to the handler (at-least-once: handlers must be idempotent). */
  subscribe(handler: (event: TrialEvent) => Promise<void> | void): Promise<void>;
  /**
   * Like {@link subscribe}, but hands over whatever events are waiting at once, in arrival order
   * (never an empty batch). A handler that throws gets the batch's events again (at-least-once,
   * possibly in smaller batches). Optional: callers fall back to `subscribe`.
   */
  subscribeBatch?(handler: (events: readonly TrialEvent[]) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
