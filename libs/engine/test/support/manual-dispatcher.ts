import type { TrialDispatcher, TrialEvent, TrialJob, TrialOutcome } from '@apiary/contracts';

/**
 * A dispatcher the test drives by hand: it records jobs and cancellations, and `emit` delivers
 * whatever event the test wants (duplicates, late or unknown ones included); `emitBatch` delivers
 * several at once to a batch subscriber (as the BullMQ transport's stream reader does).
 */
export class ManualDispatcher implements TrialDispatcher {
  readonly jobs: TrialJob[] = [];
  readonly cancelled: string[] = [];
  private readonly handlers: ((event: TrialEvent) => Promise<void> | void)[] = [];
  private readonly batchHandlers: ((events: readonly TrialEvent[]) => Promise<void>)[] = [];
  /** When set, dispatch throws this. */
  failDispatch: Error | null = null;

  async dispatch(job: TrialJob): Promise<void> {
    if (this.failDispatch) throw this.failDispatch;
    if (!this.jobs.some((j) => j.trialId === job.trialId)) this.jobs.push(job);
  }

  async cancel(job: Pick<TrialJob, 'trialId'>): Promise<void> {
    this.cancelled.push(job.trialId);
  }

  async subscribe(handler: (event: TrialEvent) => Promise<void> | void): Promise<void> {
    this.handlers.push(handler);
  }

  async subscribeBatch(handler: (events: readonly TrialEvent[]) => Promise<void>): Promise<void> {
    this.batchHandlers.push(handler);
  }

  async close(): Promise<void> {}

  async emit(event: TrialEvent): Promise<void> {
    await this.emitBatch([event]);
  }

  /** Delivers events as one batch (one at a time to a non-batch subscriber). */
  async emitBatch(events: readonly TrialEvent[]): Promise<void> {
    for (const h of this.handlers) for (const e of events) await h(e);
    for (const h of this.batchHandlers) await h(events);
  }

  /** Emits `started` for a job. */
  start(job: TrialJob, at: number, worker = 'w1', attempt = 1): Promise<void> {
    return this.emit({ kind: 'started', experimentId: job.experimentId, trialId: job.trialId, worker, attempt, at });
  }

  /** Emits `completed` for a job. */
  complete(job: TrialJob, outcome: TrialOutcome, at: number, worker = 'w1'): Promise<void> {
    return this.emit({ kind: 'completed', experimentId: job.experimentId, trialId: job.trialId, worker, attempt: 1, outcome, startedAt: at, at });
  }

  /** Emits `failed` for a job. */
  fail(job: TrialJob, reason: string, at: number): Promise<void> {
    return this.emit({ kind: 'failed', experimentId: job.experimentId, trialId: job.trialId, worker: 'w1', attempt: 1, reason, exhausted: false, startedAt: at, at });
  }
}
