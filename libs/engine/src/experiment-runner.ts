import { ExperimentConfigSchema, groupBy, parseOrThrow, ValidationError, type ExperimentConfig, type TrialEvent } from '@apiary/contracts';
import { abandonTrials, type AbandonContext } from './abandon-trials.js';
import { ExperimentNotFoundError, ExperimentStateError } from './errors.js';
import { ExperimentLoop, STOP_ABANDONS, type LoopContext } from './experiment-loop.js';
import { KeyedMutex } from './keyed-mutex.js';
import { GenerationThread } from './generation/generation-thread.js';
import { createOptimizer, optimizerOptions, rebuildOptimizer } from './optimizer-factory.js';
import { failureRateReason } from './outcome-check.js';
import { resolveRunnerOptions, type ExperimentRunnerOptions, type ResolvedRunnerOptions, type RunnerEvent } from './runner-options.js';
import { emptyCounts, IN_FLIGHT_TRIAL_STATUSES, listAllTrials, type ExperimentRecord, type ListTrialsOptions, type TrialCounts, type TrialPage, type TrialRecord } from './store/store.js';
import { trialsToCsv, trialsToJson, type TrialExportFormat } from './trial-export.js';
import { recordEvents, type IntakeResult } from './trial-intake.js';

/** The reason a created experiment carries until it is started. */
export const NOT_STARTED_REASON = 'created; not started yet';

/**
 * Runs experiments: the trial state machine, the generation loop and result intake, on an
 * {@link ExperimentStore} and a TrialDispatcher (BullMQ, or a local pool), with no framework.
 * The NestJS scheduler and the embedded `apiary optimize` are thin shells around it.
 *
 * An experiment is created STOPPED ("not started yet"), and `start` makes it RUNNING: the loop
 * keeps `parallelism` trials in flight (mode `async`) or runs q-batches of `batchSize` one after
 * another (mode `batch`) until `budget` trials are terminal, then it is COMPLETED; too many
 * failures make it FAILED. All state lives in the store: after a restart, `resumeAll` (or
 * `resume(id)`) rebuilds each running experiment and carries on.
 *
 * One runner should drive a given experiment at a time (DESIGN.md partitions experiments across
 * schedulers); the store's atomic operations keep the records consistent regardless.
 *
 * @example
 * const runner = new ExperimentRunner({ store: new MemoryStore(), dispatcher });
 * const exp = await runner.create(config);
 * await runner.start(exp.id);
 * const done = await runner.whenDone(exp.id);
 */
export class ExperimentRunner {
  private readonly o: ResolvedRunnerOptions;
  private readonly mutex = new KeyedMutex();
  private readonly loops = new Map<string, ExperimentLoop>();
  private subscription: Promise<void> | null = null;
  private cancelTimer: (() => void) | null = null;
  private checking = false;
  private closed = false;
  private thread: GenerationThread | null = null;

  constructor(options: ExperimentRunnerOptions) {
    this.o = resolveRunnerOptions(options);
  }

  /**
   * Validates and stores a new experiment (STOPPED, not started). Nothing is stored on error.
   * @param input an ExperimentConfigInput, from any source (it is parsed here).
   * @throws ValidationError naming each bad field and the reason.
   */
  async create(input: unknown): Promise<ExperimentRecord> {
    const config = parseOrThrow(ExperimentConfigSchema, input, 'experiment config');
    try {
      createOptimizer(config); // the generation options' own rules (rawSamples >= numRestarts, ...)
    } catch (e) {
      throw new ValidationError([{ path: 'generation', message: e instanceof Error ? e.message : String(e) }], 'experiment config');
    }
    const now = this.o.now();
    const record: ExperimentRecord = { id: this.o.newId(), config, status: 'STOPPED', reason: NOT_STARTED_REASON, createdAt: now, updatedAt: now, nextIndex: 0 };
    await this.o.store.createExperiment(record);
    return record;
  }

  /**
   * Makes an experiment RUNNING in this runner: rebuilds its optimiser from the stored trials,
   * hands CANDIDATE and QUEUED trials to the dispatcher again (idempotent by trial id), keeps
   * RUNNING ones (their results are awaited; the time limit applies) and fills up to the target.
   * A no-op for an experiment this runner is already running.
   * @throws ExperimentNotFoundError; ExperimentStateError for a COMPLETED or FAILED experiment.
   */
  async start(id: string): Promise<ExperimentRecord> {
    return this.activate(id);
  }

