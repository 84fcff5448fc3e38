import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trialsQueueName, type TrialEvent, type TrialJob } from '@apiary/contracts';
import { BullmqDispatcher, runWorker, trialJobId, type BullmqDispatcherOptions, type Evaluator, type TrialPackingOptions, type WorkerHandle } from '@apiary/worker-sdk';
import { EventLog } from './support/event-log.js';
import { startRedis, uniquePrefix, type TestRedis } from './support/redis-server.js';
import { jobsOf, trialJob } from './support/trials.js';

let redis: TestRedis;
const cleanups: (() => Promise<void>)[] = [];
const errors: Error[] = [];
const onError = (e: Error): void => void errors.push(e);

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.dispose();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  errors.length = 0;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function setup(label: string, failedPollMs = 2000): Promise<{ prefix: string; dispatcher: BullmqDispatcher; log: EventLog }> {
  return setupWith(label, { failedPollMs });
}

async function setupWith(label: string, options: Partial<BullmqDispatcherOptions>): Promise<{ prefix: string; dispatcher: BullmqDispatcher; log: EventLog }> {
  const prefix = uniquePrefix(label);
  const dispatcher = new BullmqDispatcher({ connection: redis.url, prefix, onError, ...options });
  cleanups.push(() => dispatcher.close());
  const log = new EventLog();
  await dispatcher.subscribe(log.handler);
  return { prefix, dispatcher, log };
}

async function worker(prefix: string, evaluators: Record<string, Evaluator>, name: string, extra: Partial<Parameters<typeof runWorker>[0]> = {}): Promise<WorkerHandle> {
  const handle = await runWorker({ connection: redis.url, prefix, evaluators, workerName: name, onError, ...extra });
  cleanups.push(() => handle.close({ drainTimeoutMs: 0 }));
  return handle;
}

