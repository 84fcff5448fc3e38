import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AskOptions, Trial } from '@apiary/bo-core';
import { DEFAULT_REFILL_BUDGET_FRACTION, type ExperimentConfig, type TrialJob, type TrialStatus } from '@apiary/contracts';
import { abandonTrials, cancelQuietly, type AbandonContext } from './abandon-trials.js';
import type { ProposalSource } from './generation/generation-thread.js';
import { failureRateReason } from './outcome-check.js';
import { trialIdOf, type ResolvedRunnerOptions } from './runner-options.js';
import { applyTrialPatch, IN_FLIGHT_TRIAL_STATUSES, listAllTrials, sumCounts, type ExperimentRecord, type TerminalTrialStatus, type TrialPatch, type TrialRecord } from './store/store.js';

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
 * A generation pass stores and enqueues the trials it generated together (one store write, one
 * enqueue), except that trials asked for this long ago are released at once: slow (model-based)
 * generation hands each batch out as it comes.
 */
const RELEASE_AFTER_MS = 20;

/**
 * Under the async refill budget, `ceil(parallelism / LOOKAHEAD_DIVISOR)` trials are proposed ahead
 * and held (stored as CANDIDATE, not dispatched) until slots free. Design note: a Thompson step
 * costs about as much for a few more points, and trials of equal length free their slots in
 * waves, so the held trials refill part of a wave at once. On the utilisation benchmark (16
 * one-second slots) no held trials gave 85.7 %, a quarter of parallelism 87.8–91.5 %, half
 * 91.8–92.7 % (docs/throughput.md); each held trial is proposed with a little less data than if
 * it had been proposed when its slot freed.
 */
const LOOKAHEAD_DIVISOR = 2;

