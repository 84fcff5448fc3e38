import { randomUUID } from 'node:crypto';
import type { ExperimentConfigInput, TrialDispatcher } from '@apiary/contracts';
import type { ExperimentStore } from '@apiary/engine';
import type { INestApplication } from '@nestjs/common';
import { createSchedulerApp, loadSchedulerConfig, type SchedulerConfig } from '../../src/index.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface RunningScheduler {
  app: INestApplication;
  url: string;
  config: SchedulerConfig;
  /** fetch with the bearer token (unless `auth: false`). */
  call(path: string, init?: RequestInit & { auth?: boolean }): Promise<Response>;
  close(): Promise<void>;
}

/** A scheduler on a free port over real HTTP, with unique Redis key prefixes unless given. */
export async function startScheduler(options: {
  redisUrl: string;
  env?: Record<string, string>;
  store?: ExperimentStore;
  dispatcher?: TrialDispatcher;
  prefix?: string;
}): Promise<RunningScheduler> {
  const prefix = options.prefix ?? `t${randomUUID().slice(0, 8)}`;
  const config = loadSchedulerConfig({
    REDIS_URL: options.redisUrl,
    APIARY_TOKEN: TOKEN,
    APIARY_REDIS_PREFIX: `${prefix}:`,
    APIARY_QUEUE_PREFIX: `{${prefix}}`,
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const app = await createSchedulerApp({
    config,
    ...(options.store ? { store: options.store } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    config,
    call(path, init = {}) {
      const { auth = true, headers, ...rest } = init;
      const h = new Headers(headers);
      if (auth) h.set('Authorization', `Bearer ${TOKEN}`);
      if (rest.body !== undefined && !h.has('Content-Type')) h.set('Content-Type', 'application/json');
      return fetch(url + path, { ...rest, headers: h });
    },
    close: () => app.close(),
  };
}

/** A small valid config: quasi-random generation keeps trials cheap and fast. */
export function sobolConfig(overrides: Partial<ExperimentConfigInput> = {}): ExperimentConfigInput {
  return {
    name: 'quad',
    parameters: [
      { name: 'x', type: 'range', bounds: [-1, 1] },
      { name: 'lr', type: 'range', bounds: [1e-4, 1], log: true },
      { name: 'opt', type: 'choice', values: ['adam', 'sgd'] },
    ],
    objective: { name: 'loss', minimize: true },
    budget: 6,
    batchSize: 2,
    generation: { method: 'sobol' },
    evaluator: 'quad',
    ...overrides,
  };
}

/** Polls until `check` returns a value (not undefined), or throws after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