describe('BullMQ transport', () => {
  it('delivers 20 trials over 2 workers, each completed exactly once; dispatch is idempotent', async () => {
    const { prefix, dispatcher, log } = await setup('roundtrip');
    // trial-17 runs past the started-event delay (100 ms); the others end before it.
    const evaluator: Evaluator = async (p) => {
      await sleep(Number(p['x']) === 17 ? 250 : 30);
      return { loss: Number(p['x']) * 2 };
    };
    await worker(prefix, { demo: evaluator }, 'w1', { concurrency: 2 });
    await worker(prefix, { demo: evaluator }, 'w2', { concurrency: 2 });
    for (let i = 0; i < 20; i++) await dispatcher.dispatch(trialJob(`trial-${i}`, { x: i }, { index: i }), { maxRetries: 2 });
    for (let i = 0; i < 5; i++) await dispatcher.dispatch(trialJob(`trial-${i}`, { x: i }, { index: i }), { maxRetries: 2 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 20, 20_000, '20 completions');
    await sleep(300);
    const completed = log.events.flatMap((e) => (e.kind === 'completed' ? [e] : []));
    expect(completed).toHaveLength(20);
    expect(new Set(completed.map((e) => e.trialId)).size).toBe(20);
    for (const e of completed) expect(e.outcome.values['loss']).toBe(Number(e.trialId.slice(6)) * 2);
    expect(new Set(completed.map((e) => e.worker))).toEqual(new Set(['w1', 'w2']));
    // A short trial's end event stands alone and carries its start; a long one was announced first.
    expect(log.events.filter((e) => e.kind === 'started').map((e) => e.trialId)).toEqual(['trial-17']);
    expect(log.of('trial-3').map((e) => e.kind)).toEqual(['completed']);
    for (const e of completed) expect(e.startedAt).toBeLessThanOrEqual(e.at);
    expect(log.of('trial-17').map((e) => e.kind)).toEqual(['started', 'completed']);
    const end17 = completed.find((e) => e.trialId === 'trial-17')!;
    expect(log.of('trial-17')[0]).toMatchObject({ kind: 'started', worker: end17.worker, attempt: 1, at: end17.startedAt });
    expect(errors).toEqual([]);
  });

  it('fails a trial once, without retry, when the evaluator throws or times out', async () => {
    const { prefix, dispatcher, log } = await setup('failure');
    let calls = 0;
    await worker(prefix, {
      bad: () => {
        calls++;
        throw new Error('diverged');
      },
      slow: (_p, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')))),
    }, 'w1');
    await dispatcher.dispatch(trialJob('boom', {}, { evaluator: 'bad' }), { maxRetries: 3 });
    await dispatcher.dispatch(trialJob('late', {}, { evaluator: 'slow', timeoutMs: 200 }), { maxRetries: 3 });
    await log.until((ev) => ev.filter((e) => e.kind === 'failed').length === 2, 10_000, 'two failures');
    await sleep(300);
    expect(log.of('boom')).toMatchObject([{ kind: 'failed', reason: 'evaluator threw: diverged', exhausted: false, worker: 'w1', attempt: 1, startedAt: expect.any(Number) }]);
    expect(log.of('late').at(-1)).toMatchObject({ kind: 'failed', reason: 'timed out after 200 ms', exhausted: false });
    expect(calls).toBe(1);
    const queue = new Queue(trialsQueueName('bad'), { connection: { url: redis.url }, prefix });
    expect(await queue.getJobState(trialJobId('boom'))).toBe('completed');
    await queue.close();
  });

  it('publishes intermediate values and cancels waiting and running trials', async () => {
    const { prefix, dispatcher, log } = await setup('cancel');
    await worker(
      prefix,
      {
        demo: (_p, ctx) =>
          new Promise((_r, reject) => {
            ctx.report(0, 0.5);
            ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
          }),
      },
      'w1',
      { cancelPollMs: 100 },
    );
    await dispatcher.dispatch(trialJob('running', {}), { maxRetries: 0 });
    await dispatcher.dispatch(trialJob('waiting', {}), { maxRetries: 0 });
    await log.until((ev) => ev.some((e) => e.kind === 'intermediate'), 5000, 'the intermediate value');
    await dispatcher.cancel(trialJob('waiting', {}));
    await dispatcher.cancel(trialJob('running', {}));
    await log.until((ev) => ev.some((e) => e.kind === 'failed'), 5000, 'the cancellation');
    await sleep(300);
    expect(log.of('running').map((e) => e.kind)).toEqual(['started', 'intermediate', 'failed']);
    expect(log.of('running').at(-1)).toMatchObject({ reason: 'cancelled', exhausted: false });
    expect(log.of('waiting')).toEqual([]);
  });

  it('turns trial jobs that BullMQ itself failed into exhausted failures', async () => {
    const { prefix, dispatcher, log } = await setup('bullfail', 200);
    await worker(prefix, { demo: () => 1 }, 'w1');
    await dispatcher.dispatch(trialJob('ok', {}), { maxRetries: 1 });
    const queue = new Queue(trialsQueueName('demo'), { connection: { url: redis.url }, prefix });
    await queue.add('trial', { trialId: 'garbled', experimentId: 'exp-1' }, { jobId: 'garbled', attempts: 1 });
    await log.until((ev) => ev.some((e) => e.trialId === 'garbled'), 5000, 'the exhausted failure');
    await sleep(600);
    expect(log.of('garbled')).toEqual([
      expect.objectContaining({ kind: 'failed', exhausted: true, worker: 'w1', reason: expect.stringMatching(/^trial job failed in the queue: invalid trial job garbled: invalid trial job:/) }),
    ]);
    expect(log.of('ok').at(-1)).toMatchObject({ kind: 'completed' });
    await queue.close();
    errors.length = 0;
  });

  it('on close, lets a running trial finish within the drain timeout, or requeues it for another worker', async () => {
    const { prefix, dispatcher, log } = await setup('drain');
    const evaluator: Evaluator = (p, ctx) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve(Number(p['ms'])), Number(p['ms']));
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('stopped'));
        });
      });
    const first = await runWorker({ connection: redis.url, prefix, evaluators: { demo: evaluator }, workerName: 'first', onError });
    await dispatcher.dispatch(trialJob('short', { ms: 300 }), { maxRetries: 0 });
    await log.until((ev) => ev.some((e) => e.kind === 'started'), 5000, 'the first start');
    await first.close({ drainTimeoutMs: 5000 });
    expect(log.of('short').at(-1)).toMatchObject({ kind: 'completed', worker: 'first' });

    const second = await runWorker({ connection: redis.url, prefix, evaluators: { demo: evaluator }, workerName: 'second', onError });
    await dispatcher.dispatch(trialJob('long', { ms: 1500 }), { maxRetries: 0 });
    await log.until((ev) => ev.some((e) => e.trialId === 'long' && e.kind === 'started'), 5000, 'the long start');
    await second.close({ drainTimeoutMs: 100 });
    expect(log.of('long').map((e) => e.kind)).toEqual(['started']);
    await worker(prefix, { demo: evaluator }, 'third');
    await log.until((ev) => ev.some((e) => e.trialId === 'long' && e.kind === 'completed'), 5000, 'the requeued trial');
    expect(log.of('long').at(-1)).toMatchObject({ kind: 'completed', worker: 'third', attempt: 2 });
    expect(errors).toEqual([]);
  });
});

