import type { AcquisitionFunction } from '../acquisition/acquisition.js';
import { batchFeasible } from './optimize-acqf-constraints.js';
import { scoreInChunks } from './optimize-acqf-local.js';
import type { ResolvedOptimizeAcqfOptions } from './optimize-acqf-options.js';

/**
 * Rounding of a relaxed `q x d` batch to valid discrete values (see the design note in
 * optimize-acqf.ts). Each point of the batch carries one *decision* per integer coordinate and per
 * one-hot group:
 *
 * - integer coordinate with relaxed value v and allowed level centres ℓ₀ < … < ℓ_{m−1}: the first
 *   choice is the nearest centre ℓ_a; the alternative is the neighbouring centre ℓ_b on v's side,
 *   with ambiguity `|v − ℓ_a| / |ℓ_b − ℓ_a| ∈ [0, ½]` (½: v sits on the rounding boundary); when v
 *   is exactly a centre or beyond the outermost one, the alternative is a neighbouring centre with
 *   ambiguity 0 (none for a single level);
 * - one-hot group with relaxed weights w: the first choice is the largest weight w₁, the
 *   alternative the second largest w₂ (ties: lower coordinate first); ambiguity `½ (1 − (w₁ − w₂))`.
 *
 * The k = min(maxEnumerated, #decisions with an alternative) most ambiguous decisions are
 * enumerated (2^k candidates), every other decision takes its first choice.
 */

/** Whether the options declare any integer coordinate or one-hot group. */
export function hasDiscrete(options: ResolvedOptimizeAcqfOptions): boolean {
  return options.integers.length > 0 || options.oneHot.length > 0;
}

/** Flat indices (into a `q x d` batch) of every free coordinate of every point. */
export function freePositions(options: ResolvedOptimizeAcqfOptions, q: number, continuousOnly = false): Int32Array {
  const discrete = new Set<number>();
  if (continuousOnly) {
    for (const c of options.integers) discrete.add(c.index);
    for (const g of options.oneHot) for (const i of g) discrete.add(i);
  }
  const out: number[] = [];
  for (let j = 0; j < q; j++) for (const i of options.free) if (!discrete.has(i)) out.push(j * options.d + i);
  return Int32Array.from(out);
}

interface Decision {
  readonly ambiguity: number;
  readonly hasAlternative: boolean;
  /** Writes the first choice (`alternative = false`) or the alternative into a `q x d` batch. */
  apply(X: Float64Array, alternative: boolean): void;
}

function integerDecision(at: number, v: number, levels: Float64Array): Decision {
  let a = 0;
  for (let k = 1; k < levels.length; k++) if (Math.abs(levels[k]! - v) < Math.abs(levels[a]! - v)) a = k;
  const la = levels[a]!;
  const sided = v > la && a + 1 < levels.length ? a + 1 : v < la && a > 0 ? a - 1 : -1;
  // On a centre or beyond the outermost one, the alternative is the only or upper neighbour, with
  // ambiguity 0 (enumerated last): the relaxed optimum often sits on an already-observed level,
  // where the neighbour is worth re-scoring.
  const b = sided >= 0 ? sided : a + 1 < levels.length ? a + 1 : a - 1;
  const lb = b >= 0 ? levels[b]! : la;
  return {
    ambiguity: sided >= 0 ? Math.abs(v - la) / Math.abs(lb - la) : 0,
    hasAlternative: b >= 0,
    apply: (X, alternative) => {
      X[at] = alternative ? lb : la;
    },
  };
}

function oneHotDecision(base: number, group: Int32Array, X: Float64Array): Decision {
  const order = Array.from(group).sort((i, k) => X[base + k]! - X[base + i]! || i - k);
  const first = order[0]!;
  const second = order[1]!;
  return {
    ambiguity: 0.5 * (1 - (X[base + first]! - X[base + second]!)),
    hasAlternative: true,
    apply: (Y, alternative) => {
      const chosen = alternative ? second : first;
      for (const i of group) Y[base + i] = i === chosen ? 1 : 0;
    },
  };
}

/**
 * The rounded candidates of a relaxed `q x d` batch `X`: `m = 2^k` batches, `m x q x d`
 * row-major; candidate 0 rounds every decision to its first choice.
 */
