import { ApiaryError } from '../errors/errors.js';
import type { ParameterCodec } from './parameter-codecs.js';
import type { LinearConstraint, Parameter, ParameterValues } from './parameters.js';
import { type ProblemList, show } from './search-space-error.js';
import { type ValidatedParameters, isRecord } from './validate-parameters.js';

/**
 * A linear constraint on the unit-cube coordinates, sparse:
 * `sum_k coefficients[k] * u[indices[k]] <= rhs`. Structurally the `LinearInequality` that
 * `optimizeAcqf` takes as `inequalityConstraints`.
 */
export interface UnitLinearConstraint {
  /** Coordinate indices, increasing, each once. */
  readonly indices: readonly number[];
  /** One coefficient per index. */
  readonly coefficients: readonly number[];
  readonly rhs: number;
  /** Index of the source constraint in the search space's `constraints`. */
  readonly source: number;
}

/**
 * The tolerance scale of a constraint at given values: `max(1, |bound|, sum_i |c_i x_i|)`, so that
 * the tolerance is relative to the size of the terms (rounding in the caller's arithmetic).
 */
function scaleOf(constraint: LinearConstraint, values: ParameterValues): number {
  const s = Math.max(1, Math.abs(constraint.bound));
  let terms = 0;
  for (const [name, c] of Object.entries(constraint.coefficients)) terms += Math.abs(c * (values[name] as number));
  return Math.max(s, terms);
}

/** `sum_i c_i x_i` at `values` (numbers for every named parameter). */
export function constraintLhs(constraint: LinearConstraint, values: ParameterValues): number {
  let s = 0;
  for (const [name, c] of Object.entries(constraint.coefficients)) s += c * (values[name] as number);
  return s;
}

/** Whether `values` satisfy `constraint` within the relative `tolerance`. */
export function satisfies(constraint: LinearConstraint, values: ParameterValues, tolerance: number): boolean {
  return constraintLhs(constraint, values) - constraint.bound <= tolerance * scaleOf(constraint, values);
}

/** `2·x1 - 1·x2`, for messages. */
function formatLhs(coefficients: Readonly<Record<string, number>>): string {
  return Object.entries(coefficients)
    .map(([name, c], k) => `${k === 0 ? (c < 0 ? '-' : '') : c < 0 ? ' - ' : ' + '}${Math.abs(c)}·${name}`)
    .join('');
}

/**
 * Checks the constraints against validated parameters, adding each problem found (unknown
 * parameters, choice/fixed/log-scaled ones, non-finite numbers, no non-zero coefficient, and a
 * constraint that no point within the bounds satisfies). Returns frozen copies when all are valid.
 *
 * Infeasibility is checked per constraint and is exact: a linear function's minimum over the box
 * of bounds is attained at a corner, and the corners of int parameters are integers. Constraints
 * that are each satisfiable but jointly infeasible are not detected (that needs a linear program).
 */
export function validateConstraints(
  constraints: unknown,
  parameters: ValidatedParameters,
  tolerance: number,
  problems: ProblemList,
): LinearConstraint[] | null {
  if (constraints === undefined) return [];
  if (!Array.isArray(constraints)) {
    problems.add('constraints', `expected an array of linear constraints, got ${show(constraints)}`);
    return null;
  }
  // Without any parameter there is nothing to check the constraints against (already reported).
  if (parameters.names.size === 0) return null;
  const byName = new Map(parameters.valid.map((p) => [p.name, p]));
  const before = problems.items.length;
  const copies: LinearConstraint[] = [];
  constraints.forEach((c: unknown, k: number) => {
    const copy = validateConstraint(c, `constraints[${k}]`, byName, parameters.names, tolerance, problems);
    if (copy) copies.push(copy);
  });
  return problems.items.length === before ? copies : null;
}

