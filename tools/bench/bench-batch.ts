/**
 * Large-batch generation benchmark (issue acceptance 4: a pool of workers needs large batches).
 *
 *   npm run bench:batch -- [--n 200] [--d 6] [--qs 1,4,16,64] [--seed 0] [--mc 4096]
 *                          [--max-joint-s 180] [--small-n 80] [--small-q 4] [--repeats 3] [--json OUT]
 *
 * 1. Fits the default GP (the Optimizer's: `default` preset, MAP fit) to n noise-free Hartmann
 *    points (d = 6, or 3) on a scrambled-Sobol design of the unit cube; minimisation.
 * 2. For each q, generates a q-batch exactly as `Optimizer.ask` does after the initial design —
 *    qLogNEI (256 MC samples, the n points as baseline, no pending points), `optimizeAcqf` with 10
 *    restarts and 512 raw samples, sequential greedy for 1 < q ≤ the default strategy's greedyBatchLimit and
 *    joint otherwise (the settings are read from `resolveGenerationStrategy`, so the table
 *    follows the Optimizer's defaults) — and also in the other mode where affordable: the joint
 *    mode where the Optimizer would be greedy is run only when its
 *    estimated time is at most --max-joint-s (estimate: the measured cost of one value-and-gradient
 *    evaluation at that q times the evaluations per restart the largest joint run so far needed,
 *    scaled by sqrt(q / q_then), times the restarts, plus the raw-sample scoring).
 * 3. Scores every batch with one fixed, large qLogNEI (--mc samples, same model and baseline, its
 *    own seed) so that modes and q are compared on the same yardstick; a batch of q scrambled-Sobol
 *    points is scored beside them as a no-model reference.
 * 4. Times the issue's single case: q = --small-q at n = --small-n, fit + generate, through the
 *    Optimizer itself (a fresh optimiser per repeat, so the fit is cold), median of --repeats.
 *
 * Times are wall seconds and this process's CPU seconds (user + system, `process.cpuUsage`): the
 * code is single-threaded, so on a shared machine the CPU time is the better estimate of the wall
 * time on an idle core (V8's helper threads add a little to it). The joint-mode estimate and
 * --max-joint-s are in CPU seconds.
 *
 * Prints markdown tables; --json writes the raw results.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  buildPresetModel,
  evaluateUnit,
  fitGP,
  hartmann3,
  hartmann6,
  matrix,
  Optimizer,
  optimizeAcqf,
  qLogNoisyExpectedImprovement,
  resolveGenerationStrategy,
  resolvePreset,
  SobolEngine,
  type AcquisitionFunction,
  type TestFunction,
} from '@apiary/bo-core';

type Mode = 'joint' | 'sequential';

interface BatchRun {
  q: number;
  mode: Mode;
  /** Whether this is the mode the Optimizer uses for this q. */
  optimizerMode: boolean;
  seconds: number;
  /** CPU seconds of this process (user + system): the wall time the single-threaded run would take on an idle core. */
  cpuSeconds: number;
  /** The whole batch under the optimiser's own qLogNEI (256 samples, its seed): what joint mode maximises. */
  own: number;
  /** qLogNEI of the whole batch under the large fixed MC sample. */
  scored: number;
  /** L-BFGS-B value-and-gradient evaluations plus scored candidates, summed over restarts. */
  evaluations: number;
  restarts: number;
  /** Smallest distance between two points of the batch (unit cube). */
  minDistance: number;
}

