import { describe, expect, it } from 'vitest';
import { readWorkerEnvironment, resolveWorkerConfig, WorkerConfigError } from '@apiary/worker';

const env = readWorkerEnvironment({ REDIS_URL: 'redis://cache:6379', PATH: '/bin' });

describe('resolveWorkerConfig', () => {
  it('fills defaults and falls back to REDIS_URL', () => {
    const config = resolveWorkerConfig({ evaluator: ['branin=./branin.mjs', 'train=cmd:python3 t.py'] }, env);
    expect(config).toEqual({
      redisUrl: 'redis://cache:6379',
      evaluators: [
        { name: 'branin', spec: { kind: 'module', path: './branin.mjs' } },
        { name: 'train', spec: { kind: 'command', command: 'python3 t.py' } },
      ],
      concurrency: 1,
      name: undefined,
      lockDurationMs: 30_000,
      stalledIntervalMs: undefined,
      drainTimeoutMs: 30_000,
      prefix: undefined,
    });
    expect(resolveWorkerConfig({ evaluator: ['a=https://x.test/run'], redis: 'rediss://u:p@h:6380', concurrency: '4', name: ' gpu-1 ' }, env)).toMatchObject({
      redisUrl: 'rediss://u:p@h:6380',
      concurrency: 4,
      name: 'gpu-1',
    });
  });

  it('lists every problem', () => {
    try {
      resolveWorkerConfig({ evaluator: ['noequals'], concurrency: '1.5', lockDuration: 'soon' }, readWorkerEnvironment({ REDIS_URL: 'localhost:6379' }));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WorkerConfigError);
      expect((e as WorkerConfigError).problems).toEqual([
        'REDIS_URL: expected a redis:// or rediss:// URL, got "localhost:6379"',
        '--evaluator: evaluator "noequals": expected <name>=<spec>, e.g. branin=./branin.mjs or branin="cmd:python3 branin.py"',
        '--concurrency: expected an integer ≥ 1, got "1.5"',
        '--lock-duration: expected an integer ≥ 100, got "soon"',
      ]);
    }
    expect(() => resolveWorkerConfig({}, readWorkerEnvironment({}))).toThrow(/no Redis URL[\s\S]*at least one <name>=<spec>/);
  });
});
