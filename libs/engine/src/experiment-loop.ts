import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Optimizer, Trial } from '@apiary/bo-core';
import type { ExperimentConfig, TrialJob, TrialStatus } from '@apiary/contracts';
import { abandonTrials, cancelQuietly, type AbandonContext } from './abandon-trials.js';
import { failureRateReason } from './outcome-check.js';
import { trialIdOf, type ResolvedRunnerOptions } from './runner-options.js';
import { IN_FLIGHT_TRIAL_STATUSES, listAllTrials, sumCounts, type ExperimentRecord, type TerminalTrialStatus, type TrialPatch, type TrialRecord } from './store/store.js';

/** What a loop needs from its runner. */
export interface LoopContext extends AbandonContext {
  options: ResolvedRunnerOptions;
  /** Runs `fn` under this experiment's lock (event intake, outcomes, state changes). */
  lock<T>(fn: () => Promise<T>): Promise<T>;
  /** Called once the loop has ended or been detached and its generation has drained. */
  onSettled(loop: ExperimentLoop): void;
}

/** Statuses whose trials a stop withdraws: those not yet picked up by a worker. */
export const STOP_ABANDONS: readonly TrialStatus[] = ['CANDIDATE', 'QUEUED'];

/**
 * One running experiment in memory: its optimiser, the map from trial ids to optimiser indices,
 * and the generation loop that keeps trials in flight.
 *
 * Design note: generation (a "pump") is serialised per experiment and coalesced: any number of
 * `schedule()` calls while a generation runs cause exactly one more pass, which reads the counts
 * afresh, so results that arrived meanwhile are seen. Generation does not hold the experiment's
 * lock, so event intake goes on during it; everything that changes the optimiser's view of a
 * trial or the experiment's state (outcomes, stop, fail, complete) holds the lock. The lock is
 * not reentrant: code under it never waits for the pump.
 */
export class ExperimentLoop {
  readonly id: string;
  readonly config: ExperimentConfig;
  /** Settles when the loop ends (with the final record) or is detached (null). */
  readonly done: Promise<ExperimentRecord | null>;
  private state: 'running' | 'ended' | 'detached' = 'running';
  private pumping: Promise<void> | null = null;
  private again = false;
  private lastError: string | undefined;
  private resolveDone!: (record: ExperimentRecord | null) => void;
  /** Trials stored but not (yet) handed to the dispatcher: retried on every pass. */
  private readonly undispatched = new Map<string, TrialRecord>();
  private readonly optimizerIndex = new Map<string, number>();
  private readonly trialIdByIndex: string[] = [];

