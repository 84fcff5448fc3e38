/**
 * Cholesky benchmark: the blocked `cholesky` against the plain `choleskyReference` loop.
 *
 *   npm run bench:linalg -- [--sizes 256,1024,2048] [--repeats 5] [--backend wasm|ts] [--json OUT]
 *
 * For each n, builds an RBF kernel matrix of n random points in [0, 1)^5 (lengthscale 0.5) plus
 * 1e-6 I, times the blocked factorisation (best of --repeats) and the reference (best of a few,
 * once for n >= 2000), checks that both agree, and prints a markdown table
 * `n | blocked s | plain s | speed-up | GFLOP/s` (GFLOP/s of the blocked code, n³/3 flops).
 * --backend ts forces the pure-TypeScript kernel (default: wasm SIMD where available).
 * A second table times the other blocked routines at n = 1000 (m = 500 right-hand sides):
 * solveLowerMatrix (n² m flops), choleskySolveMatrix (2 n² m) and choleskyInverse (2 n³/3).
 * --json OUT also writes the rows (and the backend) as JSON.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import {
  cholesky,
  choleskyInverse,
  choleskyReference,
  choleskySolveMatrix,
  solveLowerMatrix,
  linalgBackend,
  setWasmKernelEnabled,
  zeros,
  type Matrix,
} from '../../libs/bo-core/src/linalg/index.js';

interface Row {
  n: number;
  blockedSeconds: number;
  plainSeconds: number;
  speedUp: number;
  gflops: number;
  maxRelDiff: number;
}

interface ExtraRow {
  routine: string;
  seconds: number;
  gflops: number;
}

/** Times the blocked solves and the inverse for a 1000 x 1000 factor and 500 right-hand sides. */
function extras(repeats: number): ExtraRow[] {
  const n = 1000, m = 500;
  const { L } = cholesky(rbfMatrix(n, 7));
  const r = rng(8);
  const B: Matrix = { rows: n, cols: m, data: Float64Array.from({ length: n * m }, r) };
  const cases: [string, number, () => unknown][] = [
    [`solveLowerMatrix (n = ${n}, m = ${m})`, n * n * m, () => solveLowerMatrix(L, B)],
    [`choleskySolveMatrix (n = ${n}, m = ${m})`, 2 * n * n * m, () => choleskySolveMatrix(L, B)],
    [`choleskyInverse (n = ${n})`, (2 * n ** 3) / 3, () => choleskyInverse(L)],
  ];
  return cases.map(([routine, flops, f]) => {
    const { seconds } = best(repeats, f);
    return { routine, seconds, gflops: flops / seconds / 1e9 };
  });
}

function parseArgs(argv: readonly string[]): { sizes: number[]; repeats: number; backend: 'wasm' | 'ts'; json?: string } {
  const out: { sizes: number[]; repeats: number; backend: 'wasm' | 'ts'; json?: string } = {
    sizes: [256, 1024, 2048],
    repeats: 5,
    backend: 'wasm',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--sizes' && value !== undefined) out.sizes = value.split(',').map(Number);
    else if (arg === '--repeats' && value !== undefined) out.repeats = Number(value);
    else if (arg === '--backend' && (value === 'wasm' || value === 'ts')) out.backend = value;
    else if (arg === '--json' && value !== undefined) out.json = value;
    else throw new Error(`bench-linalg: unknown or incomplete argument ${arg}`);
    i++;
  }
  if (out.sizes.some((n) => !(Number.isInteger(n) && n > 0)) || !(out.repeats >= 1)) {
    throw new Error('bench-linalg: --sizes must be positive integers and --repeats >= 1');
  }
  return out;
}

/** Seeded uniform [0, 1) (mulberry32), so every run factors the same matrices. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rbfMatrix(n: number, seed: number): Matrix {
  const d = 5, lengthscale = 0.5, nugget = 1e-6;
  const r = rng(seed);
  const X = Float64Array.from({ length: n * d }, r);
  const K = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = X[i * d + k]! - X[j * d + k]!;
        r2 += t * t;
      }
      const v = Math.exp(-r2 / (2 * lengthscale * lengthscale)) + (i === j ? nugget : 0);
      K.data[i * n + j] = v;
      K.data[j * n + i] = v;
    }
  }
  return K;
}

/** Best wall time in seconds of `reps` calls, and the last result. */
function best<T>(reps: number, f: () => T): { seconds: number; result: T } {
  let seconds = Infinity;
  let result = f(); // warm-up (JIT, wasm memory growth); not timed
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    result = f();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { seconds, result };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  setWasmKernelEnabled(args.backend === 'wasm');
  const backend = linalgBackend();
  const rows: Row[] = [];
  for (const n of args.sizes) {
    const A = rbfMatrix(n, n);
    const blocked = best(args.repeats, () => cholesky(A));
    if (blocked.result.jitter !== 0) console.warn(`n = ${n}: cholesky needed jitter ${blocked.result.jitter}`);
    const plainReps = n >= 2000 ? 1 : n >= 1000 ? 2 : 3;
    const t0 = performance.now();
    let plainSeconds = Infinity;
    let R = choleskyReference(A);
    plainSeconds = (performance.now() - t0) / 1000;
    for (let r = 1; r < plainReps; r++) {
      const t1 = performance.now();
      R = choleskyReference(A);
      plainSeconds = Math.min(plainSeconds, (performance.now() - t1) / 1000);
    }
    let diff = 0, scale = 0;
    const L = blocked.result.L.data;
    for (let i = 0; i < L.length; i++) {
      diff = Math.max(diff, Math.abs(L[i]! - R.data[i]!));
      scale = Math.max(scale, Math.abs(R.data[i]!));
    }
    rows.push({
      n,
      blockedSeconds: blocked.seconds,
      plainSeconds,
      speedUp: plainSeconds / blocked.seconds,
      gflops: n ** 3 / 3 / blocked.seconds / 1e9,
      maxRelDiff: diff / scale,
    });
  }
  const cpu = cpus();
  console.log(`Cholesky, blocked (${backend} kernel) vs plain reference; ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  console.log(`Blocked: best of ${args.repeats} after a warm-up; plain: best of 3 (n < 1000), 2 (n < 2000), else 1 run.\n`);
  console.log('| n | blocked s | plain s | speed-up | GFLOP/s |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.n} | ${r.blockedSeconds.toFixed(4)} | ${r.plainSeconds.toFixed(3)} | ${r.speedUp.toFixed(1)}x | ${r.gflops.toFixed(2)} |`);
  }
  console.log(`\nmax |L_blocked - L_plain| / max |L|: ${rows.map((r) => r.maxRelDiff.toExponential(1)).join(', ')}`);
  const extraRows = extras(args.repeats);
  console.log('\n| routine | s | GFLOP/s |');
  console.log('|---|---:|---:|');
  for (const r of extraRows) console.log(`| ${r.routine} | ${r.seconds.toFixed(4)} | ${r.gflops.toFixed(2)} |`);
  if (args.json !== undefined) {
    const report = { backend, cpus: cpu.length, node: process.version, rows, extras: extraRows };
    writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
    console.log(`wrote ${args.json}`);
  }
}

main();
