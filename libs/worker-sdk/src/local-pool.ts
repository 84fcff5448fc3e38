import { availableParallelism } from 'node:os';
import { parseOrThrow, TrialJobSchema, type TrialDispatcher, type TrialEvent, type TrialJob } from '@apiary/contracts';
import { EvaluationError, messageOf } from './errors.js';
import type { Evaluator } from './evaluator.js';
import type { EvaluatorSpec } from './evaluator-spec.js';
import { EventChannel } from './event-channel.js';
import { shutdownReason, cancelledReason } from './execute-trial.js';
import { loadEvaluator, type LoadEvaluatorOptions } from './load-evaluator.js';
import type { ClosableEvaluator } from './thread-evaluator.js';
import { runTrialWithEvents } from './trial-events.js';

/**
 * An evaluator for the local pool: a spec string (`./fn.mjs`, `cmd:…`, `https://…`), a parsed
 * spec, or a function (run in this thread: its time limit then relies on it honouring its signal).
 */
export type EvaluatorSource = string | EvaluatorSpec | Evaluator;

/** Options of {@link LocalPool.start}. */
export interface LocalPoolOptions extends LoadEvaluatorOptions {
  /** The evaluators, by name. Module specs run in worker threads (see createThreadEvaluator). */
  evaluators: Readonly<Record<string, EvaluatorSource>>;
  /** Trials run at once, over all evaluators. @defaultValue `os.availableParallelism()` */
  concurrency?: number;
  /** The worker name in events. @defaultValue 'local' */
  workerName?: string;
  /** The objective's name of an experiment. @defaultValue none: see normalizeOutcome */
  objectiveFor?: (experimentId: string) => string | undefined;
  /** Called when the subscriber's handler failed 5 times on one event (it is then dropped). @defaultValue `process.emitWarning` */
  onError?: (error: Error, event: TrialEvent) => void;
}

type TrialState = { job: TrialJob; state: 'queued' } | { job: TrialJob; state: 'running'; controller: AbortController; done: Promise<void> } | { job: TrialJob; state: 'done' };

/**
 * Embedded mode's transport: runs trials in this process tree, no Redis. Module evaluators run in
 * worker threads — chosen over child processes because a thread starts in milliseconds, shares
 * the parent's module resolution and passes parameters by structured clone, while
 * `Worker.terminate()` still stops a synchronous infinite loop, which is what the time limit needs.
 * Command and HTTP evaluators are out of process already and run from this thread.
 *
 * Events follow the BullMQ path: `started`, `intermediate`, then `completed` or `failed`
 * (`exhausted: false`); they are delivered in order, at least once, buffered until `subscribe`.
 * `maxRetries` has no use here: there is no worker to lose without losing the pool itself (a
 * crashed evaluator thread fails its trial like any evaluator failure).
 */
export class LocalPool implements TrialDispatcher {
  private readonly trials = new Map<string, TrialState>();
  private readonly queue: string[] = [];
  private readonly channel: EventChannel<TrialEvent>;
  private running = 0;
  private closed = false;

  private constructor(
    private readonly evaluators: ReadonlyMap<string, Evaluator>,
    private readonly closables: readonly ClosableEvaluator[],
    private readonly options: LocalPoolOptions,
  ) {
    const onError = options.onError ?? ((e: Error) => process.emitWarning(e));
    this.channel = new EventChannel<TrialEvent>({ onError: (e, event) => onError(new Error(`event ${event.kind} of trial ${event.trialId} was not handled: ${messageOf(e)}`), event) });
  }

  /** Loads the evaluators (module specs are imported in a first thread now) and returns the pool. */
  static async start(options: LocalPoolOptions): Promise<LocalPool> {
    const evaluators = new Map<string, Evaluator>();
    const closables: ClosableEvaluator[] = [];
    try {
      for (const [name, source] of Object.entries(options.evaluators)) {
        if (typeof source === 'function') {
          evaluators.set(name, source);
          continue;
        }
        // Keep one loaded thread per slot, so module state survives between trials.
        const concurrency = options.concurrency ?? availableParallelism();
        const loaded = await loadEvaluator(source, { ...options, thread: { maxIdleThreads: concurrency, ...options.thread } });
        closables.push(loaded);
        evaluators.set(name, loaded.evaluator);
      }
    } catch (e) {
      await Promise.all(closables.map((c) => c.close()));
      throw e;
    }
    return new LocalPool(evaluators, closables, options);
  }

  /** Trials running now. */
  get active(): number {
    return this.running;
  }

  async dispatch(job: TrialJob, _options: { maxRetries: number }): Promise<void> {
    if (this.closed) throw new Error('LocalPool is closed');
    const parsed = parseOrThrow(TrialJobSchema, job, 'trial job');
    if (!this.evaluators.has(parsed.evaluator)) throw new Error(`no evaluator named "${parsed.evaluator}" in this pool; it serves ${[...this.evaluators.keys()].join(', ')}`);
    if (this.trials.has(parsed.trialId)) return;
    this.trials.set(parsed.trialId, { job: parsed, state: 'queued' });
    this.queue.push(parsed.trialId);
    this.pump();
  }

  async cancel(job: Pick<TrialJob, 'experimentId' | 'trialId' | 'evaluator'>): Promise<void> {
    const trial = this.trials.get(job.trialId);
    if (trial?.state === 'queued') {
      this.queue.splice(this.queue.indexOf(job.trialId), 1);
      this.trials.set(job.trialId, { job: trial.job, state: 'done' });
    } else if (trial?.state === 'running') {
      trial.controller.abort(cancelledReason());
    }
  }

  async subscribe(handler: (event: TrialEvent) => Promise<void> | void): Promise<void> {
    this.channel.subscribe(handler);
  }

  /** Stops taking trials, aborts running ones (no end event), stops the evaluator threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    const running = [...this.trials.values()].flatMap((t) => (t.state === 'running' ? [t] : []));
    for (const t of running) t.controller.abort(shutdownReason());
    await Promise.all(running.map((t) => t.done));
    await Promise.all(this.closables.map((c) => c.close()));
    await this.channel.close();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? availableParallelism();
    while (!this.closed && this.running < limit) {
      const id = this.queue.shift();
      if (id === undefined) return;
      const trial = this.trials.get(id);
      if (trial?.state !== 'queued') continue;
      this.start(trial.job);
    }
  }

  private start(job: TrialJob): void {
    const evaluator = this.evaluators.get(job.evaluator);
    if (!evaluator) return;
    const controller = new AbortController();
    const worker = this.options.workerName ?? 'local';
    this.running++;
    const done = runTrialWithEvents({
      evaluator,
      job,
      worker,
      attempt: 1,
      objective: this.options.objectiveFor?.(job.experimentId),
      signal: controller.signal,
      publish: async (event) => this.channel.push(event),
    })
      .then(
        () => undefined,
        (e: unknown) => {
          if (e instanceof EvaluationError && e.kind === 'shutdown') return;
          const at = Date.now();
          this.channel.push({ kind: 'failed', experimentId: job.experimentId, trialId: job.trialId, worker, attempt: 1, reason: `local pool error: ${messageOf(e)}`, exhausted: false, startedAt: null, at });
        },
      )
      .finally(() => {
        this.running--;
        this.trials.set(job.trialId, { job, state: 'done' });
        this.pump();
      });
    this.trials.set(job.trialId, { job, state: 'running', controller, done });
  }
}
