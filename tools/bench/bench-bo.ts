/**
 * Closed-loop optimisation benchmark on BoTorch's protocol (the shared reference README): a
 * scrambled-Sobol initial design of max(5, 2d) points, then q-batches from the generation
 * strategy, on a named test function (minimised), one run per seed.
 *
 *   npm run bench:bo -- --problem NAME --budget N [--q 4] [--seeds 8] [--noise-sd S]
 *                       [--method qlognei|sobol|thompson] [--json OUT]
 *
 * Prints per-seed final regret (best noise-free value found minus the optimum), the median and
 * quartiles, and the per-step wall time (fit + generate), beside BoTorch's figures where the
 * reference file has them. Noise is added to what the optimiser sees, never to the regret.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateUnit, getTestFunction, Optimizer, Prng, TEST_FUNCTION_NAMES, type TestFunction } from '@apiary/bo-core';

interface Run { seed: number; final_regret: number; best_so_far: number[]; gen_s: number[] }

function main(): void {
  const { values } = parseArgs({
    options: {
      problem: { type: 'string' },
      budget: { type: 'string' },
      q: { type: 'string', default: '4' },
      seeds: { type: 'string', default: '8' },
      'noise-sd': { type: 'string', default: '0' },
      method: { type: 'string', default: 'qlognei' },
      json: { type: 'string' },
    },
  });
  const usage = 'usage: npm run bench:bo -- --problem NAME --budget N [--q 4] [--seeds 8] [--noise-sd S] [--method qlognei|sobol|thompson] [--json OUT]';
  if (!values.problem || !values.budget) fail(usage);
  if (!TEST_FUNCTION_NAMES.includes(values.problem)) fail(`unknown --problem '${values.problem}'; one of ${TEST_FUNCTION_NAMES.join(', ')}`);
  const budget = positiveInt(values.budget, '--budget');
  const q = positiveInt(values.q, '--q');
  const seeds = positiveInt(values.seeds, '--seeds');
  const noiseSd = Number(values['noise-sd']);
  if (!(noiseSd >= 0)) fail('--noise-sd must be a number >= 0');
  const method = values.method;
  if (method !== 'qlognei' && method !== 'sobol' && method !== 'thompson') fail("--method must be 'qlognei', 'sobol' or 'thompson'");
  const fn = getTestFunction(values.problem);

  const runs: Run[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const run = runOnce(fn, seed, budget, q, noiseSd, method);
    runs.push(run);
    const meanGen = run.gen_s.length ? run.gen_s.reduce((a, b) => a + b, 0) / run.gen_s.length : 0;
    console.log(`seed ${seed}: final regret ${run.final_regret.toPrecision(4)}  (mean step ${meanGen.toFixed(2)} s over ${run.gen_s.length} steps)`);
  }
  const regrets = runs.map((r) => r.final_regret);
  const summary = { median: quantile(regrets, 0.5), q25: quantile(regrets, 0.25), q75: quantile(regrets, 0.75) };
  const steps = runs.flatMap((r) => r.gen_s);
  const meanStep = steps.length ? steps.reduce((a, b) => a + b, 0) / steps.length : 0;
  const ref = reference(values.problem, method);
  console.log('');
  console.log(`| ${values.problem} (budget ${budget}, q ${q}, ${seeds} seeds, noise sd ${noiseSd}, ${method}) | median | q25 | q75 | mean step s |`);
  console.log('|---|---|---|---|---|');
  console.log(`| Apiary | ${fmt(summary.median)} | ${fmt(summary.q25)} | ${fmt(summary.q75)} | ${meanStep.toFixed(2)} |`);
  if (ref && noiseSd === 0 && q === 4) {
    console.log(`| BoTorch 0.18.1 (reference, 1 CPU thread) | ${fmt(ref.median)} | ${fmt(ref.q25)} | ${fmt(ref.q75)} | ${ref.meanGen === null ? '-' : ref.meanGen.toFixed(2)} |`);
    if (ref.sobolMedian !== null) console.log(`| pure Sobol median (reference) | ${fmt(ref.sobolMedian)} | | | |`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ problem: values.problem, budget, q, method, runs, summary }, null, 2) + '\n');
}

function runOnce(fn: TestFunction, seed: number, budget: number, q: number, noiseSd: number, method: 'qlognei' | 'sobol' | 'thompson'): Run {
  const parameters = fn.bounds.map((_, j) => ({ name: `x${j}`, type: 'range' as const, bounds: [0, 1] as [number, number] }));
  const initialTrials = method === 'sobol' ? budget : Math.min(budget, Math.max(5, 2 * fn.dim));
  const opt = new Optimizer({ searchSpace: { parameters }, minimize: true, seed, strategy: { method, initialTrials } });
  const noise = new Prng(seed + 12345);
  const fTrue: number[] = [];
  const genS: number[] = [];
  while (opt.trials.length < budget) {
    const n = opt.trials.length === 0 ? initialTrials : Math.min(q, budget - opt.trials.length);
    const t0 = performance.now();
    const trials = opt.ask(n);
    if (trials[0]!.generator !== 'sobol') genS.push((performance.now() - t0) / 1000);
    for (const t of trials) {
      const u = fn.bounds.map((_, j) => t.parameters[`x${j}`] as number);
      const f = evaluateUnit(fn, u);
      fTrue.push(f);
      opt.tell(t.index, f + noiseSd * noise.normal());
    }
  }
  const best: number[] = [];
  fTrue.forEach((f, i) => best.push(i === 0 ? f : Math.min(best[i - 1]!, f)));
  return { seed, final_regret: best[best.length - 1]! - fn.optimalValue, best_so_far: best, gen_s: genS };
}

/** Linear-interpolation quantile (numpy's default). */
function quantile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

function reference(problem: string, method: string): { median: number; q25: number; q75: number; meanGen: number | null; sobolMedian: number | null } | null {
  const path = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/reference/bo_reference_branin_hartmann6.json');
  if (!existsSync(path)) return null;
  const ref = JSON.parse(readFileSync(path, 'utf8')) as {
    summary: Record<string, { median: number; q25: number; q75: number }>;
    runs: { problem: string; method: string; gen_s: number[] }[];
  };
  const s = ref.summary[`${problem}/${method}`];
  if (!s) return null;
  const gens = ref.runs.filter((r) => r.problem === problem && r.method === method).flatMap((r) => r.gen_s);
  return { ...s, meanGen: gens.length ? gens.reduce((a, b) => a + b, 0) / gens.length : null, sobolMedian: ref.summary[`${problem}/sobol`]?.median ?? null };
}

function positiveInt(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a positive integer, got '${v}'`);
  return n;
}

function fmt(v: number): string {
  return v.toPrecision(4);
}

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

main();