  /** The same as {@link start}; the name for picking up a RUNNING experiment after a restart. */
  async resume(id: string): Promise<ExperimentRecord> {
    return this.activate(id);
  }

  /** Resumes every experiment the store says is RUNNING (a scheduler's start-up). Failures are logged. */
  async resumeAll(): Promise<ExperimentRecord[]> {
    const resumed: ExperimentRecord[] = [];
    for (const e of await this.o.store.listExperiments()) {
      if (e.status !== 'RUNNING') continue;
      try {
        resumed.push(await this.activate(e.id));
      } catch (err) {
        this.o.logger.error('could not resume an experiment', { experimentId: e.id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return resumed;
  }

  /**
   * Stops an experiment: no new trials; CANDIDATE and QUEUED ones are withdrawn (ABANDONED, jobs
   * cancelled); RUNNING ones finish and their results are recorded. Stopping a stopped experiment
   * changes nothing. @defaultValue reason 'stopped by the user'
   * @throws ExperimentNotFoundError; ExperimentStateError for a COMPLETED or FAILED experiment.
   */
  async stop(id: string, reason = 'stopped by the user'): Promise<ExperimentRecord> {
    const loop = this.loops.get(id);
    if (loop?.isRunning) {
      await this.mutex.run(id, () => loop.deactivate('STOPPED', reason, STOP_ABANDONS));
      await loop.settled();
      return this.get(id);
    }
    return this.mutex.run(id, async () => {
      const stopped = await this.o.store.updateExperiment(id, { status: 'STOPPED', reason, updatedAt: this.o.now() }, 'RUNNING');
      if (!stopped) {
        const current = await this.get(id);
        if (current.status === 'STOPPED') return current;
        throw new ExperimentStateError(`experiment '${id}' is ${current.status}; only a running experiment can be stopped`);
      }
      this.emit({ type: 'experiment', experimentId: id, status: 'STOPPED', reason });
      await abandonTrials(this.abandonContext(), id, stopped.config.evaluator, STOP_ABANDONS, `experiment stopped: ${reason}`);
      return stopped;
    });
  }

  /** Deletes an experiment and its trials, cancelling its jobs in flight. @throws ExperimentNotFoundError */
  async delete(id: string): Promise<void> {
    const record = await this.get(id);
    const loop = this.loops.get(id);
    if (loop?.isRunning) {
      await this.mutex.run(id, () => loop.deactivate('STOPPED', 'deleted', IN_FLIGHT_TRIAL_STATUSES));
      await loop.settled();
    } else {
      await this.mutex.run(id, () => abandonTrials(this.abandonContext(), id, record.config.evaluator, IN_FLIGHT_TRIAL_STATUSES, 'experiment deleted'));
    }
    if (!(await this.o.store.deleteExperiment(id))) throw new ExperimentNotFoundError(id);
  }

  /** @throws ExperimentNotFoundError */
  async get(id: string): Promise<ExperimentRecord> {
    const record = await this.o.store.getExperiment(id);
    if (!record) throw new ExperimentNotFoundError(id);
    return record;
  }

  /** Every experiment, oldest first. */
  async list(): Promise<ExperimentRecord[]> {
    return this.o.store.listExperiments();
  }

  /** A page of an experiment's trials, in index order. @throws ExperimentNotFoundError */
  async trials(id: string, options: ListTrialsOptions = {}): Promise<TrialPage> {
    await this.get(id);
    return this.o.store.listTrials(id, options);
  }

  /** Trials per status. @throws ExperimentNotFoundError */
  async counts(id: string): Promise<TrialCounts> {
    await this.get(id);
    return this.o.store.countTrials(id);
  }

  /**
   * The best completed trial that meets every outcome constraint, or null. For an experiment
   * running here it is looked up in the optimiser's memory; otherwise completed trials are read.
   * @throws ExperimentNotFoundError
   */
  async best(id: string): Promise<TrialRecord | null> {
    const { config } = await this.get(id);
    const loop = this.loops.get(id);
    if (loop?.isRunning) {
      const bestId = loop.bestTrialId();
      return bestId === null ? null : this.o.store.getTrial(id, bestId);
    }
    const { name, minimize } = config.objective;
    let best: TrialRecord | null = null;
    for (const t of await listAllTrials(this.o.store, id, 'COMPLETED')) {
      const v = t.values?.[name];
      if (v === undefined || !config.outcomeConstraints.every((c) => (t.values?.[c.metric] ?? Infinity) <= c.bound)) continue;
      const b = best?.values?.[name];
      if (b === undefined || (minimize ? v < b : v > b)) best = t;
    }
    return best;
  }

  /** All trials as JSON (the stored records) or CSV (see {@link trialsToCsv}). @throws ExperimentNotFoundError */
  async exportTrials(id: string, format: TrialExportFormat): Promise<string> {
    const { config } = await this.get(id);
    const trials = await listAllTrials(this.o.store, id);
    if (format === 'json') return trialsToJson(trials);
    if (format === 'csv') return trialsToCsv(config, trials);
    throw new RangeError(`export format must be 'json' or 'csv', got '${String(format)}'`);
  }

  /**
   * Settles when the experiment is no longer running in this runner, with its record (COMPLETED,
   * FAILED or STOPPED; or still RUNNING if the runner was closed). @throws ExperimentNotFoundError
   */
  async whenDone(id: string): Promise<ExperimentRecord> {
    const loop = this.loops.get(id);
    if (loop) await loop.settled();
    return this.get(id);
  }

  /**
   * Runs the time-limit backstop on every running experiment (see
   * {@link ExperimentRunnerOptions.staleGraceMs}); also runs by itself every
   * `timeoutCheckIntervalMs`.
   */
  async checkTimeouts(): Promise<void> {
    for (const loop of [...this.loops.values()]) {
      try {
        await loop.checkTimeouts();
      } catch (e) {
        this.o.logger.error('timeout check failed', { experimentId: loop.id, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  /**
   * Stops this runner's loops without changing the store (experiments stay RUNNING for a later
   * resume). Transport events that still arrive (the dispatcher belongs to the caller and may
   * deliver until it is closed) are refused with an error, so that an at-least-once transport
   * keeps them for another scheduler instead of counting them as handled. The store and
   * dispatcher stay open.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    const loops = [...this.loops.values()];
    for (const loop of loops) loop.detach();
    await Promise.all(loops.map((l) => l.settled()));
    await this.thread?.close();
    this.thread = null;
  }

  /** The runner's generation thread, started on first use. */
  private generationThread(): GenerationThread {
    this.thread ??= new GenerationThread(this.o.logger);
    return this.thread;
  }

  private async activate(id: string): Promise<ExperimentRecord> {
    if (this.closed) throw new ExperimentStateError('this runner is closed');
    await this.ensureSubscribed();
    const previous = this.loops.get(id);
    if (previous && !previous.isRunning) await previous.settled();
    return this.mutex.run(id, async () => {
      if (this.loops.get(id)?.isRunning) return this.get(id);
      const record = await this.get(id);
      if (record.status === 'COMPLETED' || record.status === 'FAILED') {
        throw new ExperimentStateError(`experiment '${id}' is ${record.status}${record.reason ? ` (${record.reason})` : ''}; only a running or stopped experiment can be started`);
      }
      const trials = await listAllTrials(this.o.store, id);
      const { optimizer, trialIds } = rebuildOptimizer(record.config, trials);
      // Quasi-random generation needs no model: it stays on this thread (no thread, no TF.js start-up).
      const modelBased = record.config.generation.method !== 'sobol';
      const source = this.o.generationThread && modelBased ? this.generationThread().source(optimizer, optimizerOptions(record.config), id) : optimizer;
      const running = record.status === 'RUNNING' ? record : await this.o.store.updateExperiment(id, { status: 'RUNNING', reason: null, updatedAt: this.o.now() }, record.status);
      if (!running) throw new ExperimentStateError(`experiment '${id}' changed state while starting; try again`);
      const failed = trials.filter((t) => t.status === 'FAILED').sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
      // '' for a failure without a message: the loop must still know that one happened.
      const lastError = failed.length > 0 ? (failed[failed.length - 1]!.error ?? '') : undefined;
      const loop = new ExperimentLoop(this.loopContext(id), running, source, trialIds, lastError);
      this.loops.set(id, loop);
      if (record.status !== 'RUNNING') this.emit({ type: 'experiment', experimentId: id, status: 'RUNNING' });
      this.o.logger.info(record.status === 'RUNNING' ? 'experiment resumed' : 'experiment started', { experimentId: id, trials: trials.length });
      loop.redispatch(trials.filter((t) => t.status === 'CANDIDATE' || t.status === 'QUEUED'));
      const reason = failureRateReason(countsOf(trials), record.config.maxFailureRate, lastError);
      if (reason) {
        await loop.deactivate('FAILED', reason, IN_FLIGHT_TRIAL_STATUSES);
        return this.get(id);
      }
      loop.schedule();
      return running;
    });
  }

  /**
   * Transport events, in a batch: grouped per experiment, each group recorded under its
   * experiment's lock with one store round (see recordEvents) and then told to its optimiser
   * (for a running experiment) with one failure-rate check and one refill. Groups of different
   * experiments run concurrently. Runner events are emitted per event, as they would be one by one.
   */
  private async handle(events: readonly TrialEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Not an early return: an event acknowledged without being applied would be lost to the scheduler that resumes the experiment.
    if (this.closed) throw new ExperimentStateError('this runner is closed; the events are left to the transport for another scheduler');
    const groups = groupBy(events, (e) => e.experimentId);
    const settled = await Promise.allSettled([...groups].map(([id, group]) => this.handleGroup(id, group)));
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason; // at-least-once transports redeliver (the handling is idempotent)
  }

  private async handleGroup(experimentId: string, events: readonly TrialEvent[]): Promise<void> {
    try {
      await this.mutex.run(experimentId, async () => {
        const loop = this.loops.get(experimentId);
        const config: ExperimentConfig | undefined = loop?.config ?? (await this.o.store.getExperiment(experimentId))?.config;
        const results: IntakeResult[] = config ? await recordEvents(this.o.store, config, events) : events.map(() => ({ kind: 'ignored', reason: 'unknown experiment' }));
        const outcomes: TrialRecord[] = [];
        results.forEach((result, i) => {
          const event = events[i]!;
          if (result.kind === 'ignored') {
            this.o.logger.debug(`ignored a '${event.kind}' event: ${result.reason}`, { experimentId, trialId: event.trialId });
            this.emit({ type: 'ignored', experimentId, trialId: event.trialId, event: event.kind, reason: result.reason });
            return;
          }
          const { trial } = result;
          if (result.kind === 'updated') {
            if (event.kind === 'started') this.emit({ type: 'trial', experimentId: trial.experimentId, trialId: trial.id, index: trial.index, status: 'RUNNING' });
            return;
          }
          if (result.dropped.length > 0) this.o.logger.warn('dropped non-finite values from a result', { trialId: trial.id, dropped: result.dropped });
          this.emit({ type: 'trial', experimentId: trial.experimentId, trialId: trial.id, index: trial.index, status: trial.status, ...(trial.error ? { error: trial.error } : {}) });
          outcomes.push(trial);
        });
        if (outcomes.length > 0 && loop?.isRunning) await loop.applyOutcomes(outcomes);
      });
    } catch (e) {
      const only = events.length === 1 ? events[0] : undefined;
      this.o.logger.error(only ? 'could not process a trial event' : `could not process ${events.length} trial events`, {
        ...(only ?? { experimentId, trialIds: events.map((ev) => ev.trialId) }),
        error: e instanceof Error ? e.message : String(e),
      });
      throw e;
    }
  }

  private ensureSubscribed(): Promise<void> {
    if (!this.subscription) {
      const { dispatcher } = this.o;
      this.subscription = dispatcher.subscribeBatch ? dispatcher.subscribeBatch((events) => this.handle(events)) : dispatcher.subscribe((event) => this.handle([event]));
      const interval = this.o.timeoutCheckIntervalMs;
      if (interval > 0) {
        this.cancelTimer = this.o.timer.every(interval, () => {
          if (this.checking) return;
          this.checking = true;
          void this.checkTimeouts().finally(() => (this.checking = false));
        });
      }
    }
    return this.subscription;
  }

  private abandonContext(): AbandonContext {
    return { store: this.o.store, dispatcher: this.o.dispatcher, now: this.o.now, logger: this.o.logger, emit: (e) => this.emit(e) };
  }

  private loopContext(id: string): LoopContext {
    return {
      ...this.abandonContext(),
      options: this.o,
      lock: (fn) => this.mutex.run(id, fn),
      onSettled: (loop) => {
        if (this.loops.get(loop.id) === loop) this.loops.delete(loop.id);
        loop.dispose();
      },
    };
  }

  private emit(event: RunnerEvent): void {
    if (!this.o.onEvent) return;
    try {
      this.o.onEvent(event);
    } catch (e) {
      this.o.logger.warn('onEvent threw', { error: e instanceof Error ? e.message : String(e) });
    }
  }
}

function countsOf(trials: readonly TrialRecord[]): TrialCounts {
  const counts = emptyCounts();
  for (const t of trials) counts[t.status]++;
  return counts;
}
