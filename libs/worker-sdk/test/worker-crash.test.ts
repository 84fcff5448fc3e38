import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialsQueueName } from '@apiary/contracts';
import { BullmqDispatcher, runWorker, trialQueueJob } from '@apiary/worker-sdk';
import { EventLog } from './support/event-log.js';
import { startRedis, uniquePrefix, waitFor, type TestRedis } from './support/redis-server.js';
import { exited, spawnTs, waitForLine } from './support/spawn-node.js';
import { trialJob } from './support/trials.js';

let redis: TestRedis;
let child: ChildProcess | undefined;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await redis.dispose();
});

describe('a worker killed mid-trial', () => {
  it('has its trial retried on another worker after stall detection, up to maxRetries', async () => {
    const prefix = uniquePrefix('crash');
    const dispatcher = new BullmqDispatcher({ connection: redis.url, prefix });
    const log = new EventLog();
    await dispatcher.subscribe(log.handler);

    child = spawnTs(new URL('./support/worker-child.ts', import.meta.url).pathname, [redis.url, prefix, 'doomed-worker', '1000', '2']);
    await waitForLine(child, 'ready', 30_000);
    await dispatcher.dispatch(trialJob('survivor', { ms: 60_000 }, { evaluator: 'slow', timeoutMs: 120_000 }), { maxRetries: 2 });
    await dispatcher.dispatch(trialJob('no-retries', { ms: 60_000 }, { evaluator: 'slow', timeoutMs: 120_000 }), { maxRetries: 0 });
    await log.until((ev) => ev.filter((e) => e.kind === 'started').length === 2, 10_000, 'both trials to start');
    child.kill('SIGKILL');
    await exited(child);
    const killedAt = Date.now();

    const rescuer = await runWorker({
      connection: redis.url,
      prefix,
      workerName: 'rescuer',
      lockDurationMs: 1000,
      stalledIntervalMs: 300,
      concurrency: 2,
      evaluators: { slow: async () => ({ loss: 0.25 }) },
    });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed' || e.kind === 'failed').length === 2, 15_000, 'both trials to end');
    const recoveredAfter = Date.now() - killedAt;

    expect(log.of('survivor')).toMatchObject([
      { kind: 'started', worker: 'doomed-worker', attempt: 1 },
      // The rescuer's run is shorter than the started-event delay: its end event alone.
      { kind: 'completed', worker: 'rescuer', attempt: 2, outcome: { values: { loss: 0.25 } } },
    ]);
    expect(log.of('no-retries')).toMatchObject([
      { kind: 'started', worker: 'doomed-worker', attempt: 1 },
      { kind: 'failed', worker: 'rescuer', exhausted: true, reason: 'worker lost 1 time (stalled); retry limit 0', startedAt: null },
    ]);
    expect(recoveredAfter).toBeLessThan(8000);
    await rescuer.close();
    await dispatcher.close();
  });

  it('has its pack run again elsewhere: trials that ended give a second result, the rest one', async () => {
    const prefix = uniquePrefix('crash-pack');
    const dispatcher = new BullmqDispatcher({ connection: redis.url, prefix });
    const log = new EventLog();
    await dispatcher.subscribe(log.handler);
    const queue = new Queue(trialsQueueName('slow'), { connection: { url: redis.url }, prefix });

    child = spawnTs(new URL('./support/worker-child.ts', import.meta.url).pathname, [redis.url, prefix, 'doomed-worker', '1000', '1']);
    await waitForLine(child, 'ready', 30_000);
    const ms = [0, 0, 60_000, 0];
    const jobs = ms.map((m, i) => trialJob(`p${i}`, { ms: m }, { evaluator: 'slow', timeoutMs: 120_000 }));
    const pack = trialQueueJob(jobs, 2);
    await queue.add(pack.name, pack.data, pack.opts);
    // p2 runs long: its start is announced, and p3 is handed back as a pack of its own (100 ms in).
    await log.until((ev) => ev.some((e) => e.trialId === 'p2' && e.kind === 'started'), 10_000, 'p2 to start');
    await waitFor(async () => (await queue.getWaiting()).some((j) => (j.data as { pack?: { trialId: string }[] }).pack?.[0]?.trialId === 'p3'), 5000, 'p3 handed back');
    child.kill('SIGKILL');
    await exited(child);

    const rescuer = await runWorker({ connection: redis.url, prefix, workerName: 'rescuer', lockDurationMs: 1000, stalledIntervalMs: 300, concurrency: 2, evaluators: { slow: async () => ({ loss: 0.5 }) } });
    await log.until((ev) => ev.filter((e) => e.kind === 'completed').length >= 6, 15_000, 'six completions');
    await new Promise((r) => setTimeout(r, 300));

    // The pack (now p0–p2) ran again on the rescuer, as attempt 2; p3 ran once, in its own pack.
    for (const id of ['p0', 'p1']) {
      expect(log.of(id)).toMatchObject([
        { kind: 'completed', worker: 'doomed-worker', attempt: 1, outcome: { values: { loss: 0 } } },
        { kind: 'completed', worker: 'rescuer', attempt: 2 },
      ]);
    }
    expect(log.of('p2')).toMatchObject([
      { kind: 'started', worker: 'doomed-worker', attempt: 1 },
      { kind: 'completed', worker: 'rescuer', attempt: 2 },
    ]);
    expect(log.of('p3')).toMatchObject([{ kind: 'completed', worker: 'rescuer', attempt: 1 }]);
    await rescuer.close();
    await queue.close();
    await dispatcher.close();
  });
});
