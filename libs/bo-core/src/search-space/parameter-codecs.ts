import type { ChoiceParameter, FixedParameter, IntParameter, Parameter, ParameterValue, RangeParameter } from './parameters.js';
import { show } from './search-space-error.js';

/**
 * How one parameter maps to its block of unit-cube coordinates and back. The block is
 * `u[offset .. offset + width)`; fixed parameters have width 0.
 *
 * Encoding schemes (all into [0, 1]):
 * - range: `u = (x - lo) / (hi - lo)`, or with log scale `u = (ln x - ln lo) / (ln hi - ln lo)`.
 * - int and ordered choice: the n levels split [0, 1] into n equal cells and level j sits at the
 *   cell centre `(j + 1/2) / n`; decoding takes the cell `floor(u n)`. This is the continuous
 *   relaxation `x = lo - 1/2 + n u` rounded to the nearest integer, so a uniform u gives every
 *   level the same probability 1/n and `decode(encode(v)) = v` exactly.
 * - log-scaled int: the relaxation `[lo - 1/2, hi + 1/2]` is log-scaled,
 *   `u = (ln v - ln(lo - 1/2)) / (ln(hi + 1/2) - ln(lo - 1/2))`, and decoding rounds
 *   `exp(...)` to the nearest integer; level v owns the cell of `[v - 1/2, v + 1/2)`, so small
 *   integers get larger cells, as log scale intends.
 * - unordered choice: one-hot, one coordinate per value; decoding takes the argmax (first on ties).
 */
export interface ParameterCodec {
  readonly parameter: Parameter;
  readonly offset: number;
  readonly width: number;
  /** What a valid value looks like, for messages: e.g. `a finite number in [0, 1]`. */
  readonly expected: string;
  /** Why `value` is not a valid value of this parameter, or null when it is. */
  check(value: unknown): string | null;
  /** Writes the encoding of a valid `value` into `u[offset ..]`. */
  encodeInto(value: ParameterValue, u: Float64Array): void;
  /** The value at `u[offset ..]` (finite entries; out-of-cube entries are clamped). */
  decodeFrom(u: ArrayLike<number>): ParameterValue;
  /** Writes the canonical encoding of `decodeFrom(u)` into `out[offset ..]`; continuous ones are clamped. */
  snapInto(u: ArrayLike<number>, out: Float64Array): void;
  /**
   * For linearly scaled range and int parameters, the affine map of the (relaxed) coordinate to
   * the user's units, `x = shift + scale * u`; exact at int level centres. Null for others.
   */
  readonly affine: { readonly shift: number; readonly scale: number } | null;
}

/** Clamps to [0, 1]. */
export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** The level index in 0..n-1 of a coordinate under the equal-cell scheme. */
function levelOf(u: number, n: number): number {
  const j = Math.floor(clamp01(u) * n);
  return j >= n ? n - 1 : j;
}

function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

class RangeCodec implements ParameterCodec {
  readonly width = 1;
  readonly expected: string;
  readonly affine: { readonly shift: number; readonly scale: number } | null;
  private readonly lo: number;
  private readonly hi: number;
  private readonly log: boolean;
  private readonly a: number;
  private readonly span: number;

  constructor(readonly parameter: RangeParameter, readonly offset: number) {
    [this.lo, this.hi] = parameter.bounds;
    this.log = parameter.log === true;
    this.a = this.log ? Math.log(this.lo) : this.lo;
    this.span = this.log ? Math.log(this.hi) - this.a : this.hi - this.lo;
    this.affine = this.log ? null : { shift: this.lo, scale: this.span };
    this.expected = `a finite number in [${this.lo}, ${this.hi}]`;
  }

  check(value: unknown): string | null {
    if (typeof value !== 'number' || !Number.isFinite(value)) return mismatch(this.expected, value);
    if (value < this.lo || value > this.hi) return `${value} is outside the bounds [${this.lo}, ${this.hi}]`;
    return null;
  }

  encodeInto(value: ParameterValue, u: Float64Array): void {
    const x = value as number;
    u[this.offset] = clamp01(((this.log ? Math.log(x) : x) - this.a) / this.span);
  }

  decodeFrom(u: ArrayLike<number>): ParameterValue {
    const t = u[this.offset]!;
    if (t <= 0) return this.lo;
    if (t >= 1) return this.hi;
    const x = this.log ? Math.exp(this.a + t * this.span) : this.a + t * this.span;
    return x < this.lo ? this.lo : x > this.hi ? this.hi : x;
  }

  snapInto(u: ArrayLike<number>, out: Float64Array): void {
    out[this.offset] = clamp01(u[this.offset]!);
  }
}

class IntCodec implements ParameterCodec {
  readonly width = 1;
  readonly expected: string;
  readonly affine: { readonly shift: number; readonly scale: number } | null;
  private readonly lo: number;
  private readonly hi: number;
  private readonly levels: number;
  private readonly log: boolean;
  private readonly a: number;
  private readonly span: number;

