import type { TrialEvent, TrialJob } from '@apiary/contracts';
import { EvaluationError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { executeTrial } from './execute-trial.js';

/** The events that end a trial. */
export type TerminalTrialEvent = Extract<TrialEvent, { kind: 'completed' | 'failed' }>;

/** What {@link runTrialWithEvents} needs. */
export interface TrialRun {
  evaluator: Evaluator;
  job: TrialJob;
  /** The worker's name, carried by the events. */
  worker: string;
  /** The attempt number (1 for the first run). */
  attempt: number;
  /** The objective's name, if known. */
  objective?: string | undefined;
  /** Cancellation or shutdown (see executeTrial's `signal`). */
  signal?: AbortSignal | undefined;
  /**
   * Delivers one event. Events must reach the transport in the order of the calls (the BullMQ
   * transport's publisher issues each on one connection synchronously); the end event is awaited.
   */
  publish(event: TrialEvent): Promise<void>;
  /** Called when publishing an intermediate value fails (they are best effort). */
  onPublishError?: ((error: unknown) => void) | undefined;
  /**
   * Publish `started` only once the trial has run this long (or reported an intermediate value):
   * a trial that ends sooner publishes its end event alone, which carries `startedAt` and the
   * worker. Halves the events of short trials. @defaultValue 0 (at once)
   */
  startedDelayMs?: number | undefined;
}

/**
 * Runs a trial the way every transport does: publishes `started` (without waiting for it; after
 * `startedDelayMs` if set, and not at all if the trial ends sooner), runs executeTrial (publishing
 * each `ctx.report` as an `intermediate` event, after `started`), then publishes `completed` or
 * `failed` (`exhausted: false`: an evaluator failure is final) and returns that last event. A
 * trial stopped because the worker shuts down publishes no end event: the EvaluationError of kind
 * `shutdown` is rethrown, so that the transport can hand the trial to another worker.
 */
export async function runTrialWithEvents(run: TrialRun): Promise<TerminalTrialEvent> {
  const { job, worker, attempt } = run;
  const ids = { experimentId: job.experimentId, trialId: job.trialId };
  const startedAt = Date.now();
  // Not awaited before the evaluation starts (a round trip less per trial); awaited before the end.
  let started: Promise<void> | null = null;
  const publishStarted = (): void => {
    if (started) return;
    started = run.publish({ kind: 'started', ...ids, worker, attempt, at: startedAt });
    started.catch(() => undefined); // observed below; keeps a failure that precedes it from being unhandled
  };
  const startedDelayMs = run.startedDelayMs ?? 0;
  const startTimer = startedDelayMs > 0 ? setTimeout(publishStarted, startedDelayMs) : undefined;
  if (startTimer === undefined) publishStarted();

  let reports: Promise<void> = Promise.resolve();
  const onReport = (step: number, value: number): void => {
    publishStarted(); // issued now, so that it precedes the intermediate value
    reports = reports.then(() => run.publish({ kind: 'intermediate', ...ids, step, value, at: Date.now() })).catch((e: unknown) => run.onPublishError?.(e));
  };

  let end: TerminalTrialEvent;
  try {
    const objective = job.objective ?? run.objective;
    const outcome = await executeTrial(run.evaluator, job, { ...(objective ? { objective } : {}), onReport, signal: run.signal, attempt });
    end = { kind: 'completed', ...ids, worker, attempt, outcome, startedAt, at: Date.now() };
  } catch (e) {
    if (!(e instanceof EvaluationError) || e.kind === 'shutdown') throw e;
    end = { kind: 'failed', ...ids, worker, attempt, reason: e.reason, exhausted: false, startedAt, at: Date.now() };
  } finally {
    clearTimeout(startTimer);
  }
  if (started) await started;
  await reports;
  await run.publish(end);
  return end;
}
