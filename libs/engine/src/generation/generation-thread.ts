import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AskOptions, GenerationTiming, Optimizer, OptimizerOptions, Trial, TrialGenerator } from '@apiary/bo-core';
import type { EngineLogger } from '../runner-options.js';
import { GENERATION_THREAD_SOURCE } from './thread-source.js';

/**
 * The part of an ask/tell Optimizer the experiment loop uses. A bo-core `Optimizer` is one
 * (generation on the calling thread); {@link GenerationThread.source} gives one whose proposals
 * are computed in a worker thread.
 */
export interface ProposalSource {
  readonly trials: readonly Trial[];
  readonly lastGeneration: GenerationTiming | null;
  best(): Trial | null;
  tell(index: number, values: Record<string, number>): void;
  fail(index: number, reason: string): void;
  estimateModelStepMs(n: number): number | null;
  /** See bo-core's `Optimizer.quasiRandomTrialsAhead`. */
  quasiRandomTrialsAhead(): number;
  ask(n: number, options?: AskOptions): Trial[] | Promise<Trial[]>;
  /** Releases what the source holds elsewhere (a thread's replica). */
  dispose?(): void;
}

/** A reply to an `ask` from the thread. */
interface AskReply {
  first?: number;
  trials?: { unit: number[]; generator: TrialGenerator }[];
  timing?: GenerationTiming | null;
  msPerPoint?: number | null;
  error?: string;
}

/** A trial as the replica attaches it (`Optimizer.attachTrial`'s arguments, plain data). */
function attachMessage(t: Trial): { parameters: Trial['parameters']; attach: Record<string, unknown> } {
  return {
    parameters: t.parameters,
    attach: { status: t.status, generator: t.generator, unit: Array.from(t.unit), ...(t.values ? { values: t.values } : {}), ...(t.error !== undefined ? { error: t.error } : {}) },
  };
}

/** Raised when the thread could not start or died; sources then generate on the calling thread. */
class ThreadUnavailableError extends Error {
  override name = 'ThreadUnavailableError';
}

/**
 * Where the thread finds bo-core and tf-runtime: their TypeScript sources through tsx when the
 * engine runs from sources, else the packages.
 */
function threadEntry(tensorflow: boolean): { boCore: string; tfRuntime: string | null; tsxApi: string | null } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsxApi = pathToFileURL(join(dirname(createRequire(here).resolve('tsx/esm/api')), 'index.mjs')).href;
    return { boCore: new URL('../../../bo-core/src/index.ts', here).href, tfRuntime: tensorflow ? new URL('../../../tf-runtime/src/index.ts', here).href : null, tsxApi };
  }
  return { boCore: import.meta.resolve('@apiary/bo-core'), tfRuntime: tensorflow ? import.meta.resolve('@apiary/tf-runtime') : null, tsxApi: null };
}

/** Options of {@link GenerationThread}. */
export interface GenerationThreadOptions {
  /**
   * Start TensorFlow.js in the thread (`@apiary/tf-runtime`: tfjs-node-gpu, tfjs-node, wasm, cpu,
   * the first that loads) and score qLogNEI's raw candidate batches on it in float32. The plain
   * cpu backend is not used for scoring. @defaultValue true
   */
  tensorflow?: boolean;
}

/**
 * A worker thread that fits the models and optimises the acquisition functions of every
 * experiment of a runner, so that the runner's thread keeps taking results, renewing locks and
 * serving requests while proposals are computed (one GP step can take seconds).
 *
 * Design note: the thread keeps a replica Optimizer per experiment, fed in order with every
 * tell and fail the loop's own Optimizer receives; an `ask` is answered with unit points, which
 * the loop's Optimizer then attaches as the same trial indices. Proposals are therefore exactly
 * those of a single-threaded optimiser given the same calls. If the thread cannot start or dies,
 * its sources fall back to the loop's Optimizer on the calling thread (logged once).
 */