/** Completed trials whose evaluation times set the async refill budget. */
const DURATION_WINDOW = 32;

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
  /** Whether a trial of this experiment has failed (until then the failure rate is 0: no count needed). */
  private sawFailure: boolean;
  private resolveDone!: (record: ExperimentRecord | null) => void;
  /** Trials generated in this pass and not stored yet (see RELEASE_AFTER_MS). */
  private readonly generated: Trial[] = [];
  /**
   * Stored trials not in the transport, in dispatch order: proposed ahead (held, CANDIDATE), handed
   * back by a failed enqueue, or found CANDIDATE/QUEUED on resume. Each pass enqueues as many as
   * slots are free (they count as in flight already).
   */
  private readonly waiting: TrialRecord[] = [];
  /** How many of the next release's trials to hold back. */
  private holdNext = 0;
  /** Evaluation times (ms) of recent completed trials, oldest first. */
  private readonly durations: number[] = [];
  /** QUEUED marks under way (see dispatch). */
  private readonly marking = new Set<Promise<void>>();
  /**
   * The index this loop expects its next trial to get (the experiment's `nextIndex` as it last saw
   * it): a release stores its trials there with one call, or allocates afresh when another
   * writer got there first.
   */
  private nextIndex: number;
  private readonly optimizerIndex = new Map<string, number>();
  private readonly trialIdByIndex: string[] = [];

  constructor(
    private readonly ctx: LoopContext,
    record: ExperimentRecord,
    private readonly optimizer: ProposalSource,
    trialIds: readonly string[],
    lastError?: string,
  ) {
    this.id = record.id;
    this.config = record.config;
    this.lastError = lastError;
    this.sawFailure = lastError !== undefined;
    this.nextIndex = record.nextIndex;
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

  /**
   * Stored CANDIDATE/QUEUED trials (on resume) wait to be enqueued again as slots free: QUEUED ones
   * first (their jobs mostly exist already: enqueueing is idempotent by trial id), then CANDIDATE
   * ones, each in index order, so that trials held before a restart do not take in-flight trials
   * past `parallelism`.
   */
  redispatch(trials: readonly TrialRecord[]): void {
    const rank = (t: TrialRecord): number => (t.status === 'QUEUED' ? 0 : 1);
    const known = new Set(this.waiting.map((t) => t.id));
    const fresh = trials.filter((t) => !known.has(t.id)).sort((a, b) => rank(a) - rank(b) || a.index - b.index);
    this.waiting.push(...fresh);
  }

  /** Asks for a generation pass (coalesced with one in progress). */
  schedule(): void {
    if (!this.isRunning) return;
    this.again = true;
    if (!this.pumping) this.startPump();
  }

  /**
   * Runs the pump; a `schedule()` that lands after the pump's last check of `again` but before
   * this settles (a few microtasks, in which an intake can finish) starts the pump again, so no
   * pass asked for is lost.
   */
  private startPump(): void {
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.again && this.isRunning) this.startPump();
    });
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
    await this.applyOutcomes([trial]);
  }

  /**
   * Under the lock: the optimiser learns recorded outcomes, in order; then the failure rate is
   * checked (once) and the loop refilled (once).
   */
  async applyOutcomes(trials: readonly TrialRecord[]): Promise<void> {
    for (const trial of trials) this.tell(trial);
    this.forget(trials);
    if (!this.isRunning) return;
    // On every batch with a finished outcome: a completion can carry the count past the minimum of 5.
    // No failure seen yet (every FAILED trial passes through here or is loaded at start): the rate is 0.
    if (this.sawFailure && trials.some((t) => t.status !== 'ABANDONED')) {
      const reason = failureRateReason(await this.ctx.store.countTrials(this.id), this.config.maxFailureRate, this.lastError);
      if (reason) {
        await this.deactivate('FAILED', reason, IN_FLIGHT_TRIAL_STATUSES);
        return;
      }
    }
    this.schedule();
  }

  /** Drops trials that reached an outcome from the waiting list (a resumed QUEUED trial can finish before it is enqueued again). */
  private forget(trials: readonly TrialRecord[]): void {
    if (this.waiting.length === 0) return;
    const ended = new Set(trials.map((t) => t.id));
    for (let i = this.waiting.length - 1; i >= 0; i--) if (ended.has(this.waiting[i]!.id)) this.waiting.splice(i, 1);
  }

  private tell(trial: TrialRecord): void {
    const index = this.optimizerIndex.get(trial.id);
    if (index !== undefined && this.optimizer.trials[index]?.status === 'running') {
      try {
        if (trial.status === 'COMPLETED') {
          this.optimizer.tell(index, trial.values ?? {});
          this.noteDuration(trial);
        }
        else this.optimizer.fail(index, trial.error ?? trial.status);
      } catch (e) {
        this.ctx.logger.error('the optimiser rejected a recorded outcome', { experimentId: this.id, trialId: trial.id, error: message(e) });
      }
    }
    if (trial.status === 'FAILED') {
      this.lastError = trial.error;
      this.sawFailure = true;
    }
  }

  /** Keeps the evaluation times of the last {@link DURATION_WINDOW} completed trials. */
  private noteDuration(trial: TrialRecord): void {
    if (trial.startedAt === undefined || trial.finishedAt === undefined) return;
    this.durations.push(Math.max(0, trial.finishedAt - trial.startedAt));
    if (this.durations.length > DURATION_WINDOW) this.durations.shift();
  }

  /**
   * What an async refill's model step may cost: `generation.refillBudgetFraction` of the median
   * evaluation time of recent completed trials; null while none is known or the fallback is off.
   */
  private refillBudgetMs(): number | null {
    const f = this.config.generation.refillBudgetFraction === undefined ? DEFAULT_REFILL_BUDGET_FRACTION : this.config.generation.refillBudgetFraction;
    if (f === null || this.durations.length === 0) return null;
    const sorted = [...this.durations].sort((a, b) => a - b);
    return f * sorted[Math.floor(sorted.length / 2)]!;
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

  /** Releases the proposal source's resources (a generation-thread replica); called once the loop has settled. */
  dispose(): void {
    this.optimizer.dispose?.();
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
    while (this.marking.size > 0) await Promise.all(this.marking);
  }

  /** One pass: enqueue waiting trials into free slots, complete a spent budget, or generate up to the in-flight target. */
  private async fill(): Promise<void> {
    const { budget, batchSize, parallelism, mode } = this.config;
    const counts = await this.ctx.store.countTrials(this.id);
    const total = sumCounts(counts);
    const inFlight = sumCounts(counts, IN_FLIGHT_TRIAL_STATUSES);
    // Waiting trials take the slots that freed first (they count as in flight already).
    const free = parallelism - (inFlight - this.waiting.length);
    if (this.waiting.length > 0 && free > 0) await this.dispatch(this.waiting.splice(0, free));
    if (total >= budget) {
      if (inFlight === 0) await this.ctx.lock(() => this.deactivate('COMPLETED', 'budget reached', []));
      return;
    }
    // batch: a new q-batch only once the last one is all terminal; async: refill to `parallelism`.
    // Never below 0: trials proposed ahead (or re-dispatched on resume) can take in-flight past parallelism.
    let want = Math.max(0, mode === 'batch' ? (inFlight === 0 ? Math.min(batchSize, budget - total) : 0) : Math.min(parallelism - inFlight, budget - total));
    let since = performance.now();
    try {
      // Quasi-random trials need no model and are independent: one step for all of them.
      const quasi = Math.min(want, this.optimizer.quasiRandomTrialsAhead());
      if (quasi > 0) {
        await this.generate(quasi);
        want -= quasi;
      }
      // Async refills that a qLogNEI step would leave waiting too long come from one Thompson step.
      // It also proposes a few trials ahead, held back until slots free, so a freed slot need not
      // wait for the next step.
      const refillMs = mode === 'async' && this.optimizer.quasiRandomTrialsAhead() === 0 ? this.refillBudgetMs() : null;
      const estimate = refillMs === null ? null : this.optimizer.estimateModelStepMs(Math.max(want, 1));
      if (refillMs !== null && estimate !== null && estimate > refillMs && this.isRunning) {
        const ahead = Math.max(0, Math.min(Math.ceil(parallelism / LOOKAHEAD_DIVISOR) - this.waiting.length, budget - total - want));
        if (want + ahead > 0) {
          this.holdNext = ahead;
          await this.generate(want + ahead, { timeBudgetMs: refillMs });
        }
        want = 0;
      }
      while (want > 0 && this.isRunning) {
        const n = Math.min(want, batchSize);
        await this.generate(n);
        want -= n;
        if (performance.now() - since >= RELEASE_AFTER_MS) {
          await this.release();
          since = performance.now();
        }
      }
    } finally {
      await this.release();
    }
  }

  /** Asks the optimiser for n trials; {@link release} stores and dispatches them. */
  private async generate(n: number, options: AskOptions = {}): Promise<void> {
    // Let results that already arrived land first, so that this generation sees them.
    await yieldToEventLoop();
    if (!this.isRunning) return;
    const t0 = performance.now();
    let asked: Trial[];
    try {
      asked = await this.optimizer.ask(n, options);
    } catch (e) {
      await this.ctx.lock(() => this.deactivate('FAILED', `could not propose trials: ${message(e)}`, IN_FLIGHT_TRIAL_STATUSES));
      return;
    }
    const generationSeconds = (performance.now() - t0) / 1000;
    const generator = asked[0]?.generator ?? 'sobol';
    const timing = generator === 'sobol' ? null : this.optimizer.lastGeneration;
    this.ctx.emit({ type: 'generation', experimentId: this.id, trials: n, generator, generationSeconds, fitSeconds: timing?.fitSeconds ?? null, acquisitionSeconds: timing?.acquisitionSeconds ?? null });

    this.generated.push(...asked);
  }

  /**
   * Stores the trials generated since the last release (one write) and dispatches them. Those
   * dispatched at once are stored QUEUED, so that no second write marks them: QUEUED means handed
   * to the transport (their enqueue may still be under way; one that fails is retried on the next
   * pass, and a resume enqueues CANDIDATE and QUEUED trials again, idempotently by trial id).
   * Trials proposed ahead are stored CANDIDATE and held.
   */
  private async release(): Promise<void> {
    const asked = this.generated.splice(0);
    if (asked.length === 0) return;
    const hold = Math.min(this.holdNext, asked.length);
    this.holdNext = 0;
    const now = asked.length - hold;
    let records: TrialRecord[];
    try {
      const createdAt = this.ctx.now();
      const build = (first: number): TrialRecord[] => asked.map((t, i) => this.newRecord(t, first + i, createdAt, i < now));
      // Usually one call at the index expected; else (another writer allocated) allocate, then insert.
      records = build(this.nextIndex);
      if (!(await this.ctx.store.insertTrialsAt(this.id, this.nextIndex, records))) {
        records = build(await this.ctx.store.allocateTrialIndices(this.id, asked.length));
        await this.ctx.store.insertTrials(this.id, records);
      }
      this.nextIndex = records[0]!.index + records.length;
      records.forEach((r, i) => this.track(r.id, asked[i]!.index));
    } catch (e) {
      for (const t of asked) this.optimizer.fail(t.index, 'could not be stored'); // no longer pending
      throw e;
    }
    for (const r of records) {
      this.ctx.emit({ type: 'trial', experimentId: this.id, trialId: r.id, index: r.index, status: 'CANDIDATE' });
      if (r.status === 'QUEUED') this.ctx.emit({ type: 'trial', experimentId: this.id, trialId: r.id, index: r.index, status: 'QUEUED' });
    }
    this.waiting.push(...records.slice(now));
    await this.dispatch(records.slice(0, now));
    // Ended while this batch was being stored or dispatched: withdraw what the end's sweep missed,
    // and cancel the jobs of trials it withdrew before their jobs were enqueued.
    if (this.state === 'ended') {
      const patch: TrialPatch = { status: 'ABANDONED', error: 'experiment ended before the trial started', finishedAt: this.ctx.now() };
      const before = await this.ctx.store.updateTrials(
        this.id,
        records.map((r) => r.id),
        (t) => applyTrialPatch(t, patch, STOP_ABANDONS),
      );
      for (const r of records) {
        const status = before.get(r.id)?.status;
        if (status !== undefined && (STOP_ABANDONS.includes(status) || status === 'ABANDONED')) await cancelQuietly(this.ctx, this.jobOf(r));
      }
    }
  }

  /**
   * Hands trials to the dispatcher (one enqueue where it can), then marks the CANDIDATE ones
   * (held, or resumed) QUEUED (one store call). A transport error puts them back at the head of
   * the waiting list for the next pass.
   */
  private async dispatch(records: readonly TrialRecord[]): Promise<void> {
    if (!this.isRunning || records.length === 0) return;
    const options = { maxRetries: this.config.maxRetries };
    const { dispatcher } = this.ctx;
    const dispatched: TrialRecord[] = [];
    const failed = (rs: readonly TrialRecord[], e: unknown): void => {
      this.waiting.unshift(...rs);
      this.ctx.logger.warn(`could not dispatch ${rs.length === 1 ? 'a trial' : `${rs.length} trials`}; retried on the next pass`, {
        experimentId: this.id,
        trialId: rs[0]?.id,
        error: message(e),
      });
    };
    if (dispatcher.dispatchMany) {
      try {
        await dispatcher.dispatchMany(
          records.map((r) => this.jobOf(r)),
          options,
        );
        dispatched.push(...records);
      } catch (e) {
        failed(records, e);
      }
    } else {
      const lost: TrialRecord[] = [];
      let error: unknown;
      for (const r of records) {
        if (!this.isRunning) break;
        try {
          await dispatcher.dispatch(this.jobOf(r), options);
          dispatched.push(r);
        } catch (e) {
          lost.push(r);
          error = e;
        }
      }
      if (lost.length > 0) failed(lost, error);
    }
    const candidates = dispatched.filter((r) => r.status === 'CANDIDATE');
    if (candidates.length === 0) return;
    // Not awaited here: the next pass need not wait for it (CANDIDATE and QUEUED both count as in
    // flight, and both are dispatched again on resume); the pump waits for it before it ends.
    const marking = this.markQueued(candidates);
    this.marking.add(marking);
    void marking.finally(() => this.marking.delete(marking));
  }

  /** CANDIDATE → QUEUED for dispatched trials (one store call); cancels the job of one stopped meanwhile. */
  private async markQueued(dispatched: readonly TrialRecord[]): Promise<void> {
    try {
      const patch: TrialPatch = { status: 'QUEUED', queuedAt: this.ctx.now() };
      const before = await this.ctx.store.updateTrials(
        this.id,
        dispatched.map((r) => r.id),
        (t) => applyTrialPatch(t, patch, ['CANDIDATE']),
      );
      for (const r of dispatched) {
        const status = before.get(r.id)?.status;
        if (status === 'CANDIDATE') this.ctx.emit({ type: 'trial', experimentId: this.id, trialId: r.id, index: r.index, status: 'QUEUED' });
        else if (status === 'ABANDONED') await cancelQuietly(this.ctx, this.jobOf(r)); // stopped while the job was being enqueued
      }
    } catch (e) {
      this.ctx.logger.warn('could not mark dispatched trials QUEUED; they stay CANDIDATE (their jobs are enqueued)', { experimentId: this.id, trials: dispatched.length, error: message(e) });
    }
  }

  private track(trialId: string, optimizerIndex: number): void {
    this.optimizerIndex.set(trialId, optimizerIndex);
    this.trialIdByIndex[optimizerIndex] = trialId;
  }

  private newRecord(t: Trial, index: number, createdAt: number, queued: boolean): TrialRecord {
    return {
      id: trialIdOf(this.id, index),
      experimentId: this.id,
      index,
      parameters: { ...t.parameters },
      unit: Array.from(t.unit),
      generator: t.generator,
      status: queued ? 'QUEUED' : 'CANDIDATE',
      attempts: 0,
      intermediate: [],
      createdAt,
      ...(queued ? { queuedAt: createdAt } : {}),
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
