import { Worker } from 'node:worker_threads';
import { EvaluatorFailure, EvaluatorSpecError } from './errors.js';
import type { EvaluatorContext } from './evaluator.js';
import { notAFunctionMessage } from './module-evaluator.js';
import { THREAD_BOOTSTRAP_SOURCE } from './thread-bootstrap.js';
import type { FromThread, ToThread } from './thread-protocol.js';
import type { ParameterValues } from '@apiary/contracts';

/** Options of {@link EvaluatorThread.start}. */
export interface EvaluatorThreadOptions {
  /** Time from an abort to termination. */
  abortGraceMs: number;
  /** Where the thread's console output goes. @defaultValue this process's stdout and stderr */
  output?: NodeJS.WritableStream | undefined;
}

/**
 * One worker thread that has imported an evaluator module and runs one trial at a time.
 * A thread that hangs (even in a synchronous loop) is terminated `abortGraceMs` after its trial's
 * signal is aborted; a terminated or crashed thread is `dead` and must be replaced.
 */
export class EvaluatorThread {
  private readonly worker: Worker;
  private nextId = 0;
  private busy = false;
  private exited = false;

  private readonly abortGraceMs: number;

  private constructor(
    private readonly path: string,
    options: EvaluatorThreadOptions,
  ) {
    this.abortGraceMs = options.abortGraceMs;
    const output = options.output;
    this.worker = new Worker(THREAD_BOOTSTRAP_SOURCE, { eval: true, workerData: { path }, stdout: output !== undefined, stderr: output !== undefined });
    if (output) {
      // Forwarded chunk by chunk rather than piped: every pipe adds listeners to the shared
      // `output`, and a worker with more than a few threads tripped MaxListenersExceededWarning.
      const forward = (chunk: Buffer): void => void output.write(chunk);
      this.worker.stdout.on('data', forward);
      this.worker.stderr.on('data', forward);
    }
    this.worker.once('exit', () => {
      this.exited = true;
    });
  }

  /** Starts a thread and waits until the module is imported and its default export checked. */
  static async start(path: string, options: EvaluatorThreadOptions): Promise<EvaluatorThread> {
    const thread = new EvaluatorThread(path, options);
    await thread.ready();
    thread.worker.unref();
    return thread;
  }

  /** True once the thread has exited (terminated, crashed, or `process.exit` in the evaluator). */
  get dead(): boolean {
    return this.exited;
  }

  /** Runs one trial in the thread; settles once the thread is free again or dead. */
  run(parameters: ParameterValues, ctx: EvaluatorContext): Promise<unknown> {
    if (this.busy || this.exited) return Promise.reject(new Error('evaluator thread is not available'));
    this.busy = true;
    this.worker.ref();
    const id = ++this.nextId;
    return new Promise<unknown>((resolve, reject) => {
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (settle: () => void): void => {
        clearTimeout(killTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
        this.busy = false;
        if (!this.exited) this.worker.unref();
        settle();
      };
      const onMessage = (msg: FromThread): void => {
        if (!('id' in msg) || msg.id !== id) return;
        if (msg.type === 'report') {
          try {
            ctx.report(msg.step, msg.value);
          } catch {
            /* validated in the thread; a late report after the trial ended is dropped */
          }
        } else if (msg.type === 'result') {
          finish(() => resolve(msg.value));
        } else if (msg.type === 'error') {
          const error = new Error(msg.message);
          error.name = msg.name;
          finish(() => reject(error));
        }
      };
      const onError = (error: Error): void => {
        finish(() => reject(new EvaluatorFailure(`evaluator thread crashed: ${error.message}`)));
        void this.worker.terminate();
      };
      const onExit = (code: number): void => {
        const why = ctx.signal.aborted ? `evaluator thread terminated after abort (${describeReason(ctx.signal.reason)})` : `evaluator thread exited with code ${code}`;
        finish(() => reject(new EvaluatorFailure(why)));
      };
      const onAbort = (): void => {
        this.post({ type: 'abort', id, reason: describeReason(ctx.signal.reason) });
        killTimer = setTimeout(() => void this.worker.terminate(), this.abortGraceMs);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
      this.post({ type: 'run', id, parameters, trialId: ctx.trialId, experimentId: ctx.experimentId, attempt: ctx.attempt });
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stops the thread at once. */
  async terminate(): Promise<void> {
    if (!this.exited) await this.worker.terminate();
  }

  private post(message: ToThread): void {
    this.worker.postMessage(message);
  }

  private ready(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (settle: () => void): void => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        this.worker.off('exit', onExit);
        settle();
      };
      const fail = (message: string): void => {
        done(() => reject(new EvaluatorSpecError(message)));
        void this.worker.terminate();
      };
      const onMessage = (msg: FromThread): void => {
        if (msg.type === 'ready') done(resolve);
        else if (msg.type === 'load-error') fail(`evaluator module ${this.path} failed to load: ${msg.message}`);
        else if (msg.type === 'not-a-function') fail(notAFunctionMessage(this.path, msg.found));
      };
      const onError = (error: Error): void => fail(`evaluator module ${this.path} failed to load: ${error.message}`);
      const onExit = (code: number): void => fail(`evaluator thread for ${this.path} exited with code ${code} while loading`);
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.on('exit', onExit);
    });
  }
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' ? reason : 'aborted';
}
