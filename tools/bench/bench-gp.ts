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
import { MODEL_PRESETS, type ModelPreset } from '@apiary/bo-core';
import { bestReference, evaluateSet, meetsGoal, type DataSet } from './gp-fit-quality.js';

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
    const q = evaluateSet(set, preset);
    rows.push(q);
    const ref = bestReference(set.results);
    const met = ref ? (meetsGoal(q, ref) ? 'yes' : 'no') : '-';
    lines.push([set.name, String(set.X.length), String(set.X[0]?.length ?? 0), fmt(q.rmse), fmt(q.nll), q.fit_s.toFixed(2), ref ? fmt(ref.rmse) : '-', ref ? fmt(ref.nll) : '-', met]);
  }
  printTable(header, lines);
  if (values.json) writeFileSync(values.json, JSON.stringify({ sets: rows }, null, 2) + '\n');
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