export function roundingCandidates(
  X: Float64Array,
  q: number,
  options: ResolvedOptimizeAcqfOptions,
): { data: Float64Array; m: number } {
  const d = options.d;
  const decisions: Decision[] = [];
  for (let j = 0; j < q; j++) {
    for (const c of options.integers) decisions.push(integerDecision(j * d + c.index, X[j * d + c.index]!, c.levels));
    for (const g of options.oneHot) decisions.push(oneHotDecision(j * d, g, X));
  }
  const base = X.slice();
  for (const decision of decisions) decision.apply(base, false);
  const enumerated = decisions
    .map((decision, order) => ({ decision, order }))
    .filter((e) => e.decision.hasAlternative)
    .sort((e, f) => f.decision.ambiguity - e.decision.ambiguity || e.order - f.order)
    .slice(0, options.maxEnumerated)
    .map((e) => e.decision);
  const m = 2 ** enumerated.length;
  const size = q * d;
  const data = new Float64Array(m * size);
  for (let mask = 0; mask < m; mask++) {
    const candidate = data.subarray(mask * size, (mask + 1) * size);
    candidate.set(base);
    enumerated.forEach((decision, bit) => {
      if ((mask >> bit) & 1) decision.apply(candidate, true);
    });
  }
  return { data, m };
}

/** A rounded batch (`q x d`) with its acquisition value and the restart it came from. */
export interface RoundedCandidate {
  X: Float64Array;
  value: number;
  readonly startIndex: number;
}

/**
 * Scores every rounded candidate of the relaxed batch `X` with `acq.forward` (chunks of
 * `batchLimit`) and returns those that are finite and satisfy the inequality constraints;
 * `evaluated` is the number of candidates scored.
 */
export function scoreRoundings(
  acq: AcquisitionFunction,
  X: Float64Array,
  q: number,
  options: ResolvedOptimizeAcqfOptions,
  startIndex: number,
): { candidates: RoundedCandidate[]; evaluated: number } {
  const size = q * options.d;
  const { data, m } = roundingCandidates(X, q, options);
  const values = scoreInChunks(acq, data, m, q, options.batchLimit);
  const candidates: RoundedCandidate[] = [];
  for (let c = 0; c < m; c++) {
    const value = values[c]!;
    if (!Number.isFinite(value)) continue;
    if (options.constraints.length > 0 && !batchFeasible(options.constraints, data, q, options.d, c * size)) continue;
    candidates.push({ X: data.slice(c * size, (c + 1) * size), value, startIndex });
  }
  return { candidates, evaluated: m };
}

/**
 * Rounded candidates from every restart, one per distinct discrete assignment (the values of the
 * integer and one-hot coordinates of all q points), keeping the best-scoring one of each.
 */
export class RoundedPool {
  private readonly entries = new Map<string, RoundedCandidate>();
  private readonly discrete: Int32Array;

  constructor(options: ResolvedOptimizeAcqfOptions, q: number) {
    const positions: number[] = [];
    for (let j = 0; j < q; j++) {
      for (const c of options.integers) positions.push(j * options.d + c.index);
      for (const g of options.oneHot) for (const i of g) positions.push(j * options.d + i);
    }
    this.discrete = Int32Array.from(positions);
  }

  add(candidate: RoundedCandidate): void {
    const key = Array.from(this.discrete, (at) => candidate.X[at]!).join(',');
    const held = this.entries.get(key);
    if (held === undefined || candidate.value > held.value) this.entries.set(key, candidate);
  }

  /** Every entry, best first (ties: first added). */
  ranked(): RoundedCandidate[] {
    return [...this.entries.values()].sort((a, b) => b.value - a.value);
  }
}

/** Relative tolerance (of each coordinate's bound width) under which two points are the same. */
const SAME_POINT_TOLERANCE = 1e-6;

/**
 * Whether two points of the `q x d` batch X are the same, or a point of X is the same as one of
 * `others` (`k x d`): every coordinate within 1e-6 of its bound width.
 */
export function hasRepeatedPoint(X: Float64Array, q: number, others: Float64Array, options: ResolvedOptimizeAcqfOptions): boolean {
  const { d, lower, upper } = options;
  const same = (A: Float64Array, i: number, B: Float64Array, j: number): boolean => {
    for (let k = 0; k < d; k++) {
      if (Math.abs(A[i * d + k]! - B[j * d + k]!) > SAME_POINT_TOLERANCE * (upper[k]! - lower[k]!)) return false;
    }
    return true;
  };
  const k = others.length / d;
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < i; j++) if (same(X, i, X, j)) return true;
    for (let j = 0; j < k; j++) if (same(X, i, others, j)) return true;
  }
  return false;
}