interface Skipped {
  q: number;
  mode: Mode;
  estimatedSeconds: number;
  reason: string;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '200' },
      d: { type: 'string', default: '6' },
      qs: { type: 'string', default: '1,4,16,64' },
      seed: { type: 'string', default: '0' },
      mc: { type: 'string', default: '4096' },
      'max-joint-s': { type: 'string', default: '180' },
      'small-n': { type: 'string', default: '80' },
      'small-q': { type: 'string', default: '4' },
      repeats: { type: 'string', default: '3' },
      json: { type: 'string' },
    },
  });
  const n = positiveInt(values.n, '--n');
  const d = positiveInt(values.d, '--d');
  if (d !== 6 && d !== 3) fail('--d must be 6 (Hartmann-6) or 3 (Hartmann-3)');
  const fn: TestFunction = d === 6 ? hartmann6 : hartmann3;
  const qs = values.qs.split(',').map((s) => positiveInt(s.trim(), '--qs'));
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) fail('--seed must be an integer >= 0');
  const mc = positiveInt(values.mc, '--mc');
  const maxJointS = Number(values['max-joint-s']);
  if (!(maxJointS >= 0)) fail('--max-joint-s must be a number >= 0');
  const smallN = positiveInt(values['small-n'], '--small-n');
  const smallQ = positiveInt(values['small-q'], '--small-q');
  const repeats = positiveInt(values.repeats, '--repeats');

  const strategy = resolveGenerationStrategy({}, d);
  const command = `npm run bench:batch -- ${process.argv.slice(2).join(' ')}`.trim();
  console.log(`# bench:batch — ${fn.name}, n = ${n}, qs = ${qs.join(',')}, seed ${seed}`);
  console.log(`command: ${command}`);
  console.log(
    `Optimizer strategy: ${strategy.modelPreset} preset, ${strategy.mcSamples} MC samples, ${strategy.numRestarts} restarts, ` +
      `${strategy.rawSamples} raw samples, greedy (sequential) for 1 < q <= ${strategy.greedyBatchLimit}, joint otherwise; scoring with ${mc} MC samples\n`,
  );

  // 1. Data and GP.
  const design = new SobolEngine(d, { scramble: true, seed }).draw(n);
  const y = Array.from({ length: n }, (_, i) => evaluateUnit(fn, design.subarray(i * d, (i + 1) * d)));
  const X = matrix(n, d, design.slice());
  const tFit = performance.now();
  const cFit = cpuSeconds();
  const { model, noiseFloor } = buildPresetModel(resolvePreset(strategy.modelPreset), X, y, null);
  fitGP(model, { noiseFloor, seed });
  const fitSeconds = (performance.now() - tFit) / 1000;
  const fitCpuSeconds = cpuSeconds() - cFit;
  console.log(`GP fit on n = ${n}: ${fitSeconds.toFixed(2)} s (cpu ${fitCpuSeconds.toFixed(2)} s); best observed ${Math.min(...y).toFixed(4)} (optimum ${fn.optimalValue})\n`);

  const acqSeed = seed * 1_000_003; // the Optimizer's seed for its first model-based generation
  const makeAcq = (pending: Float64Array | null, numSamples: number, mcSeed: number): qLogNoisyExpectedImprovement =>
    new qLogNoisyExpectedImprovement(model, { baseline: design, pending, maximize: false, numSamples, seed: mcSeed });
  // The yardstick: one object, so every batch of a given q is scored with the same base samples.
  const yardstick = makeAcq(null, mc, 987_654_321);
  const score = (batch: Float64Array, q: number): number => yardstick.forward({ b: 1, q, d, data: batch })[0]!;

  const greedy = (q: number): boolean => q > 1 && q <= strategy.greedyBatchLimit;
  const runs: BatchRun[] = [];
  const skipped: Skipped[] = [];
  const reference: { q: number; scored: number }[] = [];
  let evalsPerRestart = 0; // largest joint q so far: value-and-gradient evaluations per restart
  let evalsAtQ = 0;
  for (const q of qs) {
    const sobolBatch = new SobolEngine(d, { scramble: true, seed: seed + 1000 + q }).draw(q);
    reference.push({ q, scored: score(sobolBatch, q) });
    const modes: Mode[] = q === 1 ? ['joint'] : !greedy(q) ? ['joint', 'sequential'] : ['sequential', 'joint'];
    for (const mode of modes) {
      const optimizerMode = q === 1 || (mode === 'joint') === !greedy(q);
      if (mode === 'joint' && greedy(q)) {
        const estimate = estimateJointSeconds(makeAcq(null, strategy.mcSamples, acqSeed), q, d, strategy, evalsPerRestart, evalsAtQ);
        if (estimate > maxJointS) {
          const reason = `estimated ${fmtS(estimate)} > --max-joint-s ${maxJointS}`;
          skipped.push({ q, mode, estimatedSeconds: estimate, reason });
          console.log(`q = ${q}, joint: skipped (${reason})`);
          continue;
        }
        console.log(`q = ${q}, joint: estimated ${fmtS(estimate)}, running`);
      }
      const t0 = performance.now();
      const c0 = cpuSeconds();
      const result = optimizeAcqf(makeAcq(null, strategy.mcSamples, acqSeed), {
        q,
        numRestarts: strategy.numRestarts,
        rawSamples: strategy.rawSamples,
        seed: acqSeed,
        sequential: mode === 'sequential',
        withPending: (points) => makeAcq(points, strategy.mcSamples, acqSeed),
      });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds() - c0;
      const evaluations = result.restarts.reduce((a, r) => a + r.evaluations, 0);
      if (mode === 'joint' && q > 1 && q >= evalsAtQ) {
        evalsPerRestart = evaluations / result.restarts.length;
        evalsAtQ = q;
      }
      const run: BatchRun = {
        q,
        mode,
        optimizerMode,
        seconds,
        cpuSeconds: cpu,
        own: makeAcq(null, strategy.mcSamples, acqSeed).forward({ b: 1, q, d, data: result.candidates })[0]!,
        scored: score(result.candidates, q),
        evaluations,
        restarts: result.restarts.length,
        minDistance: minPairwiseDistance(result.candidates, q, d),
      };
      runs.push(run);
      console.log(
        `q = ${q}, ${mode}${optimizerMode ? ' (Optimizer)' : ''}: ${fmtS(seconds)} (cpu ${fmtS(cpu)}), qLogNEI(${mc}) ${run.scored.toFixed(4)}, own ${run.own.toFixed(4)}, ` +
          `${evaluations} evaluations over ${run.restarts} restarts, min distance ${run.minDistance.toFixed(3)}`,
      );
    }
  }

  // 4. The single case through the Optimizer.
  const small: { seed: number; seconds: number; cpuSeconds: number; fitSeconds: number; acquisitionSeconds: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    const opt = new Optimizer({
      searchSpace: { parameters: Array.from({ length: d }, (_, j) => ({ name: `x${j}`, type: 'range' as const, bounds: [0, 1] as [number, number] })) },
      minimize: true,
      seed: seed + r,
      strategy: { initialTrials: smallN },
    });
    for (const t of opt.ask(smallN)) opt.tell(t.index, evaluateUnit(fn, t.unit));
    const t0 = performance.now();
    const c0 = cpuSeconds();
    const batch = opt.ask(smallQ);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - c0;
    if (batch.some((t) => t.generator !== 'qlognei')) fail('internal: the small case did not use the model');
    small.push({ seed: seed + r, seconds, cpuSeconds: cpu, fitSeconds: opt.lastGeneration!.fitSeconds, acquisitionSeconds: opt.lastGeneration!.acquisitionSeconds });
    console.log(`q = ${smallQ} at n = ${smallN} (Optimizer seed ${seed + r}): ${fmtS(seconds)} (cpu ${fmtS(cpu)}; fit ${fmtS(opt.lastGeneration!.fitSeconds)})`);
  }

  // Tables.
  console.log(`\n## q-batch generation on ${fn.name}, n = ${n} (GP fit ${fitSeconds.toFixed(2)} s wall, ${fitCpuSeconds.toFixed(2)} s cpu; not included below)\n`);
  console.log(`qLogNEI(${mc}) is the batch's log expected improvement under ${mc} fixed QMC samples (higher is better; +1 = e times the expected improvement).\n`);
  console.log(`| q | mode | wall s | cpu s | cpu s / point | qLogNEI(${mc}) | greedy baseline | joint − greedy | Sobol batch | qLogNEI(${strategy.mcSamples}, optimiser's) | evaluations | min dist |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const greedy = runs.find((o) => o.q === r.q && (r.q === 1 ? o.mode === 'joint' : o.mode === 'sequential'));
    const ref = reference.find((o) => o.q === r.q)!;
    const diff = greedy && r.mode === 'joint' && r.q > 1 ? (r.scored - greedy.scored).toFixed(3) : '';
    console.log(
      `| ${r.q} | ${r.mode}${r.optimizerMode ? ' (Optimizer)' : ''} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${(r.cpuSeconds / r.q).toFixed(2)} | ` +
        `${r.scored.toFixed(3)} | ${greedy ? greedy.scored.toFixed(3) : '-'} | ${diff} | ${ref.scored.toFixed(3)} | ${r.own.toFixed(3)} | ${r.evaluations} | ${r.minDistance.toFixed(3)} |`,
    );
  }
  for (const s of skipped) console.log(`| ${s.q} | ${s.mode} | skipped (${s.reason}) | | | | | | | | | |`);

  const med = median(small.map((s) => s.seconds));
  const medCpu = median(small.map((s) => s.cpuSeconds));
  console.log(`\n## q = ${smallQ} at n = ${smallN}, d = ${d}: fit + generate through Optimizer.ask (cold fit), ${repeats} runs\n`);
  console.log('| run (seed) | wall s | cpu s | fit s (wall) | acquisition s (wall) |');
  console.log('|---|---|---|---|---|');
  for (const s of small) {
    console.log(`| ${s.seed} | ${s.seconds.toFixed(2)} | ${s.cpuSeconds.toFixed(2)} | ${s.fitSeconds.toFixed(2)} | ${s.acquisitionSeconds.toFixed(2)} |`);
  }
  const medFit = median(small.map((s) => s.fitSeconds)).toFixed(2);
  console.log(`| **median** | **${med.toFixed(2)}** | **${medCpu.toFixed(2)}** | ${medFit} | ${median(small.map((s) => s.acquisitionSeconds)).toFixed(2)} |`);
  console.log(`\ngoal ≤ 2 s: ${med <= 2 ? 'met' : 'NOT met'} (wall), ${medCpu <= 2 ? 'met' : 'NOT met'} (cpu)`);

  if (values.json) {
    const out = {
      command,
      problem: fn.name,
      n,
      d,
      seed,
      mc,
      fitSeconds,
      fitCpuSeconds,
      strategy,
      runs,
      skipped,
      reference,
      small: { n: smallN, q: smallQ, runs: small, medianSeconds: med, medianCpuSeconds: medCpu },
    };
    writeFileSync(values.json, JSON.stringify(out, null, 2) + '\n');
  }
}

