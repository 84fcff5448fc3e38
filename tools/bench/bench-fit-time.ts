/**
 * GP fit-time benchmark: fits the default model to Hartmann-6 data (noise sd 0.05) at several n,
 * d = 6, and prints the wall time beside BoTorch's figures from timing_reference.json
 * (fit_s, a 16-thread CPU) where the folder is present.
 *
 *   npm run bench:fit-time -- [--n 50,200,1000] [--seed 0] [--json OUT]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fitGaussianProcess, hartmann6, Prng } from '@apiary/bo-core';

const { values } = parseArgs({ options: { n: { type: 'string', default: '50,200,1000' }, seed: { type: 'string', default: '0' }, json: { type: 'string' } } });
const sizes = values.n.split(',').map(Number);
const rng = new Prng(Number(values.seed));
const refPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/reference/timing_reference.json');
const ref = existsSync(refPath)
  ? (JSON.parse(readFileSync(refPath, 'utf8')) as { rows: { device: string; n: number; fit_s: number; threads: number }[] }).rows.filter((r) => r.device === 'cpu')
  : [];

const rows: { n: number; d: number; fit_s: number; starts: number; evaluations: number }[] = [];
console.log('| n | d | fit s | starts | objective evaluations | BoTorch fit s (nearest n, 16-thread CPU) |');
console.log('|---|---|---|---|---|---|');
for (const n of sizes) {
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: 6 }, () => rng.uniform());
    X.push(x);
    y.push(hartmann6.evaluate(x) + 0.05 * rng.normal());
  }
  const t0 = performance.now();
  const gp = fitGaussianProcess(X, y, { bounds: Array.from({ length: 6 }, () => [0, 1] as const) });
  const fitS = (performance.now() - t0) / 1000;
  const evaluations = gp.fit.attempts.reduce((s, a) => s + a.evaluations, 0);
  rows.push({ n, d: 6, fit_s: fitS, starts: gp.fit.attempts.length, evaluations });
  const near = ref.length ? ref.reduce((a, b) => (Math.abs(b.n - n) < Math.abs(a.n - n) ? b : a)) : null;
  console.log(`| ${n} | 6 | ${fitS.toFixed(2)} | ${gp.fit.attempts.length} | ${evaluations} | ${near ? `${near.fit_s.toFixed(2)} (n = ${near.n})` : '-'} |`);
}
if (values.json) writeFileSync(values.json, JSON.stringify({ rows }, null, 2) + '\n');
