#!/usr/bin/env node
/**
 * The managed loop, end to end: `apiary optimize` tunes the classifier's learning rate, hidden
 * units, epochs and optimiser on the validation split (classifier.mjs, in worker threads), then
 * this script retrains the best configuration and a default one and prints their accuracy on the
 * held-out test split, which the optimiser never saw.
 *
 *   npm run example:tfjs                      # the full experiment (config.json, 24 trials)
 *   node examples/tfjs-classifier/run.mjs --budget 6 --max-epochs 3 --json summary.json
 *
 * Options: --budget N (trials; default: the config's), --max-epochs E (caps the epochs range),
 * --seed S (the experiment's seed), --out FILE (keep apiary's --out run file; default: a temporary
 * folder), --json FILE (write the summary printed at the end as JSON).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDigits } from './digits.mjs';
import { tensorflow } from './tensorflow.mjs';
import { trainClassifier } from './train.mjs';

const CONFIG = fileURLToPath(new URL('./config.json', import.meta.url));
const EVALUATOR = fileURLToPath(new URL('./classifier.mjs', import.meta.url));
const APIARY_BIN = fileURLToPath(new URL('../../apps/cli/bin/apiary.js', import.meta.url));

/**
 * The untuned comparison: Adam at its customary learning rate of 1e-3, 32 hidden units and
 * 5 epochs (capped by --max-epochs).
 */
const DEFAULT_CONFIGURATION = { learningRate: 0.001, hiddenUnits: 32, epochs: 5, optimizer: 'adam' };

const { values: args } = parseArgs({
  options: {
    budget: { type: 'string' },
    'max-epochs': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
  },
});

const work = mkdtempSync(join(tmpdir(), 'apiary-tfjs-'));
try {
  const config = withOverrides(JSON.parse(readFileSync(CONFIG, 'utf8')), args);
  const configFile = join(work, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const outFile = args.out ?? join(work, 'run.json');

  await apiary(['optimize', '--config', configFile, '--evaluator', EVALUATOR, '--out', outFile]);
  const run = JSON.parse(readFileSync(outFile, 'utf8'));
  if (!run.best) throw new Error('no trial completed, so there is no best configuration to test');

  const { tf, backend } = await tensorflow();
  const splits = loadDigits();
  const epochs = config.parameters.find((p) => p.name === 'epochs');
  const epochsCap = epochs.type === 'fixed' ? epochs.value : epochs.bounds[1];
  const defaultConfiguration = { ...DEFAULT_CONFIGURATION, epochs: Math.min(DEFAULT_CONFIGURATION.epochs, epochsCap) };
  const best = await trainClassifier(tf, splits, run.best.parameters, { evaluateTest: true });
  const baseline = await trainClassifier(tf, splits, defaultConfiguration, { evaluateTest: true });

  const summary = {
    backend,
    split: { train: splits.train.size, validation: splits.validation.size, test: splits.test.size },
    trials: {
      budget: config.budget,
      completed: run.trials.filter((t) => t.status === 'COMPLETED').length,
      failed: run.trials.filter((t) => t.status === 'FAILED').length,
    },
    best: {
      trial: run.best.index,
      parameters: run.best.parameters,
      searchValidationAccuracy: run.best.values.validationAccuracy,
      validationAccuracy: best.validationAccuracy,
      testAccuracy: best.testAccuracy,
    },
    default: { parameters: defaultConfiguration, validationAccuracy: baseline.validationAccuracy, testAccuracy: baseline.testAccuracy },
  };
  print(summary);
  if (args.json) writeFileSync(args.json, JSON.stringify(summary, null, 2) + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The config with --budget, --seed and --max-epochs applied. */
function withOverrides(config, options) {
  const next = structuredClone(config);
  if (options.budget !== undefined) next.budget = integerAtLeast('--budget', options.budget);
  if (options.seed !== undefined) next.seed = integerAtLeast('--seed', options.seed, 0);
  if (options['max-epochs'] !== undefined) {
    const cap = integerAtLeast('--max-epochs', options['max-epochs']);
    const epochs = next.parameters.find((p) => p.name === 'epochs');
    epochs.bounds = [Math.min(epochs.bounds[0], cap), Math.min(epochs.bounds[1], cap)];
    // A one-value int range is not a search dimension; pin it instead.
    if (epochs.bounds[0] === epochs.bounds[1]) Object.assign(epochs, { type: 'fixed', value: cap, bounds: undefined });
  }
  return next;
}

function integerAtLeast(flag, raw, min = 1) {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${raw}`);
  return n;
}

/** Runs the apiary CLI with this Node, its output shown as it comes; rejects on a non-zero exit. */
function apiary(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APIARY_BIN, ...argv], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`apiary ${argv[0]} exited with ${code ?? signal}`))));
  });
}

function print({ backend, split, trials, best, default: baseline }) {
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const describe = (p) => `learningRate=${p.learningRate.toPrecision(3)} hiddenUnits=${p.hiddenUnits} epochs=${p.epochs} optimizer=${p.optimizer}`;
  console.log('');
  console.log(`MNIST digits (${split.train} train / ${split.validation} validation / ${split.test} held-out test), TensorFlow.js on ${backend}`);
  console.log(`trials: ${trials.completed} completed, ${trials.failed} failed of ${trials.budget}`);
  console.log(`best (trial #${best.trial}):   ${describe(best.parameters)}`);
  console.log(`  validation accuracy ${pct(best.validationAccuracy)}, held-out test accuracy ${pct(best.testAccuracy)}`);
  console.log(`default:             ${describe(baseline.parameters)}`);
  console.log(`  validation accuracy ${pct(baseline.validationAccuracy)}, held-out test accuracy ${pct(baseline.testAccuracy)}`);
}
