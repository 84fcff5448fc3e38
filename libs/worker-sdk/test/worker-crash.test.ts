import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqDispatcher, runWorker } from '@apiary/worker-sdk';
import { EventLog } from './support/event-log.js';
import { startRedis, uniquePrefix, type TestRedis } from './support/redis-server.js';
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
});
