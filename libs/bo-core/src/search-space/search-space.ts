import { InputDataError, ShapeError } from '../errors/errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { zeros } from '../linalg/matrix.js';
import { type Coordinate, type DiscreteStructure, describeCoordinates, discreteStructureOf } from './coordinates.js';
import { type UnitLinearConstraint, satisfies, toUnitConstraints, validateConstraints } from './linear-constraints.js';
import { type ParameterCodec, createCodec } from './parameter-codecs.js';
import type { ChoiceParameter, LinearConstraint, Parameter, ParameterValue, ParameterValues, SearchSpaceConfig } from './parameters.js';
import { ProblemList, show } from './search-space-error.js';
import { isRecord, validateParameters } from './validate-parameters.js';

export interface SearchSpaceOptions {
  /**
   * Relative slack of the linear constraints: `sum c_i x_i <= bound + tol * scale`, with
   * `scale = max(1, |bound|, sum |c_i x_i|)`, so that rounding in the caller's arithmetic does
   * not count as a violation. Used by {@link SearchSpace.isFeasible} and the construction check.
   * @defaultValue 1e-9
   */
  constraintTolerance?: number;
}

/**
 * A validated search space and its map to the unit cube `[0, 1]^dim`, where models and
 * acquisition optimisers work. Coordinates follow the parameters' order: one per range, int or
 * ordered choice parameter, one per value of an unordered choice (one-hot), none for fixed ones.
 * The encoding schemes are described at {@link ParameterCodec}.
 *
 * The constructor checks the whole definition and throws one {@link SearchSpaceError} listing
 * every problem. Instances are immutable.
 */
export class SearchSpace {
  /** The number of unit-cube coordinates. */
  readonly dim: number;
  /** Frozen copies of the parameters, in order. */
  readonly parameters: readonly Parameter[];
  /** Frozen copies of the linear constraints. */
  readonly constraints: readonly LinearConstraint[];
  /** What each coordinate stands for, in index order (length `dim`). */
  readonly coordinates: readonly Coordinate[];
  private readonly codecs: readonly ParameterCodec[];
  private readonly codecByName: ReadonlyMap<string, ParameterCodec>;
  private readonly tolerance: number;

  /** @throws SearchSpaceError listing every problem of `config`. */
  constructor(config: SearchSpaceConfig, options: SearchSpaceOptions = {}) {
    const tolerance = options.constraintTolerance ?? 1e-9;
    if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
      throw new InputDataError(`SearchSpace: options.constraintTolerance must be a finite number >= 0, got ${show(tolerance)}`);
    }
    this.tolerance = tolerance;
    const problems = new ProblemList();
    if (!isRecord(config)) {
      problems.add('(config)', `expected an object {"parameters": [...], "constraints"?: [...]}, got ${show(config)}`);
      problems.throwIfAny('Invalid search space');
    }
    for (const key of Object.keys(config)) {
      if (key !== 'parameters' && key !== 'constraints') {
        problems.add(key, 'is not a field of a search space (expected parameters, constraints); remove it or fix its spelling');
      }
    }
    const parameters = validateParameters(config.parameters, problems);
    const constraints = validateConstraints(config.constraints, parameters, tolerance, problems);
    problems.throwIfAny('Invalid search space');
    this.parameters = Object.freeze(parameters.valid);
    this.constraints = Object.freeze(constraints!);

