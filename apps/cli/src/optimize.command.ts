import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ExperimentConfigSchema, ValidationError, formatProblems, parseOrThrow, type ExperimentConfig, type TrialDispatcher } from '@apiary/contracts';
import { ExperimentRunner, ExperimentStateError, MemoryStore, RedisStore, listAllTrials, type ExperimentRecord, type ExperimentStore, type TrialCounts } from '@apiary/engine';
import { BullmqDispatcher, EvaluatorSpecError, LocalPool, loadEvaluator, redisUnreachable, runWorker, type WorkerHandle } from '@apiary/worker-sdk';
import { buildOutFile } from './out-file.js';
import { createProgress } from './progress.js';

export interface OptimizeOptions {
  /** Path of the experiment config (JSON). */
  config: string;
  /** The evaluator: a module path (.js/.mjs/.cjs), a shell command, or an http(s) URL. */
  evaluator: string;
  /** Evaluator slots run locally. @defaultValue the config's parallelism */
  workers?: number;
  /** Redis URL: use the distributed queue (and its store) instead of the embedded pool. @defaultValue embedded */
  redis?: string;
  /** Write the run as JSON here (see out-file.ts for the shape). */
  out?: string;
}

/**
 * Interruption of a run (Ctrl-C, SIGTERM; see {@link processInterrupts}). The first stops the
 * experiment: no new trials, and those running finish and are recorded. The second stops
 * waiting for them. Either way the run ends as usual: `--out` is written with every trial
 * recorded so far, and the best is printed.
 */
export interface Interrupts {
  /** Aborted on the first interrupt. */
  stop: AbortSignal;
  /** Aborted on the second. */
  quit: AbortSignal;
  /** Called once the run has started: interrupts before that need no handling here. */
  arm?(): void;
}

/** The exit code of an interrupted run (128 + SIGINT, as shells report it). */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Interrupts from SIGINT and SIGTERM, while `dispose` is not called. Until `arm` is called (the
 * run has started: there is something to stop and save) a signal exits the process at once, as
 * by default. Then the first aborts `stop`, the second `quit`, and a third exits at once.
 */
export function processInterrupts(): Interrupts & { arm(): void; dispose(): void } {
  const stop = new AbortController();
  const quit = new AbortController();
  let armed = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!armed) process.exit(INTERRUPTED_EXIT_CODE);
    else if (!stop.signal.aborted) stop.abort(signal);
    else if (!quit.signal.aborted) quit.abort(signal);
    else process.exit(INTERRUPTED_EXIT_CODE);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    quit: quit.signal,
    arm() {
      armed = true;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/**
 * `apiary optimize`: runs a whole experiment to its budget and prints the best trial. Embedded by
 * default — the engine drives a local pool of evaluator threads, no Redis; with `--redis` the
 * same engine uses BullMQ queues and the Redis store, and `--workers N` (default: parallelism)
 * local worker slots join any remote workers on the queue (`--workers 0`: remote only).
 *
 * @returns the exit code: 0 completed, 1 the experiment failed, 2 bad input, 130 interrupted
 * (see {@link Interrupts}).
 */
export async function runOptimize(options: OptimizeOptions, io: CliIo, interrupts?: Interrupts): Promise<number> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(options.config, 'utf8'));
  } catch (e) {
    io.stderr(`cannot read the config ${options.config}: ${(e as Error).message}`);
    return 2;
  }
  let config: ExperimentConfig;
  try {
    config = parseOrThrow(ExperimentConfigSchema, raw, 'experiment config');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    io.stderr(`invalid experiment config ${options.config}:\n${formatProblems(e.problems)}`);
    return 2;
  }
  if (options.out) {
    // Checked before the run, not after it: a run of hours must not end in a file it cannot write.
    const problem = await unwritable(options.out);
    if (problem) {
      io.stderr(`cannot write --out ${options.out}: ${problem}`);
      return 2;
    }
  }
  const workers = options.workers ?? config.parallelism;
  if (!Number.isInteger(workers) || workers < 0 || (!options.redis && workers < 1)) {
    io.stderr(`--workers must be an integer >= ${options.redis ? 0 : 1}, got ${options.workers}`);
    return 2;
  }

  if (options.redis) {
    // The clients below would wait for Redis for ever; a command should say so at once.
    const problem = await redisUnreachable(options.redis);
    if (problem) {
      io.stderr(`cannot reach Redis at ${redact(options.redis)}: ${problem}`);
      return 1;
    }
  }

  const closers: (() => Promise<unknown>)[] = [];
  try {
    let store: ExperimentStore;
    let dispatcher: TrialDispatcher;
    if (options.redis) {
      const redisStore = new RedisStore({ redis: options.redis });
      store = redisStore;
      closers.push(() => redisStore.close());
      dispatcher = new BullmqDispatcher({ connection: options.redis, evaluators: [config.evaluator] });
      if (workers > 0) {
        const loaded = await loadEvaluator(options.evaluator, { moduleIsolation: 'thread' });
        closers.push(() => loaded.close());
        const worker: WorkerHandle = await runWorker({ connection: options.redis, evaluators: { [config.evaluator]: loaded.evaluator }, concurrency: workers });
        closers.unshift(() => worker.close());
      }
    } else {
      store = new MemoryStore();
      dispatcher = await LocalPool.start({ evaluators: { [config.evaluator]: options.evaluator }, concurrency: workers });
    }
    const runner = new ExperimentRunner({ store, dispatcher, generationThread: true });
    // The dispatcher first: the embedded pool then hands the events of the trials it aborts to a
    // runner still open (closed, it would warn that they went unhandled); over Redis, events not
    // yet read stay in the stream.
    closers.unshift(() => dispatcher.close(), () => runner.close());

    const experiment = await runner.create(raw);
    io.stderr(`experiment ${experiment.id} '${config.name}': ${config.budget} trials, ${config.batchSize} per batch, ${config.parallelism} in flight, ${options.redis ? `Redis ${redact(options.redis)}` : `embedded, ${workers} local slots`}`);
    await runner.start(experiment.id);
    let interrupted = false;
    const onStop = (): void => {
      interrupted = true;
      io.stderr(`interrupted: stopping experiment ${experiment.id}; no new trials, the running ones finish and are recorded (interrupt again to stop waiting for them)`);
      // One that has just ended (completed, failed) cannot be stopped, and need not be.
      runner.stop(experiment.id, 'interrupted').catch((e: unknown) => {
        if (!(e instanceof ExperimentStateError)) io.stderr(`could not stop the experiment: ${(e as Error).message}`);
      });
    };
    if (interrupts?.stop.aborted) onStop();
    else interrupts?.stop.addEventListener('abort', onStop, { once: true });
    interrupts?.arm?.();
    let done: ExperimentRecord;
    try {
      done = await followProgress(runner, experiment.id, config, interrupts);
    } finally {
      interrupts?.stop.removeEventListener('abort', onStop);
    }

    const trials = await listAllTrials(store, experiment.id);
    const best = await runner.best(experiment.id);
    let wrote = false;
    if (options.out) {
      try {
        await writeFile(options.out, JSON.stringify(buildOutFile(config, trials, best), null, 2) + '\n');
        wrote = true;
      } catch (e) {
        io.stderr(`could not write --out ${options.out}: ${(e as Error).message}`);
      }
    }
    const failed = trials.filter((t) => t.status === 'FAILED').length;
    io.stdout(`${done.status.toLowerCase()}: ${done.reason ?? ''} (${trials.length} trials, ${failed} failed)`);
    if (best?.values) io.stdout(`best trial #${best.index}: ${config.objective.name} = ${best.values[config.objective.name]} at ${JSON.stringify(best.parameters)}`);
    else io.stdout('no trial completed');
    if (wrote) io.stdout(`wrote ${options.out}`);
    if (done.status === 'STOPPED' && options.redis) io.stdout(`experiment ${experiment.id} is stopped in Redis; a scheduler can resume it (POST /experiments/${experiment.id}/resume)`);
    if (options.out && !wrote) return 1;
    if (done.status === 'COMPLETED') return 0;
    return interrupted ? INTERRUPTED_EXIT_CODE : 1;
  } catch (e) {
    // A module that is missing or does not load, a malformed command or URL: bad input, said plainly.
    if (!(e instanceof EvaluatorSpecError)) throw e;
    io.stderr(`invalid evaluator ${options.evaluator}: ${e.message}`);
    return 2;
  } finally {
    for (const close of closers) await close().catch(() => undefined);
  }
}