function validateConstraint(
  c: unknown,
  path: string,
  byName: ReadonlyMap<string, Parameter>,
  allNames: ReadonlySet<string>,
  tolerance: number,
  problems: ProblemList,
): LinearConstraint | null {
  if (!isRecord(c)) {
    problems.add(path, `expected an object {"coefficients": {...}, "bound": number}, got ${show(c)}`);
    return null;
  }
  const before = problems.items.length;
  for (const key of Object.keys(c)) {
    if (key !== 'coefficients' && key !== 'bound') {
      problems.add(`${path}.${key}`, 'is not a field of a linear constraint (expected coefficients, bound); remove it or fix its spelling');
    }
  }
  const bound = c['bound'];
  if (typeof bound !== 'number' || !Number.isFinite(bound)) problems.add(`${path}.bound`, `expected a finite number, got ${show(bound)}`);
  const coefficients = c['coefficients'];
  if (!isRecord(coefficients)) {
    problems.add(`${path}.coefficients`, `expected an object mapping parameter names to numbers, got ${show(coefficients)}`);
    return null;
  }
  const entries = Object.entries(coefficients);
  if (!entries.some(([, v]) => typeof v === 'number' && v !== 0)) {
    problems.add(`${path}.coefficients`, 'has no non-zero coefficient; name at least one range or int parameter, e.g. {"x": 1}');
  }
  for (const [name, v] of entries) {
    const at = `${path}.coefficients.${name}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.add(at, `expected a finite number, got ${show(v)}`);
    const p = byName.get(name);
    if (!p) {
      // A parameter that exists but is invalid has its own problem already.
      if (!allNames.has(name)) problems.add(at, `names no parameter; the parameters are ${[...allNames].map(show).join(', ')}`);
    } else if (p.type !== 'range' && p.type !== 'int') {
      problems.add(at, `${show(name)} is a ${p.type} parameter; linear constraints apply to range and int parameters only`);
    } else if (p.log === true) {
      problems.add(at, `${show(name)} is log-scaled, which would make the constraint non-linear in the unit cube; drop "log" from the parameter or leave it out of the constraint`);
    }
  }
  if (problems.items.length > before) return null;
  const copy: LinearConstraint = Object.freeze({
    coefficients: Object.freeze(Object.fromEntries(entries) as Record<string, number>),
    bound: bound as number,
  });
  checkSatisfiable(copy, path, byName, tolerance, problems);
  return copy;
}

/** Adds a problem when even the best corner of the bounds violates the constraint. */
function checkSatisfiable(
  c: LinearConstraint,
  path: string,
  byName: ReadonlyMap<string, Parameter>,
  tolerance: number,
  problems: ProblemList,
): void {
  const corner: ParameterValues = {};
  for (const [name, coefficient] of Object.entries(c.coefficients)) {
    const p = byName.get(name);
    if (p?.type !== 'range' && p?.type !== 'int') return;
    Object.defineProperty(corner, name, { value: coefficient >= 0 ? p.bounds[0] : p.bounds[1], enumerable: true });
  }
  if (satisfies(c, corner, tolerance)) return;
  const at = Object.entries(corner).map(([name, x]) => `${name} = ${String(x)}`).join(', ');
  problems.add(
    path,
    `${formatLhs(c.coefficients)} <= ${c.bound} cannot hold within the bounds: its smallest value there is ${constraintLhs(c, corner)} (at ${at}); raise the bound or widen the parameters' bounds`,
  );
}

/**
 * The constraints on the unit-cube coordinates. Every constrained parameter is a linearly scaled
 * range or int parameter with `x = shift + scale * u`, so `sum c_i x_i <= b` becomes
 * `sum (c_i scale_i) u_i <= b - sum c_i shift_i`. For int parameters this is the constraint on the
 * continuous relaxation `x = lo - 1/2 + n u`: exact at level centres (encoded values and the output
 * of rounding), approximate between them.
 */
export function toUnitConstraints(
  constraints: readonly LinearConstraint[],
  codecs: ReadonlyMap<string, ParameterCodec>,
): UnitLinearConstraint[] {
  return constraints.map((c, source) => {
    const byIndex = new Map<number, number>();
    let rhs = c.bound;
    for (const [name, coefficient] of Object.entries(c.coefficients)) {
      const codec = codecs.get(name);
      const affine = codec?.affine;
      if (!codec || !affine) {
        throw new ApiaryError(`toUnitConstraints: ${show(name)} is not a linearly scaled range or int parameter (unreachable after validation)`);
      }
      if (coefficient === 0) continue;
      byIndex.set(codec.offset, coefficient * affine.scale);
      rhs -= coefficient * affine.shift;
    }
    const indices = [...byIndex.keys()].sort((a, b) => a - b);
    return { indices, coefficients: indices.map((j) => byIndex.get(j)!), rhs, source };
  });
}
