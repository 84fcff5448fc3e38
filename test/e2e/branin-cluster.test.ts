/**
 * End to end: a scheduler (`apiary serve`) and four worker processes (`apiary-worker`) optimise
 * Branin through Redis to the budget of examples/branin/config.json, compared with an embedded
 * `apiary optimize` run of the same config and seed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startScheduler, startWorkers, uniquePrefixes, type ApiTrial } from './support/apiary.js';
import { useCluster } from './support/cluster.js';
import { APIARY_BIN, ROOT } from './support/processes.js';

const BRANIN_MIN = 0.397887;
const CONFIG_FILE = join(ROOT, 'examples/branin/config.json');
const config = JSON.parse(readFileSync(CONFIG_FILE, 'utf8')) as { budget: number; batchSize: number; parallelism: number; seed: number; evaluator: string };
const branin = new URL('./fixtures/branin-ledger.mjs', import.meta.url).pathname;

const cluster = useCluster();
const { group, ledger } = cluster;

/** `apiary optimize` embedded (no Redis) with --out; resolves with the best objective value. */
async function embeddedBest(): Promise<number> {
  const out = join(ledger.dir, 'embedded.json');
  const child = group.spawnNode('optimize', [APIARY_BIN, 'optimize', '--config', CONFIG_FILE, '--evaluator', join(ROOT, 'examples/branin/branin.mjs'), '--out', out]);
  const { code } = await child.exited;
  if (code !== 0) throw new Error(`apiary optimize exited ${code}: ${child.tail()}`);
  const run = JSON.parse(readFileSync(out, 'utf8')) as { trials: { status: string }[]; best: { values: Record<string, number> } | null };
  expect(run.trials).toHaveLength(config.budget);
  expect(run.trials.every((t) => t.status === 'COMPLETED')).toBe(true);
  return run.best!.values['objective']!;
}

describe('Branin on a cluster: scheduler + 4 workers through Redis', () => {
  it('runs all 30 trials exactly once over several workers and finds a good point, like the embedded run', async () => {
    const prefixes = uniquePrefixes('branin');
    // The embedded run goes alongside the cluster's start-up.
    const embedded = embeddedBest();
    const [scheduler] = await Promise.all([
      startScheduler(group, { redisUrl: cluster.redis.url, prefixes }),
      startWorkers(group, ['w1', 'w2', 'w3', 'w4'], { redisUrl: cluster.redis.url, prefixes, evaluators: { [config.evaluator]: branin }, env: ledger.env }),
    ]);
    const created = await scheduler.create(JSON.parse(readFileSync(CONFIG_FILE, 'utf8')));
    expect(created.status).toBe('RUNNING');

    const done = await scheduler.finished(created.id, 150_000);
    expect(done).toMatchObject({ status: 'COMPLETED', nextIndex: config.budget });

    const trials = await scheduler.trials(created.id);
    expect(trials).toHaveLength(config.budget);
    expect(trials.map((t) => t.index).sort((a, b) => a - b)).toEqual([...Array(config.budget).keys()]);
    expect(new Set(trials.map((t) => t.id)).size).toBe(config.budget);
    expect(trials.filter((t) => t.status !== 'COMPLETED')).toEqual([]);
    expect(trials.every((t) => t.attempts === 1 && Number.isFinite(t.values?.['objective']))).toBe(true);

    // Exactly once, by the evaluators' own account: every trial evaluated once, no other evaluation.
    const evaluated = ledger.finishedCounts();
    expect([...evaluated.keys()].sort()).toEqual(trials.map((t) => t.id).sort());
    expect([...evaluated.values()].every((n) => n === 1)).toBe(true);

    // Spread over the pool.
    const perWorker = countBy(trials, (t) => t.worker ?? '?');
    expect(Object.keys(perWorker).every((w) => ['w1', 'w2', 'w3', 'w4'].includes(w))).toBe(true);
    expect(Object.keys(perWorker).length).toBeGreaterThan(1);

    // A sane optimum: regret below 1 (the embedded benchmark's typical regret is ~0.03).
    const best = await scheduler.best(created.id);
    const bestValue = best!.values!['objective']!;
    expect(bestValue).toBe(Math.min(...trials.map((t) => t.values!['objective']!)));
    expect(bestValue - BRANIN_MIN).toBeGreaterThanOrEqual(-1e-9);
    expect(bestValue - BRANIN_MIN).toBeLessThan(1);

    const embeddedValue = await embedded;
    expect(embeddedValue - BRANIN_MIN).toBeGreaterThanOrEqual(-1e-9);
    expect(embeddedValue - BRANIN_MIN).toBeLessThan(1);
    console.info(`Branin best: cluster ${bestValue.toFixed(4)} (regret ${(bestValue - BRANIN_MIN).toFixed(4)}), embedded ${embeddedValue.toFixed(4)} (regret ${(embeddedValue - BRANIN_MIN).toFixed(4)}); trials per worker ${JSON.stringify(perWorker)}`);
  }, 240_000);
});

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}