/**
 * Shows progress until the experiment is terminal and no trial of it runs any more (after a stop,
 * those running finish and are recorded), or until `interrupts.quit`; returns its record.
 */
async function followProgress(runner: ExperimentRunner, id: string, config: ExperimentConfig, interrupts?: Interrupts): Promise<ExperimentRecord> {
  const progress = createProgress(config.budget, config.objective.name);
  const finished = runner.whenDone(id);
  let settled: ExperimentRecord | null = null;
  void finished.then((r) => (settled = r));
  const quit = interrupts?.quit;
  // Never settles without a quit signal.
  const quitting = new Promise<void>((resolve) => (quit?.aborted ? resolve() : quit?.addEventListener('abort', () => resolve(), { once: true })));
  const tick = (also?: Promise<unknown>): Promise<unknown> => Promise.race([quitting, new Promise((r) => setTimeout(r, 250)), ...(also ? [also] : [])]);
  /** Shows the counts and the best so far; returns the counts. */
  const show = async (): Promise<TrialCounts> => {
    const counts = await runner.counts(id);
    const best = await runner.best(id);
    progress.update(counts.COMPLETED + counts.FAILED + counts.ABANDONED, best?.values?.[config.objective.name] ?? null, counts.FAILED);
    return counts;
  };
  try {
    while (!settled && !quit?.aborted) {
      await show();
      await tick(finished);
    }
    // Stopped (not completed or failed): the trials that were running still report. (No race with
    // `finished` here: it has settled, and a loop of settled promises would starve the event loop.)
    while ((settled as ExperimentRecord | null)?.status === 'STOPPED' && !quit?.aborted) {
      const counts = await show();
      if (counts.RUNNING + counts.QUEUED + counts.CANDIDATE === 0) break;
      await tick();
    }
    await show();
  } finally {
    progress.stop();
  }
  return settled ?? runner.get(id);
}

/** Why `path` cannot be written (a missing or read-only folder, a directory, a read-only file), or null. */
async function unwritable(path: string): Promise<string | null> {
  try {
    const stats = await stat(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (stats?.isDirectory()) return 'it is a directory';
    if (stats) {
      await access(path, constants.W_OK);
      return null;
    }
    const folder = dirname(resolve(path));
    const folderStats = await stat(folder).catch(() => null);
    if (!folderStats?.isDirectory()) return `the folder ${folder} does not exist`;
    await access(folder, constants.W_OK);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@');
}