/**
 * Estimated CPU time of a joint q-batch optimisation: raw scoring (timed on a slice and scaled)
 * plus restarts × evaluations per restart × the cost of one value-and-gradient evaluation. The
 * evaluations per restart come from the largest joint run so far, scaled by sqrt(q / q_then) (more
 * free coordinates, more L-BFGS-B iterations; on Hartmann-6 they grew 80 → 172 → 235 per restart
 * for q = 4 → 16 → 64, so sqrt over-estimates a little); with none, 200 (the iteration limit).
 */
function estimateJointSeconds(
  acq: AcquisitionFunction,
  q: number,
  d: number,
  strategy: { numRestarts: number; rawSamples: number },
  evalsPerRestart: number,
  evalsAtQ: number,
): number {
  const src = new SobolEngine(q * d, { scramble: true, seed: 4242 });
  const probe = 8;
  const data = src.draw(probe);
  const t0 = cpuSeconds();
  acq.forward({ b: probe, q, d, data });
  const forwardS = (cpuSeconds() - t0) / probe;
  const t1 = cpuSeconds();
  const reps = 2;
  for (let k = 0; k < reps; k++) acq.forwardWithGradient({ b: 1, q, d, data: data.subarray(k * q * d, (k + 1) * q * d) });
  const gradS = (cpuSeconds() - t1) / reps;
  const perRestart = evalsAtQ > 0 ? evalsPerRestart * Math.sqrt(q / evalsAtQ) : 200;
  return strategy.rawSamples * forwardS + strategy.numRestarts * perRestart * gradS;
}

/** CPU seconds (user + system) of this process so far. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function minPairwiseDistance(X: Float64Array, q: number, d: number): number {
  let best = Infinity;
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (X[i * d + k]! - X[j * d + k]!) ** 2;
      best = Math.min(best, Math.sqrt(s));
    }
  }
  return best;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function fmtS(s: number): string {
  return s < 60 ? `${s.toFixed(2)} s` : `${(s / 60).toFixed(1)} min`;
}

function positiveInt(v: string | undefined, name: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) fail(`${name} must be a positive integer, got '${v}'`);
  return x;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

main();