    let offset = 0;
    this.codecs = this.parameters.map((p) => {
      const codec = createCodec(p, offset);
      offset += codec.width;
      return codec;
    });
    this.dim = offset;
    this.codecByName = new Map(this.codecs.map((c) => [c.parameter.name, c]));
    this.coordinates = Object.freeze(describeCoordinates(this.codecs));
  }

  /** The parameter called `name`, if any. */
  parameter(name: string): Parameter | undefined {
    return this.codecByName.get(name)?.parameter;
  }

  /** The definition as plain data (accepted back by the constructor). */
  toJSON(): SearchSpaceConfig {
    return { parameters: this.parameters, ...(this.constraints.length > 0 ? { constraints: this.constraints } : {}) };
  }

  /**
   * Checks `values` against the parameters: every non-fixed parameter present with a valid value
   * (finite number within bounds, integer for int, one of the choices), fixed ones absent or equal
   * to their value, and no unknown names. Linear constraints are not checked (see
   * {@link isFeasible}).
   * @throws SearchSpaceError listing every problem, at paths like `values.lr`.
   */
  validateValues(values: ParameterValues): void {
    const problems = new ProblemList();
    this.collectValueProblems(values, 'values', problems);
    problems.throwIfAny('Invalid parameter values');
  }

  /**
   * Whether valid `values` satisfy every linear constraint (within `constraintTolerance`).
   * @throws SearchSpaceError when `values` are not valid (see {@link validateValues}).
   */
  isFeasible(values: ParameterValues): boolean {
    this.validateValues(values);
    return this.constraints.every((c) => satisfies(c, values, this.tolerance));
  }

  /**
   * The unit-cube encoding of valid `values` (length `dim`, entries in [0, 1]).
   * @throws SearchSpaceError when `values` are not valid (see {@link validateValues}).
   */
  encode(values: ParameterValues): Float64Array {
    this.validateValues(values);
    const u = new Float64Array(this.dim);
    for (const codec of this.codecs) if (codec.width > 0) codec.encodeInto(values[codec.parameter.name]!, u);
    return u;
  }

  /**
   * Encodes many points into an `n x dim` matrix (row i = `encode(points[i])`).
   * @throws SearchSpaceError listing the problems of every point, at paths like `values[3].lr`.
   */
  encodeMany(points: readonly ParameterValues[]): Matrix {
    const problems = new ProblemList();
    points.forEach((v, i) => this.collectValueProblems(v, `values[${i}]`, problems));
    problems.throwIfAny('Invalid parameter values');
    const out = zeros(points.length, this.dim);
    const row = new Float64Array(this.dim);
    points.forEach((v, i) => {
      for (const codec of this.codecs) if (codec.width > 0) codec.encodeInto(v[codec.parameter.name]!, row);
      out.data.set(row, i * this.dim);
    });
    return out;
  }

  /**
   * The parameter values at a unit-cube point, fixed parameters included, in the user's units and
   * types. Coordinates outside [0, 1] are clamped; ints and ordered choices take the level whose
   * cell contains the coordinate; an unordered choice takes the largest coordinate of its one-hot
   * block (the first on ties). The result always passes {@link validateValues}.
   * @throws ShapeError when `u.length !== dim`; InputDataError when an entry is not finite.
   */
  decode(u: ArrayLike<number>): ParameterValues {
    this.checkPoint(u, 'decode', 'u');
    return this.decodeChecked(u);
  }

  private decodeChecked(u: ArrayLike<number>): ParameterValues {
    const entries: [string, ParameterValue][] = this.codecs.map((c) => [c.parameter.name, c.decodeFrom(u)]);
    // fromEntries defines own properties, so even a parameter called "__proto__" is a plain key.
    return Object.fromEntries(entries);
  }

  /**
   * Decodes every row of an `n x dim` matrix, or every point of an array.
   * @throws ShapeError / InputDataError as {@link decode}, naming the row.
   */
  decodeMany(points: Matrix | readonly ArrayLike<number>[]): ParameterValues[] {
    if (!('data' in points)) {
      return points.map((u, i) => {
        this.checkPoint(u, 'decodeMany', `points[${i}]`);
        return this.decodeChecked(u);
      });
    }
    if (points.cols !== this.dim) {
      throw new ShapeError(`decodeMany: the matrix has ${points.cols} columns but the search space has ${this.dim} coordinates; give one column per coordinate`);
    }
    const out: ParameterValues[] = [];
    for (let i = 0; i < points.rows; i++) {
      const row = points.data.subarray(i * this.dim, (i + 1) * this.dim);
      this.checkPoint(row, 'decodeMany', `row ${i}`);
      out.push(this.decodeChecked(row));
    }
    return out;
  }

  /**
   * Snaps a relaxed unit-cube point (from a continuous optimiser) to the canonical encoding of the
   * values it decodes to: continuous coordinates clamped to [0, 1], ints and ordered choices moved
   * to their level's position, one-hot blocks set to the indicator of their argmax. So
   * `decode(roundToFeasible(u))` equals `decode(u)`, and rounding twice changes nothing.
   * "Feasible" means a valid encoding: linear constraints are not enforced (check them with
   * {@link isFeasible} or {@link unitConstraints}).
   * @throws ShapeError / InputDataError as {@link decode}.
   */
  roundToFeasible(u: ArrayLike<number>): Float64Array {
    this.checkPoint(u, 'roundToFeasible', 'u');
    const out = new Float64Array(this.dim);
    for (const codec of this.codecs) codec.snapInto(u, out);
    return out;
  }

  /**
   * The linear constraints on the unit-cube coordinates, one per constraint, in the sparse form
   * `sum_k coefficients[k] * u[indices[k]] <= rhs` (zero coefficients left out) that
   * `optimizeAcqf` takes as `inequalityConstraints`. Log-scaled parameters are rejected from constraints at construction, so every
   * constraint stays linear in u. For int parameters it is the constraint on the continuous
   * relaxation `x = lo - 1/2 + n u`: exact at level positions (encoded or rounded points), so it
   * agrees with {@link isFeasible} there; a relaxed point that satisfies it may round to one that
   * does not, so check again after rounding.
   */
  unitConstraints(): UnitLinearConstraint[] {
    return toUnitConstraints(this.constraints, this.codecByName);
  }

  /**
   * Which coordinates are continuous, which have discrete levels, and the one-hot blocks. Its
   * `leveled` and `oneHot` entries fit `optimizeAcqf`'s `discrete` option as they are.
   */
  discreteStructure(): DiscreteStructure {
    return discreteStructureOf(this.coordinates);
  }

  /**
   * The canonical unit-cube positions of the levels of an int or ordered-choice coordinate, in
   * level order (ascending): equal-cell centres `(j + 1/2) / levels`, or log-spaced for a
   * log-scaled int. Candidate optimisation rounds to these.
   *
   * @param index a leveled coordinate's index.
   */
  levelCentres(index: number): Float64Array {
    const codec = this.codecs.find((c) => c.offset === index && c.width === 1 && (c.parameter.type === 'int' || (c.parameter.type === 'choice' && c.parameter.ordered === true)));
    if (!codec) throw new InputDataError(`levelCentres: coordinate ${index} is not an int or ordered-choice coordinate`);
    const p = codec.parameter;
    const values: readonly ParameterValue[] = p.type === 'int' ? Array.from({ length: p.bounds[1] - p.bounds[0] + 1 }, (_, j) => p.bounds[0] + j) : (p as ChoiceParameter).values;
    const u = new Float64Array(this.dim);
    return Float64Array.from(values, (v) => {
      codec.encodeInto(v, u);
      return u[index]!;
    });
  }

  private collectValueProblems(values: unknown, path: string, problems: ProblemList): void {
    if (!isRecord(values)) {
      problems.add(path, `expected an object mapping parameter names to values, got ${show(values)}`);
      return;
    }
    for (const name of Object.keys(values)) {
      if (!this.codecByName.has(name)) {
        problems.add(`${path}.${name}`, `names no parameter; the parameters are ${this.parameters.map((p) => show(p.name)).join(', ')}`);
      }
    }
    for (const codec of this.codecs) {
      const name = codec.parameter.name;
      if (!Object.hasOwn(values, name)) {
        if (codec.parameter.type !== 'fixed') problems.add(`${path}.${name}`, `is missing; expected ${codec.expected}`);
        continue;
      }
      const problem = codec.check(values[name]);
      if (problem !== null) problems.add(`${path}.${name}`, problem);
    }
  }

  private checkPoint(u: ArrayLike<number>, method: string, what: string): void {
    if (u.length !== this.dim) {
      const names = this.coordinates.map((c) => (c.kind === 'one-hot' ? `${c.parameter}=${show(c.value)}` : c.parameter)).join(', ');
      throw new ShapeError(`${method}: ${what} has ${u.length} entries but the search space has ${this.dim} coordinates (${names}); give one entry per coordinate`);
    }
    for (let j = 0; j < this.dim; j++) {
      const x = u[j]!;
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new InputDataError(`${method}: ${what}[${j}] is ${show(x)}; unit-cube coordinates must be finite numbers`);
      }
    }
  }
}
