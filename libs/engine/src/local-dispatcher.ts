import type { TrialDispatcher, TrialEvent, TrialJob, TrialOutcome } from '@apiary/contracts';
import { SILENT_LOGGER, type EngineLogger } from './runner-options.js';

/** What a local evaluation gets besides the job. */
export interface LocalEvaluationContext {
  /** Aborted when the job is cancelled, times out, or the dispatcher closes. */
  signal: AbortSignal;
  /** Delivery attempt, from 1 (always 1 here: an in-process job has no worker to lose). */
  attempt: number;
  /** Reports an intermediate value (emitted as an `intermediate` event). */
  report(step: number, value: number): void;
}

/** Evaluates one job: resolves with the outcome, or rejects with the reason the trial failed. */
export type LocalExecute = (job: TrialJob, context: LocalEvaluationContext) => Promise<TrialOutcome>;

export interface LocalDispatcherOptions {
  execute: LocalExecute;
  /** Jobs evaluated at once. @defaultValue 1 */
  concurrency?: number;
  /** Clock for event times, in milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
  /** The worker name events carry. @defaultValue 'local' */
  worker?: string;
  /** Abort a job at its `timeoutMs` and fail it "timed out" (as a worker does). @defaultValue true */
  enforceTimeout?: boolean;
  /** Where handler errors go. @defaultValue silent */
  logger?: EngineLogger;
}

interface Entry {
  job: TrialJob;
  status: 'queued' | 'running' | 'done' | 'cancelled';
  controller: AbortController;
}

/**
 * A {@link TrialDispatcher} that evaluates jobs in this process with a function, at most
 * `concurrency` at a time, first in first out: for tests, and the plumbing of the embedded mode
 * (the worker-thread pool of worker-sdk implements the same interface).
 *
 * Dispatching a trial id it has seen before is a no-op. A rejected evaluation emits `failed`
 * with the error's message (not retried: retries are for lost workers, which cannot happen
 * here). A cancelled job emits nothing more. Events go to every subscriber, in order; a batch
 * subscriber gets the events emitted in one turn of the event loop together.
 */
export class LocalDispatcher implements TrialDispatcher {
  private readonly execute: LocalExecute;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly worker: string;
  private readonly enforceTimeout: boolean;
  private readonly logger: EngineLogger;
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private readonly handlers: ((event: TrialEvent) => Promise<void> | void)[] = [];
  private readonly batchHandlers: ((events: readonly TrialEvent[]) => Promise<void>)[] = [];
  /** Events emitted in this turn of the event loop, delivered together at its end. */
  private outbox: { event: TrialEvent; delivered: () => void }[] = [];
  private delivering: Promise<void> = Promise.resolve();
  private readonly tasks = new Set<Promise<void>>();
  private active = 0;
  private closed = false;