export class GenerationThread {
  private worker: Worker | null = null;
  private unavailable: Error | null = null;
  private readonly waiting = new Map<number, { resolve: (r: AskReply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private nextKey = 0;
  private readonly tensorflow: boolean;
  private readyResolve!: (backend: string | null) => void;
  /** Settles once the thread has loaded bo-core and tried TensorFlow.js, with the backend summary (null without TensorFlow.js or a thread). Proposals do not wait for TensorFlow.js. */
  readonly ready: Promise<string | null>;

  constructor(
    private readonly logger: EngineLogger,
    options: GenerationThreadOptions = {},
  ) {
    this.tensorflow = options.tensorflow ?? true;
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
  }

  /** A proposal source for `optimizer` (its trials are copied to the thread; keep using the source, not the optimizer). */
  source(optimizer: Optimizer, options: OptimizerOptions, label: string): ProposalSource {
    const key = `${label}#${this.nextKey++}`;
    this.post({
      type: 'init',
      key,
      options,
      trials: optimizer.trials.map(attachMessage),
    });
    return new ThreadedOptimizer(this, key, optimizer);
  }

  /** Whether asks go to the thread (false once it failed to start or died). */
  get available(): boolean {
    return this.unavailable === null;
  }

  /** Sends a message (starting the thread on first use); a no-op once the thread is unavailable. */
  post(message: Record<string, unknown>): void {
    if (this.unavailable) return;
    try {
      this.start().postMessage(message);
    } catch (e) {
      this.fault(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Asks the replica `key` for n trials. @throws ThreadUnavailableError when the thread is gone. */
  ask(key: string, n: number, options: AskOptions): Promise<AskReply> {
    if (this.unavailable) return Promise.reject(new ThreadUnavailableError(this.unavailable.message));
    const id = this.nextId++;
    const reply = new Promise<AskReply>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.post({ type: 'ask', key, id, n, options });
    this.worker?.ref(); // an ask in flight keeps the process alive
    return reply;
  }

  /** Terminates the thread. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.fault(new Error('the generation thread was closed'), false);
    if (w) await w.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(GENERATION_THREAD_SOURCE, { eval: true, workerData: threadEntry(this.tensorflow) });
    w.unref();
    w.on('message', (m: { type: string; id?: number; message?: string } & AskReply) => {
      if (m.type === 'asked' && m.id !== undefined) {
        const waiter = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (this.waiting.size === 0) w.unref();
        waiter?.resolve(m);
      } else if (m.type === 'ready') {
        const backend = (m as { backend?: string | null }).backend ?? null;
        if (backend) this.logger.info(`generation thread: ${backend}`);
        this.readyResolve(backend);
      } else if (m.type === 'load-error') {
        this.fault(new Error(`the generation thread could not load bo-core: ${m.message ?? ''}`));
      } else if (m.type === 'fault') {
        this.logger.error('the generation thread rejected a message', { error: m.message });
      }
    });
    w.on('error', (e) => this.fault(e));
    w.on('exit', (code) => {
      if (this.worker === w) this.fault(new Error(`the generation thread exited with code ${code}`));
    });
    this.worker = w;
    return w;
  }

  private fault(error: Error, log = true): void {
    if (!this.unavailable && log) this.logger.error('generation thread unavailable; generating on the main thread', { error: error.message });
    this.unavailable ??= error;
    this.readyResolve(null);
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
    for (const [, waiter] of this.waiting) waiter.reject(new ThreadUnavailableError(error.message));
    this.waiting.clear();
  }
}

/** A ProposalSource whose asks run in the GenerationThread; the local Optimizer mirrors every trial. */
class ThreadedOptimizer implements ProposalSource {
  lastGeneration: GenerationTiming | null = null;
  private msPerPoint: number | null = null;

  constructor(
    private readonly thread: GenerationThread,
    private readonly key: string,
    private readonly local: Optimizer,
  ) {}

  get trials(): readonly Trial[] {
    return this.local.trials;
  }

  best(): Trial | null {
    return this.local.best();
  }

  tell(index: number, values: Record<string, number>): void {
    this.local.tell(index, values); // throws on bad values: then the replica is not told either
    this.thread.post({ type: 'tell', key: this.key, index, values });
  }

  fail(index: number, reason: string): void {
    this.local.fail(index, reason);
    this.thread.post({ type: 'fail', key: this.key, index, reason });
  }

  estimateModelStepMs(n: number): number | null {
    const local = this.local.estimateModelStepMs(n);
    return local === null || this.msPerPoint === null ? local : this.msPerPoint * n;
  }

  quasiRandomTrialsAhead(): number {
    return this.local.quasiRandomTrialsAhead();
  }

  async ask(n: number, options: AskOptions = {}): Promise<Trial[]> {
    if (!this.thread.available) return this.askLocally(n, options);
    if (this.local.quasiRandomTrialsAhead() > 0) {
      // Quasi-random points cost nothing: drawn here, and the replica attaches them (advancing its own Sobol stream alike).
      const out = this.local.ask(n, options);
      this.thread.post({ type: 'attach', key: this.key, trials: out.map(attachMessage) });
      return out;
    }
    let reply: AskReply;
    try {
      reply = await this.thread.ask(this.key, n, options);
    } catch (e) {
      if (e instanceof ThreadUnavailableError) return this.askLocally(n, options);
      throw e;
    }
    if (reply.error !== undefined) throw new Error(reply.error);
    if (reply.first !== this.local.trials.length) {
      throw new Error(`generation thread out of step: it numbered the new trials from ${String(reply.first)}, this optimiser has ${this.local.trials.length}`);
    }
    const space = this.local.searchSpace;
    const out = (reply.trials ?? []).map((t) => this.local.attachTrial(space.decode(t.unit), { status: 'running', generator: t.generator, unit: t.unit }));
    this.lastGeneration = reply.timing ?? null;
    this.msPerPoint = reply.msPerPoint ?? null;
    return out;
  }

  dispose(): void {
    this.thread.post({ type: 'drop', key: this.key });
  }

  private askLocally(n: number, options: AskOptions): Trial[] {
    const out = this.local.ask(n, options);
    this.lastGeneration = this.local.lastGeneration;
    return out;
  }
}