  constructor(readonly parameter: IntParameter, readonly offset: number) {
    [this.lo, this.hi] = parameter.bounds;
    this.levels = this.hi - this.lo + 1;
    this.log = parameter.log === true;
    this.a = this.log ? Math.log(this.lo - 0.5) : this.lo - 0.5;
    this.span = this.log ? Math.log(this.hi + 0.5) - this.a : this.levels;
    this.affine = this.log ? null : { shift: this.a, scale: this.span };
    this.expected = `an integer from ${this.lo} to ${this.hi}`;
  }

  check(value: unknown): string | null {
    if (typeof value !== 'number' || !Number.isInteger(value)) return mismatch(this.expected, value);
    if (value < this.lo || value > this.hi) return `${value} is outside the bounds [${this.lo}, ${this.hi}]`;
    return null;
  }

  encodeInto(value: ParameterValue, u: Float64Array): void {
    const v = value as number;
    u[this.offset] = this.log ? clamp01((Math.log(v) - this.a) / this.span) : (v - this.lo + 0.5) / this.levels;
  }

  decodeFrom(u: ArrayLike<number>): ParameterValue {
    const t = u[this.offset]!;
    if (!this.log) return this.lo + levelOf(t, this.levels);
    const v = Math.round(Math.exp(this.a + clamp01(t) * this.span));
    return v < this.lo ? this.lo : v > this.hi ? this.hi : v;
  }

  snapInto(u: ArrayLike<number>, out: Float64Array): void {
    this.encodeInto(this.decodeFrom(u), out);
  }
}

class OrdinalCodec implements ParameterCodec {
  readonly width = 1;
  readonly affine = null;
  readonly expected: string;

  constructor(readonly parameter: ChoiceParameter, readonly offset: number) {
    this.expected = choiceExpected(parameter.values);
  }

  check(value: unknown): string | null {
    return this.parameter.values.includes(value as ParameterValue) ? null : mismatch(this.expected, value);
  }

  encodeInto(value: ParameterValue, u: Float64Array): void {
    u[this.offset] = (this.parameter.values.indexOf(value) + 0.5) / this.parameter.values.length;
  }

  decodeFrom(u: ArrayLike<number>): ParameterValue {
    return this.parameter.values[levelOf(u[this.offset]!, this.parameter.values.length)]!;
  }

  snapInto(u: ArrayLike<number>, out: Float64Array): void {
    const n = this.parameter.values.length;
    out[this.offset] = (levelOf(u[this.offset]!, n) + 0.5) / n;
  }
}

class OneHotCodec implements ParameterCodec {
  readonly affine = null;
  readonly width: number;
  readonly expected: string;

  constructor(readonly parameter: ChoiceParameter, readonly offset: number) {
    this.width = parameter.values.length;
    this.expected = choiceExpected(parameter.values);
  }

  check(value: unknown): string | null {
    return this.parameter.values.includes(value as ParameterValue) ? null : mismatch(this.expected, value);
  }

  encodeInto(value: ParameterValue, u: Float64Array): void {
    const j = this.parameter.values.indexOf(value);
    for (let k = 0; k < this.width; k++) u[this.offset + k] = k === j ? 1 : 0;
  }

  /** Index of the largest entry of the block (the first one on ties). */
  private argmax(u: ArrayLike<number>): number {
    let best = 0;
    for (let k = 1; k < this.width; k++) if (u[this.offset + k]! > u[this.offset + best]!) best = k;
    return best;
  }

  decodeFrom(u: ArrayLike<number>): ParameterValue {
    return this.parameter.values[this.argmax(u)]!;
  }

  snapInto(u: ArrayLike<number>, out: Float64Array): void {
    const j = this.argmax(u);
    for (let k = 0; k < this.width; k++) out[this.offset + k] = k === j ? 1 : 0;
  }
}

class FixedCodec implements ParameterCodec {
  readonly width = 0;
  readonly affine = null;
  readonly expected: string;

  constructor(readonly parameter: FixedParameter, readonly offset: number) {
    this.expected = `${show(parameter.value)} (the parameter is fixed; the value may also be left out)`;
  }

  check(value: unknown): string | null {
    return value === this.parameter.value ? null : mismatch(this.expected, value);
  }

  encodeInto(): void {}

  decodeFrom(): ParameterValue {
    return this.parameter.value;
  }

  snapInto(): void {}
}

function choiceExpected(values: readonly ParameterValue[]): string {
  const listed = values.length <= 20 ? values.map(show).join(', ') : `${values.slice(0, 20).map(show).join(', ')}, ...`;
  return `one of [${listed}]`;
}

function mismatch(expected: string, value: unknown): string {
  return `expected ${expected}, got ${show(value)} (${describeType(value)})`;
}

/** The codec of a validated parameter whose block starts at coordinate `offset`. */
export function createCodec(parameter: Parameter, offset: number): ParameterCodec {
  switch (parameter.type) {
    case 'range':
      return new RangeCodec(parameter, offset);
    case 'int':
      return new IntCodec(parameter, offset);
    case 'choice':
      return parameter.ordered === true ? new OrdinalCodec(parameter, offset) : new OneHotCodec(parameter, offset);
    case 'fixed':
      return new FixedCodec(parameter, offset);
  }
}
