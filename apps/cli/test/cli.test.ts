import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgram, type CliIo } from '@apiary/cli';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'apiary-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
  let code = -1;
  await createProgram(io, (c) => (code = c)).exitOverride().parseAsync(['node', 'apiary', ...args]);
  return { code, out, err };
}

const config = {
  name: 'cli-test',
  parameters: [
    { name: 'x1', type: 'range', bounds: [-5, 10] },
    { name: 'x2', type: 'range', bounds: [0, 15] },
  ],
  objective: { name: 'loss', minimize: true },
  budget: 12,
  batchSize: 3,
  parallelism: 3,
  seed: 1,
  evaluator: 'branin',
};

describe('apiary optimize (embedded)', () => {
  it('runs to the budget, prints the best trial and writes the --out JSON in its fixed shape', async () => {
    const cfg = join(dir, 'config.json');
    const out = join(dir, 'out.json');
    writeFileSync(cfg, JSON.stringify(config));
    // The module returns a bare number: it is filed under the objective's name ("loss").
    const r = await run(['optimize', '--config', cfg, '--evaluator', join(root, 'examples/branin/branin.mjs'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/best trial #\d+: loss = /);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(file)).toEqual(['config', 'trials', 'best']);
    expect(file.trials).toHaveLength(12);
    for (const t of file.trials) {
      expect(Object.keys(t)).toEqual(['index', 'parameters', 'status', 'values', 'error', 'startedAt', 'finishedAt', 'worker']);
      expect(t.status).toBe('COMPLETED');
      expect(typeof t.parameters.x1).toBe('number');
    }
    expect(file.trials.map((t: { index: number }) => t.index)).toEqual([...Array(12).keys()]);
    expect(Object.keys(file.best)).toEqual(['index', 'parameters', 'values']);
    const bestLoss = Math.min(...file.trials.map((t: { values: { loss: number } }) => t.values.loss));
    expect(file.best.values.loss).toBe(bestLoss);
  });

  it('rejects an invalid config with the field and the reason, exit code 2', async () => {
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ ...config, budget: 0, parameters: [{ name: 'x', type: 'range', bounds: [3, 1] }] }));
    const r = await run(['optimize', '--config', cfg, '--evaluator', join(root, 'examples/branin/branin.mjs')]);
    expect(r.code).toBe(2);
    const msg = r.err.join('\n');
    expect(msg).toMatch(/budget: budget must be at least 1/);
    expect(msg).toMatch(/parameters\[0\]\.bounds: lower \(3\) must be below upper \(1\)/);
  });

  it('reports a missing config file and a missing evaluator module clearly', async () => {
    const r1 = await run(['optimize', '--config', join(dir, 'nope.json'), '--evaluator', 'x.mjs']);
    expect(r1.code).toBe(2);
    expect(r1.err.join('\n')).toMatch(/cannot read the config/);
    const cfg = join(dir, 'config2.json');
    writeFileSync(cfg, JSON.stringify(config));
    await expect(run(['optimize', '--config', cfg, '--evaluator', join(dir, 'missing.mjs')])).rejects.toThrow(/missing\.mjs/);
  });
});
