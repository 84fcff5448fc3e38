import type { ParameterValues } from '@apiary/contracts';
import type { Evaluator, EvaluatorContext, EvaluatorReturn } from './evaluator.js';
import { EvaluatorThread } from './evaluator-thread.js';
import { resolveEvaluatorModule } from './module-evaluator.js';

/** Options of {@link createThreadEvaluator}. */
export interface ThreadEvaluatorOptions {
  /** Directory a relative module path is resolved against. @defaultValue `process.cwd()` */
  cwd?: string;
  /**
   * How long a thread may keep running after its trial's signal is aborted (time limit,
   * cancellation, shutdown) before it is terminated. Cooperative evaluators use it to clean up.
   * @defaultValue 500
   */
  abortGraceMs?: number;
  /** Idle threads kept loaded for the next trials (module state survives between trials). @defaultValue 4 */
  maxIdleThreads?: number;
  /** Where the evaluator's console output goes. @defaultValue this process's stdout and stderr */
  output?: NodeJS.WritableStream;
}

/** An evaluator backed by resources that must be released. */
export interface ClosableEvaluator {
  readonly evaluator: Evaluator;
  /** Releases the evaluator's resources (threads); running trials are stopped. */
  close(): Promise<void>;
}

/**
 * Runs a `.js`/`.mjs`/`.cjs` evaluator module in worker threads, one trial per thread at a time.
 * A thread imports the module once and serves trial after trial; one whose trial is aborted and
 * that does not return within `abortGraceMs` is terminated — this works even when the evaluator
 * is stuck in a synchronous loop, which an in-thread `AbortSignal` cannot stop — and replaced on
 * demand. The module is loaded in a first thread before this resolves, so a missing file, a load
 * error or a missing default export is reported at start-up.
 */
export async function createThreadEvaluator(path: string, options: ThreadEvaluatorOptions = {}): Promise<ClosableEvaluator> {
  const absolute = resolveEvaluatorModule(path, options.cwd ?? process.cwd());
  const abortGraceMs = options.abortGraceMs ?? 500;
  const maxIdle = options.maxIdleThreads ?? 4;
  const start = (): Promise<EvaluatorThread> => EvaluatorThread.start(absolute, { abortGraceMs, output: options.output });
  const idle: EvaluatorThread[] = [await start()];
  const busy = new Set<EvaluatorThread>();
  let closed = false;

  const release = (thread: EvaluatorThread): void => {
    busy.delete(thread);
    if (thread.dead) return;
    if (!closed && idle.length < maxIdle) idle.push(thread);
    else void thread.terminate();
  };

  const evaluator = async (parameters: ParameterValues, ctx: EvaluatorContext): Promise<EvaluatorReturn> => {
    if (closed) throw new Error('the evaluator is closed');
    let thread = idle.pop();
    while (thread?.dead) thread = idle.pop();
    thread ??= await start();
    busy.add(thread);
    try {
      // The thread's value is checked by executeTrial (normalizeResult), like any evaluator's.
      return (await thread.run(parameters, ctx)) as EvaluatorReturn;
    } finally {
      release(thread);
    }
  };

  return {
    evaluator,
    async close() {
      closed = true;
      const all = [...idle.splice(0), ...busy];
      await Promise.all(all.map((t) => t.terminate()));
    },
  };
}
