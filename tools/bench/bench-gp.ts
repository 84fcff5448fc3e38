/**
 * GP fit-quality benchmark.
 *
 *   npm run bench:gp -- --sets PATH [--json OUT] [--preset default|botorch|matern-gamma]
 *
 * PATH is a JSON file with a `sets` array; each set has `name`, `X` and `X_test` (unit cube), `y`,
 * `y_test`, and optionally BoTorch's `results`. Fits the model to each set's training data and
 * prints held-out RMSE and NLL (mean negative log predictive density of the noisy held-out y, in
 * original units) beside BoTorch's figures. `--json OUT` writes {"sets":[{"name","rmse","nll","fit_s"}]}.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fitGaussianProcess, MODEL_PRESETS, type ModelPreset } from '@apiary/bo-core';

interface RefResult { rmse?: number; nll?: number; fit_s?: number; error?: string }
interface DataSet {
  name: string;
  X: number[][];
  y: number[];
  X_test: number[][];
  y_test: number[];
  results?: Record<string, RefResult>;
}

function main(): void {
  const { values } = parseArgs({
    options: { sets: { type: 'string' }, json: { type: 'string' }, preset: { type: 'string', default: 'default' } },
  });
  if (!values.sets) fail('usage: npm run bench:gp -- --sets PATH [--json OUT] [--preset NAME]');
  const preset = values.preset as ModelPreset;
  if (!MODEL_PRESETS.includes(preset)) fail(`--preset must be one of ${MODEL_PRESETS.join(', ')}`);
  let file: { sets?: DataSet[] };
  try {
    file = JSON.parse(readFileSync(values.sets, 'utf8')) as { sets?: DataSet[] };
  } catch (e) {
    fail(`cannot read ${values.sets}: ${(e as Error).message}`);
  }
  if (!Array.isArray(file.sets)) fail(`${values.sets} has no "sets" array`);

  const rows: { name: string; rmse: number; nll: number; fit_s: number }[] = [];
  const header = ['set', 'n', 'd', 'rmse', 'nll', 'fit s', 'botorch rmse (best)', 'botorch nll (best)', 'goal met'];
  const lines: string[][] = [];
  for (const set of file.sets) {
    const d = set.X[0]?.length ?? 0;
    const bounds = Array.from({ length: d }, () => [0, 1] as const);
    const t0 = performance.now();
    const gp = fitGaussianProcess(set.X, set.y, { bounds, preset });
    const pred = gp.predict(set.X_test, { observationNoise: true });
    const fitS = (performance.now() - t0) / 1000;
    const { rmse, nll } = heldOut(pred.mean, pred.variance, set.y_test);
    rows.push({ name: set.name, rmse, nll, fit_s: fitS });
    const ref = bestReference(set.results);
    const met = ref ? (nll <= ref.nll + 0.05 && rmse <= 1.1 * ref.rmse ? 'yes' : 'no') : '-';
    lines.push([set.name, String(set.X.length), String(d), fmt(rmse), fmt(nll), fitS.toFixed(2), ref ? fmt(ref.rmse) : '-', ref ? fmt(ref.nll) : '-', met]);
  }
  printTable(header, lines);
  if (values.json) writeFileSync(values.json, JSON.stringify({ sets: rows }, null, 2) + '\n');
}

/** RMSE of the mean and mean negative log predictive density of y under N(mean, variance). */
function heldOut(mean: number[], variance: number[], y: number[]): { rmse: number; nll: number } {
  let se = 0;
  let nll = 0;
  for (let i = 0; i < y.length; i++) {
    const v = Math.max(variance[i]!, 1e-12);
    const r = y[i]! - mean[i]!;
    se += r * r;
    nll += 0.5 * Math.log(2 * Math.PI * v) + (0.5 * r * r) / v;
  }
  return { rmse: Math.sqrt(se / y.length), nll: nll / y.length };
}

/** The better of BoTorch's `default` and `matern_gamma` figures (each metric on its own). */
function bestReference(results?: Record<string, RefResult>): { rmse: number; nll: number } | null {
  if (!results) return null;
  const cands = ['default', 'matern_gamma'].map((k) => results[k]).filter((r): r is RefResult => !!r && r.rmse !== undefined && r.nll !== undefined);
  if (cands.length === 0) return null;
  return { rmse: Math.min(...cands.map((r) => r.rmse!)), nll: Math.min(...cands.map((r) => r.nll!)) };
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}

function printTable(header: string[], rows: string[][]): void {
  const out = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
  console.log(out.join('\n'));
}

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

main();