describe('trial packs over BullMQ', () => {
  /** A dispatcher that packs once 4 trials of an experiment ended, and the `demo` trials queue. */
  async function setup(label: string, packing: TrialPackingOptions | false = { minSamples: 4 }): Promise<{ prefix: string; dispatcher: BullmqDispatcher; log: EventLog; queue: Queue }> {
    const { prefix, dispatcher, log } = await setupWith(label, { packing });
    const queue = new Queue(trialsQueueName('demo'), { connection: { url: redis.url }, prefix });
    cleanups.push(() => queue.close());
    return { prefix, dispatcher, log, queue };
  }
  const packWorker = (prefix: string, evaluator: Evaluator, name: string, extra: Partial<Parameters<typeof runWorker>[0]> = {}): Promise<WorkerHandle> =>
    worker(prefix, { demo: evaluator }, name, extra);

  const completions = (log: EventLog): Extract<TrialEvent, { kind: 'completed' }>[] => log.events.flatMap((e) => (e.kind === 'completed' ? [e] : []));

  /** Runs `n` quick trials of experiment `exp-1` (ids `warm-…`) one job each, so that the dispatcher learns they are short. */
  async function learnShort(dispatcher: BullmqDispatcher, log: EventLog, n = 4): Promise<void> {
    await dispatcher.dispatchMany(Array.from({ length: n }, (_, i) => trialJob(`warm-${i}`, { x: 1000 + i }, { experimentId: 'exp-1' })), { maxRetries: 1 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed' && e.trialId.startsWith('warm-')).length >= n, 10_000, 'the first trials');
  }

  it('packs the trials of an experiment once they are known to be short, and delivers each once', async () => {
    const { prefix, dispatcher, log, queue } = await setup('packs');
    const calls: string[] = [];
    await packWorker(prefix, (p, ctx) => {
      calls.push(ctx.trialId);
      return { loss: Number(p['x']) * 2 };
    }, 'w1', { concurrency: 2, packSplitAfterMs: 60_000, packSpreadMs: 60_000 }); // no split when the machine is slow
    await learnShort(dispatcher, log);
    expect(await queue.getJobCounts('completed')).toMatchObject({ completed: 4 }); // one job each so far

    await dispatcher.dispatchMany(jobsOf('exp-1', 40), { maxRetries: 1 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 44, 10_000, '44 completions');
    await sleep(200);
    const done = completions(log).filter((e) => !e.trialId.startsWith('warm-'));
    expect(done.map((e) => e.trialId).sort()).toEqual(jobsOf('exp-1', 40).map((j) => j.trialId).sort());
    for (const e of done) expect(e.outcome.values['loss']).toBe(Number(e.trialId.slice(6)) * 2);
    expect(calls).toHaveLength(44); // each evaluated once
    const jobs = await queue.getJobs(['completed']);
    // 40 trials in 3 packs (16 at most: 14, 13, 13) when the first four took under 2 ms on average; fewer a pack when slower.
    const packs = jobs.filter((j) => j.name === 'trials').map((j) => (j.data as { pack: unknown[] }).pack.length);
    expect(jobs.length - packs.length).toBe(4);
    expect(packs.length).toBeGreaterThanOrEqual(3);
    expect(packs.length).toBeLessThanOrEqual(20);
    expect(packs.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...packs) - Math.min(...packs)).toBeLessThanOrEqual(1);
    expect(errors).toEqual([]);
  });

  it('packs nothing with packing: false', async () => {
    const { prefix, dispatcher, log, queue } = await setup('nopack', false);
    await packWorker(prefix, () => 1, 'w1', { concurrency: 4 });
    await learnShort(dispatcher, log, 8);
    await dispatcher.dispatchMany(jobsOf('exp-1', 10), { maxRetries: 1 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 18, 10_000, '18 completions');
    expect((await queue.getJobs(['completed'])).map((j) => j.name).filter((n) => n !== 'trial')).toEqual([]);
  });

  it('skips the cancelled trials of a waiting pack', async () => {
    const { prefix, dispatcher, log } = await setup('cancel');
    const calls: string[] = [];
    const evaluator: Evaluator = (_p, ctx) => {
      calls.push(ctx.trialId);
      return 1;
    };
    const first = await packWorker(prefix, evaluator, 'w1', { cancelPollMs: 50 });
    await learnShort(dispatcher, log);
    await first.close();
    await dispatcher.dispatchMany(jobsOf('exp-1', 6), { maxRetries: 1 });
    await dispatcher.cancel(trialJob('exp-1-2', {}));
    await dispatcher.cancel(trialJob('exp-1-4', {}));
    await sleep(100); // past cancelPollMs since the pack was enqueued: the worker looks before it runs the pack
    await packWorker(prefix, evaluator, 'w2', { cancelPollMs: 50 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 4 + 4, 10_000, 'the others');
    await sleep(200);
    expect(calls.filter((c) => !c.startsWith('warm-'))).toEqual(['exp-1-0', 'exp-1-1', 'exp-1-3', 'exp-1-5']);
    expect(log.of('exp-1-2')).toEqual([]);
    expect(log.of('exp-1-4')).toEqual([]);
  });

  it('hands the trials behind a long one back to the queue, for any free slot, less those cancelled meanwhile', async () => {
    const { prefix, dispatcher, log, queue } = await setup('split');
    const calls: string[] = [];
    const evaluator: Evaluator = async (p, ctx) => {
      calls.push(ctx.trialId);
      if (p['x'] === 0) await sleep(2000);
      return 1;
    };
    await packWorker(prefix, evaluator, 'w1', { concurrency: 2, packSplitAfterMs: 500 });
    await learnShort(dispatcher, log);
    await dispatcher.dispatchMany(jobsOf('exp-1', 6), { maxRetries: 1 });
    await log.until((ev) => ev.some((e) => e.trialId === 'exp-1-0' && e.kind === 'started'), 5000, 'the long trial to start');
    await dispatcher.cancel(trialJob('exp-1-3', {})); // before the split, 500 ms in
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 4 + 4, 5000, 'the four short trials');
    // They ended while trial 0 still ran (in the other slot).
    expect(log.of('exp-1-0').map((e) => e.kind)).toEqual(['started']);
    await log.until((ev) => ev.some((e) => e.trialId === 'exp-1-0' && e.kind === 'completed'), 5000, 'the long trial');
    const packs = (await queue.getJobs(['completed'])).filter((j) => j.name === 'trials');
    // The first pack now holds only the long trial (a re-run after a stall runs no other); the rest ran as a pack of their own.
    expect(packs.map((j) => (j.data as { pack: TrialJob[] }).pack.map((t) => t.trialId)).sort()).toEqual([['exp-1-0'], ['exp-1-1', 'exp-1-2', 'exp-1-4', 'exp-1-5']]);
    expect(calls.filter((c) => !c.startsWith('warm-')).sort()).toEqual(['exp-1-0', 'exp-1-1', 'exp-1-2', 'exp-1-4', 'exp-1-5']);
    expect(log.of('exp-1-3')).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('spreads a pack over idle slots when its trials turn out to take a while', async () => {
    const { prefix, dispatcher, log, queue } = await setup('spread');
    const evaluator: Evaluator = async (p) => {
      if (Number(p['x']) < 100) await sleep(40); // the learning trials (x ≥ 1000) are quick
      return 1;
    };
    await packWorker(prefix, evaluator, 'w1', { concurrency: 3 });
    await learnShort(dispatcher, log);
    await dispatcher.dispatchMany(jobsOf('exp-1', 6), { maxRetries: 1 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 4 + 6, 10_000, 'the six trials');
    const done = completions(log).filter((e) => !e.trialId.startsWith('warm-'));
    expect(done.map((e) => e.trialId).sort()).toEqual(jobsOf('exp-1', 6).map((j) => j.trialId));
    // Dispatched as one pack, they ran in more than one job, some of them at the same time.
    const packs = (await queue.getJobs(['completed'])).filter((j) => j.name === 'trials');
    expect(packs.length).toBeGreaterThan(1);
    expect(packs.flatMap((j) => (j.data as { pack: TrialJob[] }).pack.map((t) => t.trialId)).sort()).toEqual(done.map((e) => e.trialId).sort());
    const overlaps = done.some((a) => done.some((b) => a !== b && a.startedAt < b.at && b.startedAt < a.at));
    expect(overlaps).toBe(true);
    expect(errors).toEqual([]);
  });

  it('on shutdown, puts the trials of a pack not yet run back for another worker, and runs none twice', async () => {
    const { prefix, dispatcher, log } = await setup('drain');
    const calls: string[] = [];
    const evaluator: Evaluator = (p, ctx) => {
      calls.push(`${ctx.trialId}@${ctx.attempt}`);
      const ms = p['x'] === 1 ? 1500 : 0;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve(1), ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new Error('stopped'));
        });
      });
    };
    const first = await runWorker({ connection: redis.url, prefix, evaluators: { demo: evaluator }, workerName: 'first', onError, packSplitAfterMs: 60_000 });
    await learnShort(dispatcher, log);
    await dispatcher.dispatchMany(jobsOf('exp-1', 4), { maxRetries: 1 });
    await log.until((ev) => ev.some((e) => e.trialId === 'exp-1-1' && e.kind === 'started'), 5000, 'the long trial to start');
    await first.close({ drainTimeoutMs: 100 });
    expect(log.of('exp-1-0').map((e) => e.kind)).toEqual(['completed']);
    await packWorker(prefix, evaluator, 'second', { packSplitAfterMs: 60_000 });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 4 + 4, 10_000, 'the rest of the pack');
    await sleep(200);
    expect(calls.filter((c) => !c.startsWith('warm-'))).toEqual(['exp-1-0@1', 'exp-1-1@1', 'exp-1-1@2', 'exp-1-2@2', 'exp-1-3@2']);
    expect(completions(log).find((e) => e.trialId === 'exp-1-1')).toMatchObject({ worker: 'second', attempt: 2 });
    expect(errors).toEqual([]);
  });
});
