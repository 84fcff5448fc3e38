/**
 * Apiary processes and its REST API for the end-to-end tests: a scheduler (`apiary serve`) on a
 * port picked here, workers (`apiary-worker`), and typed calls to the API with the bearer token.
 */
import { randomUUID } from 'node:crypto';
import { APIARY_BIN, Child, freePort, GiveUp, ProcessGroup, TOKEN, WORKER_BIN, waitFor } from './processes.js';

/** The fields of the API's trial records that the tests read. */
export interface ApiTrial {
  id: string;
  index: number;
  status: string;
  attempts: number;
  worker?: string;
  values?: Record<string, number>;
  error?: string;
  parameters: Record<string, unknown>;
  startedAt?: number;
  finishedAt?: number;
}

/** The fields of the API's experiment records that the tests read. */
export interface ApiExperiment {
  id: string;
  status: 'RUNNING' | 'STOPPED' | 'COMPLETED' | 'FAILED';
  reason?: string;
  nextIndex: number;
  config: { budget: number; evaluator: string };
}

/** Unique key prefixes for one test: the store's (`<p>:`) and BullMQ's (`{<p>}`). */
export interface Prefixes {
  store: string;
  queue: string;
}

export function uniquePrefixes(label: string): Prefixes {
  const p = `e2e-${label}-${randomUUID().slice(0, 8)}`;
  return { store: `${p}:`, queue: `{${p}}` };
}

/** A scheduler process and a client of its API. */
export class Scheduler {
  constructor(
    readonly child: Child,
    readonly url: string,
  ) {}

  async call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const res = await fetch(this.url + path, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${TOKEN}`, ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: HTTP ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** POST /experiments: creates and starts. */
  create(config: unknown): Promise<ApiExperiment> {
    return this.call<ApiExperiment>('/experiments', { method: 'POST', body: config });
  }

  experiment(id: string): Promise<ApiExperiment> {
    return this.call<ApiExperiment>(`/experiments/${id}`);
  }

  /** Every trial, in index order (one page of up to 1000). */
  async trials(id: string): Promise<ApiTrial[]> {
    const page = await this.call<{ items: ApiTrial[]; total: number }>(`/experiments/${id}/trials?limit=1000`);
    return page.items;
  }

  best(id: string): Promise<ApiTrial | null> {
    return this.call<ApiTrial | null>(`/experiments/${id}/best`);
  }

  /** Waits until the experiment is no longer RUNNING; returns its record. */
  finished(id: string, timeoutMs: number): Promise<ApiExperiment> {
    return waitFor(
      async () => {
        const e = await this.experiment(id);
        return e.status === 'RUNNING' ? undefined : e;
      },
      timeoutMs,
      `experiment ${id} to finish (scheduler output: ${this.child.tail(1500)})`,
      250,
    );
  }
}

export interface SchedulerOptions {
  redisUrl: string;
  prefixes: Prefixes;
  /** @defaultValue a free port */
  port?: number;
  env?: Record<string, string>;
}

/** `node apps/cli/bin/apiary.js serve` on a free port; resolves once GET /health answers 200 with the token. */
export async function startScheduler(group: ProcessGroup, options: SchedulerOptions): Promise<Scheduler> {
  const port = options.port ?? (await freePort());
  const child = group.spawnNode('scheduler', [APIARY_BIN, 'serve'], {
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl,
    APIARY_TOKEN: TOKEN,
    APIARY_REDIS_PREFIX: options.prefixes.store,
    APIARY_QUEUE_PREFIX: options.prefixes.queue,
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!child.running) throw new GiveUp(`the scheduler exited (${JSON.stringify(await child.exited)}): ${child.tail()}`);
      const res = await fetch(`${url}/health`, { headers: { Authorization: `Bearer ${TOKEN}` } }).catch(() => null);
      return res?.status === 200 ? true : undefined;
    },
    60_000,
    'the scheduler to answer /health',
    100,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- scheduler output ---\n${child.tail()}`);
  });
  return new Scheduler(child, url);
}

export interface WorkerOptions {
  name: string;
  redisUrl: string;
  prefixes: Prefixes;
  /** evaluator name → spec (a module path, a command, a URL). */
  evaluators: Record<string, string>;
  /** @defaultValue 1 */
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  drainTimeoutMs?: number;
  env?: Record<string, string>;
}

/** `node apps/worker/bin/apiary-worker.js …`; resolves once the worker has connected and started. */
export async function startWorker(group: ProcessGroup, options: WorkerOptions): Promise<Child> {
  const args = [WORKER_BIN, '--redis', options.redisUrl, '--prefix', options.prefixes.queue, '--name', options.name, '--concurrency', String(options.concurrency ?? 1)];
  for (const [name, spec] of Object.entries(options.evaluators)) args.push('--evaluator', `${name}=${spec}`);
  if (options.lockDurationMs !== undefined) args.push('--lock-duration', String(options.lockDurationMs));
  if (options.stalledIntervalMs !== undefined) args.push('--stalled-interval', String(options.stalledIntervalMs));
  if (options.drainTimeoutMs !== undefined) args.push('--drain-timeout', String(options.drainTimeoutMs));
  const child = group.spawnNode(`worker ${options.name}`, args, options.env ?? {});
  // Readiness (not an assertion): the worker announces itself once its queues are connected.
  await waitFor(
    async () => {
      if (!child.running) throw new GiveUp(`worker ${options.name} exited (${JSON.stringify(await child.exited)}): ${child.tail()}`);
      return child.output().includes('"msg":"worker started"') ? true : undefined;
    },
    60_000,
    `worker ${options.name} to start`,
    100,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- worker output ---\n${child.tail()}`);
  });
  return child;
}

/** Starts several workers at once. */
export function startWorkers(group: ProcessGroup, names: readonly string[], options: Omit<WorkerOptions, 'name'>): Promise<Child[]> {
  return Promise.all(names.map((name) => startWorker(group, { ...options, name })));
}

/** A small experiment config over x, y ∈ [0, 1] (quasi-random by default: cheap to generate). */
export function quadConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'quad',
    parameters: [
      { name: 'x', type: 'range', bounds: [0, 1] },
      { name: 'y', type: 'range', bounds: [0, 1] },
    ],
    objective: { name: 'loss', minimize: true },
    budget: 8,
    batchSize: 1,
    parallelism: 2,
    generation: { method: 'sobol' },
    evaluator: 'quad',
    seed: 1,
    ...overrides,
  };
}

/** Checks shared by the fault tests: the budget's trials, indices 0..budget-1 once each. */
export function indicesOf(trials: readonly ApiTrial[]): number[] {
  return trials.map((t) => t.index).sort((a, b) => a - b);
}