  constructor(
    private readonly ctx: LoopContext,
    record: ExperimentRecord,
    private readonly optimizer: Optimizer,
    trialIds: readonly string[],
    lastError?: string,
  ) {
    this.id = record.id;
    this.config = record.config;
    this.lastError = lastError;
    trialIds.forEach((id, i) => this.track(id, i));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** The id of the best completed feasible trial by the optimiser's account (in memory), or null. */
  bestTrialId(): string | null {
    const best = this.optimizer.best();
    return best ? (this.trialIdByIndex[best.index] ?? null) : null;
  }

  /** Hands stored CANDIDATE/QUEUED trials to the dispatcher again (dispatch is idempotent by trial id). */
  redispatch(trials: readonly TrialRecord[]): void {
    for (const t of trials) this.undispatched.set(t.id, t);
  }

  /** Asks for a generation pass (coalesced with one in progress). */
  schedule(): void {
    if (!this.isRunning) return;
    this.again = true;
    if (!this.pumping) this.pumping = this.pump().finally(() => (this.pumping = null));
  }

  /** Settles when no generation pass is running. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Settles once the loop has ended or been detached and generation has drained. */
  async settled(): Promise<void> {
    await this.done;
    await this.idle();
  }

  /** Under the lock: the optimiser learns a recorded outcome; then the failure rate is checked and the loop refilled. */
  async applyOutcome(trial: TrialRecord): Promise<void> {
    const index = this.optimizerIndex.get(trial.id);
    if (index !== undefined && this.optimizer.trials[index]?.status === 'running') {
      try {
        if (trial.status === 'COMPLETED') this.optimizer.tell(index, trial.values ?? {});
        else this.optimizer.fail(index, trial.error ?? trial.status);
      } catch (e) {
        this.ctx.logger.error('the optimiser rejected a recorded outcome', { experimentId: this.id, trialId: trial.id, error: message(e) });
      }
    }
    if (trial.status === 'FAILED') this.lastError = trial.error;
    if (!this.isRunning) return;
    // On every finished outcome: a completion can carry the count past the minimum of 5.
    if (trial.status !== 'ABANDONED') {
      const reason = failureRateReason(await this.ctx.store.countTrials(this.id), this.config.maxFailureRate, this.lastError);
      if (reason) {
        await this.deactivate('FAILED', reason, IN_FLIGHT_TRIAL_STATUSES);
        return;
      }
    }
    this.schedule();
  }

  /** Under the lock: records a terminal outcome decided here (timeout, dispatch), first wins. */
  async settle(trialId: string, status: TerminalTrialStatus, patch: TrialPatch): Promise<boolean> {
    if (!(await this.ctx.store.recordOutcome(this.id, trialId, status, patch))) return false;
    const trial = await this.ctx.store.getTrial(this.id, trialId);
    if (trial) {
      this.ctx.emit({ type: 'trial', experimentId: this.id, trialId, index: trial.index, status, ...(trial.error ? { error: trial.error } : {}) });
      await this.applyOutcome(trial);
    }
    return true;
  }

  /**
   * Under the lock: ends the experiment (first caller wins): records `status` and `reason`,
   * withdraws trials in the `abandon` states, and settles {@link done}.
   */
  async deactivate(status: 'COMPLETED' | 'STOPPED' | 'FAILED', reason: string, abandon: readonly TrialStatus[]): Promise<void> {
    if (!this.isRunning) return;
    this.state = 'ended';
    const { store, now, logger } = this.ctx;
    const record = await store.updateExperiment(this.id, { status, reason, updatedAt: now() }, 'RUNNING');
    if (record) {
      this.ctx.emit({ type: 'experiment', experimentId: this.id, status, reason });
      logger.info(`experiment ${status.toLowerCase()}: ${reason}`, { experimentId: this.id });
    }
    await abandonTrials(this.ctx, this.id, this.config.evaluator, abandon, `experiment ${status.toLowerCase()}: ${reason}`);
    this.resolveDone(record ?? (await store.getExperiment(this.id)));
    void this.idle().then(() => this.ctx.onSettled(this));
  }

  /** Stops generating without touching the store (the runner is closing; a restart resumes). */
  detach(): void {
    if (!this.isRunning) return;
    this.state = 'detached';
    this.resolveDone(null);
    void this.idle().then(() => this.ctx.onSettled(this));
  }

  /**
   * The scheduler-side backstop for trial time limits: a trial RUNNING for more than
   * `trialTimeoutMs + staleGraceMs` without a result becomes STALE, and after another grace it
   * FAILS "timed out" (its job is cancelled). Also a heartbeat for the generation loop.
   */
  async checkTimeouts(): Promise<void> {
    if (!this.isRunning) return;
    const { store, now, options } = this.ctx;
    const limit = this.config.trialTimeoutMs;
    const grace = options.staleGraceMs;
    const elapsedOf = (t: TrialRecord, at: number): number => at - (t.startedAt ?? t.queuedAt ?? t.createdAt);
    for (const listed of await listAllTrials(store, this.id, ['RUNNING', 'STALE'])) {
      const at = now();
      if (elapsedOf(listed, at) > limit + 2 * grace) {
        // Re-read under the lock: a retried attempt may have restarted the clock since the listing.
        const failed = await this.ctx.lock(async () => {
          const t = await store.getTrial(this.id, listed.id);
          const elapsed = t ? elapsedOf(t, at) : 0;
          if (!t || elapsed <= limit + 2 * grace) return false;
          const error = `timed out: no result ${seconds(elapsed)} after it started (time limit ${seconds(limit)}, grace 2 × ${seconds(grace)})`;
          return this.settle(t.id, 'FAILED', { error, finishedAt: at });
        });
        if (failed) await cancelQuietly(this.ctx, { experimentId: this.id, trialId: listed.id, evaluator: this.config.evaluator });
      } else if (listed.status === 'RUNNING' && elapsedOf(listed, at) > limit + grace) {
        const t = await store.getTrial(this.id, listed.id);
        if (t?.status === 'RUNNING' && t.startedAt === listed.startedAt && (await store.updateTrial(this.id, t.id, { status: 'STALE' }, ['RUNNING']))) {
          this.ctx.emit({ type: 'trial', experimentId: this.id, trialId: t.id, index: t.index, status: 'STALE' });
          this.ctx.logger.warn('trial is stale: no result past its time limit', { experimentId: this.id, trialId: t.id, worker: t.worker });
        }
      }
    }
    this.schedule();
  }

  private async pump(): Promise<void> {
    while (this.again && this.isRunning) {
      this.again = false;
      try {
        await this.fill();
      } catch (e) {
        // A store or transport outage: the next event or timeout check schedules another pass.
        this.ctx.logger.error('generation pass failed; retrying on the next event or timeout check', { experimentId: this.id, error: message(e) });
      }
    }
  }

  /** One pass: re-dispatch what is pending, complete a spent budget, or generate up to the in-flight target. */
  private async fill(): Promise<void> {
    for (const t of [...this.undispatched.values()]) {
      if (!this.isRunning) return;
      await this.dispatch(t);
    }
    const { budget, batchSize, parallelism, mode } = this.config;
    const counts = await this.ctx.store.countTrials(this.id);
    const total = sumCounts(counts);
    const inFlight = sumCounts(counts, IN_FLIGHT_TRIAL_STATUSES);
    if (total >= budget) {
      if (inFlight === 0) await this.ctx.lock(() => this.deactivate('COMPLETED', 'budget reached', []));
      return;
    }
    // batch: a new q-batch only once the last one is all terminal; async: refill to `parallelism`.
    let want = mode === 'batch' ? (inFlight === 0 ? Math.min(batchSize, budget - total) : 0) : Math.min(parallelism - inFlight, budget - total);
    while (want > 0 && this.isRunning) {
      const n = Math.min(want, batchSize);
      await this.generate(n);
      want -= n;
    }
  }

  /** Asks the optimiser for n trials, stores them as CANDIDATE and dispatches them. */
  private async generate(n: number): Promise<void> {
    // Let results that already arrived land first, so that this generation sees them.
    await yieldToEventLoop();
    if (!this.isRunning) return;
    const t0 = performance.now();
    let asked: Trial[];
    try {
      asked = this.optimizer.ask(n);
    } catch (e) {
      await this.ctx.lock(() => this.deactivate('FAILED', `could not propose trials: ${message(e)}`, IN_FLIGHT_TRIAL_STATUSES));
      return;
    }
    const generationSeconds = (performance.now() - t0) / 1000;
    const generator = asked[0]?.generator ?? 'sobol';
    const timing = generator === 'qlognei' ? this.optimizer.lastGeneration : null;
    this.ctx.emit({ type: 'generation', experimentId: this.id, trials: n, generator, generationSeconds, fitSeconds: timing?.fitSeconds ?? null, acquisitionSeconds: timing?.acquisitionSeconds ?? null });

    let records: TrialRecord[];
    try {
      const first = await this.ctx.store.allocateTrialIndices(this.id, n);
      const createdAt = this.ctx.now();
      records = asked.map((t, i) => this.newRecord(t, first + i, createdAt));
      records.forEach((r, i) => this.track(r.id, asked[i]!.index));
      await this.ctx.store.insertTrials(this.id, records);
    } catch (e) {
      for (const t of asked) this.optimizer.fail(t.index, 'could not be stored'); // no longer pending
      throw e;
    }
    for (const r of records) this.ctx.emit({ type: 'trial', experimentId: this.id, trialId: r.id, index: r.index, status: 'CANDIDATE' });
    for (const r of records) {
      if (!this.isRunning) break;
      await this.dispatch(r);
    }
    // Ended while this batch was being stored or dispatched: withdraw what the end's sweep missed.
    if (this.state === 'ended') {
      for (const r of records) {
        const patch: TrialPatch = { status: 'ABANDONED', error: 'experiment ended before the trial started', finishedAt: this.ctx.now() };
        if (await this.ctx.store.updateTrial(this.id, r.id, patch, STOP_ABANDONS)) {
          await cancelQuietly(this.ctx, this.jobOf(r));
        }
      }
    }
  }

  /** Hands a trial to the dispatcher; CANDIDATE → QUEUED. A transport error leaves it CANDIDATE for the next pass. */
  private async dispatch(r: TrialRecord): Promise<void> {
    const job = this.jobOf(r);
    try {
      await this.ctx.dispatcher.dispatch(job, { maxRetries: this.config.maxRetries });
    } catch (e) {
      this.undispatched.set(r.id, r);
      this.ctx.logger.warn('could not dispatch a trial; it stays CANDIDATE and is retried', { experimentId: this.id, trialId: r.id, error: message(e) });
      return;
    }
    this.undispatched.delete(r.id);
    if (await this.ctx.store.updateTrial(this.id, r.id, { status: 'QUEUED', queuedAt: this.ctx.now() }, ['CANDIDATE'])) {
      this.ctx.emit({ type: 'trial', experimentId: this.id, trialId: r.id, index: r.index, status: 'QUEUED' });
    } else if ((await this.ctx.store.getTrial(this.id, r.id))?.status === 'ABANDONED') {
      await cancelQuietly(this.ctx, job); // stopped while the job was being enqueued
    }
  }

  private track(trialId: string, optimizerIndex: number): void {
    this.optimizerIndex.set(trialId, optimizerIndex);
    this.trialIdByIndex[optimizerIndex] = trialId;
  }

  private newRecord(t: Trial, index: number, createdAt: number): TrialRecord {
    return {
      id: trialIdOf(this.id, index),
      experimentId: this.id,
      index,
      parameters: { ...t.parameters },
      unit: Array.from(t.unit),
      generator: t.generator,
      status: 'CANDIDATE',
      attempts: 0,
      intermediate: [],
      createdAt,
    };
  }

  private jobOf(r: TrialRecord): TrialJob {
    return { experimentId: this.id, trialId: r.id, index: r.index, evaluator: this.config.evaluator, parameters: r.parameters, timeoutMs: this.config.trialTimeoutMs, objective: this.config.objective.name };
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