  constructor(options: LocalDispatcherOptions) {
    this.execute = options.execute;
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${options.concurrency}`);
    this.now = options.now ?? Date.now;
    this.worker = options.worker ?? 'local';
    this.enforceTimeout = options.enforceTimeout ?? true;
    this.logger = options.logger ?? SILENT_LOGGER;
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Jobs being evaluated. */
  get running(): number {
    return this.active;
  }

  async dispatch(job: TrialJob, _options: { maxRetries: number }): Promise<void> {
    if (this.closed) throw new Error('LocalDispatcher is closed');
    if (this.entries.has(job.trialId)) return;
    const entry: Entry = { job, status: 'queued', controller: new AbortController() };
    this.entries.set(job.trialId, entry);
    this.queue.push(entry);
    this.startNext();
  }

  async cancel(job: Pick<TrialJob, 'experimentId' | 'trialId' | 'evaluator'>): Promise<void> {
    const entry = this.entries.get(job.trialId);
    if (!entry || entry.status === 'done' || entry.status === 'cancelled') return;
    if (entry.status === 'queued') this.queue.splice(this.queue.indexOf(entry), 1);
    entry.status = 'cancelled';
    entry.controller.abort(new Error('cancelled'));
  }

  async subscribe(handler: (event: TrialEvent) => Promise<void> | void): Promise<void> {
    this.handlers.push(handler);
  }

  async subscribeBatch(handler: (events: readonly TrialEvent[]) => Promise<void>): Promise<void> {
    this.batchHandlers.push(handler);
  }

  /** Settles when no job is queued or running and every event has been handled. */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  /** Aborts running jobs, drops queued ones, and emits nothing more. */
  async close(): Promise<void> {
    this.closed = true;
    for (const e of this.queue.splice(0)) e.status = 'cancelled';
    for (const e of this.entries.values()) if (e.status === 'running') e.controller.abort(new Error('dispatcher closed'));
    await this.idle();
  }

  private startNext(): void {
    while (!this.closed && this.active < this.concurrency && this.queue.length > 0) {
      const entry = this.queue.shift()!;
      this.active++;
      const task = this.run(entry).finally(() => this.tasks.delete(task));
      this.tasks.add(task);
    }
  }

  private async run(entry: Entry): Promise<void> {
    const { job, controller } = entry;
    const base = { experimentId: job.experimentId, trialId: job.trialId };
    entry.status = 'running';
    const startedAt = this.now();
    let result: { ok: true; outcome: TrialOutcome } | { ok: false; reason: string };
    try {
      await this.emit({ kind: 'started', ...base, worker: this.worker, attempt: 1, at: startedAt });
      const timer = this.enforceTimeout ? setTimeout(() => controller.abort(new Error(`timed out after ${job.timeoutMs} ms`)), job.timeoutMs) : null;
      try {
        const context: LocalEvaluationContext = {
          signal: controller.signal,
          attempt: 1,
          report: (step, value) => void this.emit({ kind: 'intermediate', ...base, step, value, at: this.now() }),
        };
        result = { ok: true, outcome: await abortable(this.execute(job, context), controller.signal) };
      } catch (e) {
        result = { ok: false, reason: e instanceof Error ? e.message : String(e) };
      } finally {
        if (timer) clearTimeout(timer);
      }
    } finally {
      this.active--;
      if (entry.status === 'running') entry.status = 'done';
      this.startNext();
    }
    if (isCancelled(entry) || this.closed) return;
    const at = this.now();
    await this.emit(
      result.ok
        ? { kind: 'completed', ...base, worker: this.worker, attempt: 1, outcome: result.outcome, startedAt, at }
        : { kind: 'failed', ...base, worker: this.worker, attempt: 1, reason: result.reason, exhausted: false, startedAt, at },
    );
  }

  /** Queues an event for the subscribers; resolves once every one of them has had it. */
  private emit(event: TrialEvent): Promise<void> {
    return new Promise((resolve) => {
      this.outbox.push({ event, delivered: resolve });
      if (this.outbox.length > 1) return;
      setImmediate(() => {
        const batch = this.outbox;
        this.outbox = [];
        this.delivering = this.delivering.then(() => this.deliver(batch));
      });
    });
  }

  private async deliver(batch: readonly { event: TrialEvent; delivered: () => void }[]): Promise<void> {
    const events = batch.map((b) => b.event);
    for (const handler of this.handlers) {
      for (const event of events) {
        try {
          await handler(event);
        } catch (e) {
          this.logger.error('a trial event handler threw', { kind: event.kind, trialId: event.trialId, error: e instanceof Error ? e.message : String(e) });
        }
      }
    }
    for (const handler of this.batchHandlers) {
      try {
        await handler(events);
      } catch (e) {
        this.logger.error('a trial event handler threw', { events: events.length, trialIds: events.map((ev) => ev.trialId), error: e instanceof Error ? e.message : String(e) });
      }
    }
    for (const b of batch) b.delivered();
  }
}

/** Read through a call, so that the compiler does not narrow away a change made while awaiting. */
function isCancelled(entry: Entry): boolean {
  return entry.status === 'cancelled';
}

/** The promise, or a rejection with the signal's reason once it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
