import { runWorker, type WorkerHandle } from '@apiary/worker-sdk';
import type { ExperimentRecord } from '@apiary/engine';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { eventually, sobolConfig, startScheduler, type RunningScheduler } from './support/scheduler.js';

// The whole distributed path: RedisStore, BullmqDispatcher and a real worker, all on Redis.
const PREFIX = 'queues';
const QUEUE_PREFIX = `{${PREFIX}}`;

let redis: RedisServer;
let s: RunningScheduler;
let worker: WorkerHandle | undefined;
const extra: Queue[] = [];

async function queueNames(): Promise<string[]> {
  const res = await s.call('/admin/queues/api/queues');
  expect(res.status).toBe(200);
  const body = (await res.json()) as { queues: { name: string; counts: Record<string, number> }[] };
  return body.queues.map((q) => q.name).sort();
}

async function metrics(): Promise<string> {
  const res = await s.call('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

function metric(text: string, line: RegExp): number | undefined {
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (m) return Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  return undefined;
}

beforeAll(async () => {
  redis = await startRedis();
  // A trials queue some earlier scheduler (or a worker) created: discovered at start-up.
  const legacy = new Queue('trials.legacy', { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
  await legacy.add('trial', { hello: 'world' });
  extra.push(legacy);
  s = await startScheduler({ redisUrl: redis.url, prefix: PREFIX });
});

afterAll(async () => {
  await worker?.close({ drainTimeoutMs: 100 });
  await s?.close();
  await Promise.allSettled(extra.map((q) => q.close()));
  await redis?.dispose();
});

describe('queue admin (bull-board) and metrics over BullMQ', () => {
  let exp: ExperimentRecord;

  it('lists the trials queues found in Redis (events travel on a stream, not a queue)', async () => {
    expect(await queueNames()).toEqual(['trials.legacy']);
  });

  it('adds the queue of a new evaluator as soon as an experiment names it; its jobs wait there', async () => {
    const res = await s.call('/experiments', { method: 'POST', body: JSON.stringify(sobolConfig({ name: 'bullmq', budget: 4 })) });
    expect(res.status).toBe(201);
    exp = (await res.json()) as ExperimentRecord;
    expect(await queueNames()).toEqual(['trials.legacy', 'trials.quad']);
    const waiting = await eventually(async () => {
      const v = metric(await metrics(), /^apiary_queue_jobs\{queue="trials\.quad",state="waiting"\}/);
      return v === 2 ? v : undefined;
    }, 10_000, 'two waiting jobs');
    expect(waiting).toBe(2);
  });

  it('finds queues created behind its back when the admin UI is viewed', async () => {
    const late = new Queue('trials.late', { connection: { url: redis.url }, prefix: QUEUE_PREFIX });
    await late.add('trial', {});
    extra.push(late);
    const names = await eventually(async () => {
      const n = await queueNames();
      return n.includes('trials.late') ? n : undefined;
    }, 10_000, 'trials.late to be listed');
    expect(names).toEqual(['trials.late', 'trials.legacy', 'trials.quad']);
  });

  it('runs the experiment with a worker and reports trials by state and latencies', async () => {
    worker = await runWorker({
      connection: redis.url,
      prefix: QUEUE_PREFIX,
      evaluators: { quad: (p) => ({ loss: (Number(p['x']) - 0.25) ** 2 }) },
      concurrency: 2,
      onError: () => {},
    });
    await eventually(async () => {
      const e = (await (await s.call(`/experiments/${exp.id}`)).json()) as ExperimentRecord;
      return e.status === 'COMPLETED' ? e : undefined;
    }, 30_000, 'the experiment to complete');
    const text = await metrics();
    expect(metric(text, new RegExp(`^apiary_trials\\{experiment="${exp.id}",name="bullmq",status="COMPLETED"\\}`))).toBe(4);
    expect(metric(text, new RegExp(`^apiary_trials\\{experiment="${exp.id}",name="bullmq",status="QUEUED"\\}`))).toBe(0);
    expect(metric(text, /^apiary_experiments\{status="COMPLETED"\}/)).toBe(1);
    expect(metric(text, /^apiary_generation_duration_seconds_count\{method="sobol"\}/)).toBeGreaterThanOrEqual(2);
    expect(metric(text, /^apiary_trial_transitions_total\{status="COMPLETED"\}/)).toBe(4);
    expect(metric(text, /^apiary_queue_jobs\{queue="trials\.quad",state="waiting"\}/)).toBe(0);
    // Every event of the finished experiment was read and acknowledged.
    expect(metric(text, /^apiary_queue_jobs\{queue="trial-events",state="waiting"\}/)).toBe(0);
    expect(metric(text, /^apiary_queue_jobs\{queue="trial-events",state="active"\}/)).toBe(0);
    expect(text).toMatch(/^# TYPE apiary_fit_duration_seconds histogram$/m);
    expect(text).toMatch(/^apiary_scheduler_process_cpu_seconds_total /m);
  });

  it('feeds the fit-latency histogram from model-based generation', async () => {
    const config = sobolConfig({
      name: 'gp',
      budget: 4,
      batchSize: 1,
      parameters: [{ name: 'x', type: 'range', bounds: [-1, 1] }],
      // Without the async Thompson fallback every model step is a qLogNEI one (its evaluator is instant).
      generation: { method: 'qlognei', initialTrials: 2, numRestarts: 2, rawSamples: 32, refillBudgetFraction: null },
    });
    const created = (await (await s.call('/experiments', { method: 'POST', body: JSON.stringify(config) })).json()) as ExperimentRecord;
    await eventually(async () => {
      const e = (await (await s.call(`/experiments/${created.id}`)).json()) as ExperimentRecord;
      return e.status === 'COMPLETED' ? e : undefined;
    }, 30_000, 'the GP experiment to complete');
    const text = await metrics();
    expect(metric(text, /^apiary_fit_duration_seconds_count\{method="qlognei"\}/)).toBeGreaterThanOrEqual(2);
  });
});
