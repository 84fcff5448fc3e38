import type { ParameterCodec } from './parameter-codecs.js';
import type { ParameterValue } from './parameters.js';

/** A continuous coordinate: a range parameter (linear or log scale). */
export interface ContinuousCoordinate {
  readonly kind: 'continuous';
  readonly index: number;
  readonly parameter: string;
  readonly log: boolean;
}

/**
 * A coordinate with `levels` discrete values: an int parameter or an ordered choice. Level j's
 * canonical position is `(j + 1/2) / levels` (log-scaled ints: see {@link ParameterCodec}).
 */
export interface LeveledCoordinate {
  readonly kind: 'integer' | 'ordinal';
  readonly index: number;
  readonly parameter: string;
  readonly levels: number;
  readonly log: boolean;
}

/** One coordinate of an unordered choice's one-hot block: 1 means `value` is chosen. */
export interface OneHotCoordinate {
  readonly kind: 'one-hot';
  readonly index: number;
  readonly parameter: string;
  readonly value: ParameterValue;
}

/** What one unit-cube coordinate stands for. */
export type Coordinate = ContinuousCoordinate | LeveledCoordinate | OneHotCoordinate;

/** The one-hot block of an unordered choice: exactly one of `indices` is 1 in a valid encoding. */
export interface OneHotParameterGroup {
  readonly parameter: string;
  /** Consecutive coordinate indices, one per value. */
  readonly indices: readonly number[];
  readonly values: readonly ParameterValue[];
}

/**
 * The mixed structure of the unit cube, for candidate optimisation: optimise the continuous
 * relaxation over [0, 1]^dim, then round (see `SearchSpace.roundToFeasible`) or enumerate the
 * discrete part when `discreteCombinations` is small.
 */
export interface DiscreteStructure {
  /** Coordinates of range parameters. */
  readonly continuous: readonly number[];
  /** Coordinates of int parameters and ordered choices, with their number of levels. */
  readonly leveled: readonly LeveledCoordinate[];
  /** One block per unordered choice. */
  readonly oneHot: readonly OneHotParameterGroup[];
  /**
   * The number of distinct settings of the discrete coordinates: the product of the level counts
   * and group sizes (1 when there are none; may be a huge or infinite float).
   */
  readonly discreteCombinations: number;
}

/** Every coordinate, in index order. */
export function describeCoordinates(codecs: readonly ParameterCodec[]): Coordinate[] {
  const out: Coordinate[] = [];
  for (const { parameter: p, offset } of codecs) {
    switch (p.type) {
      case 'range':
        out.push({ kind: 'continuous', index: offset, parameter: p.name, log: p.log === true });
        break;
      case 'int':
        out.push({ kind: 'integer', index: offset, parameter: p.name, levels: p.bounds[1] - p.bounds[0] + 1, log: p.log === true });
        break;
      case 'choice':
        if (p.ordered === true) {
          out.push({ kind: 'ordinal', index: offset, parameter: p.name, levels: p.values.length, log: false });
        } else {
          p.values.forEach((value, k) => out.push({ kind: 'one-hot', index: offset + k, parameter: p.name, value }));
        }
        break;
      case 'fixed':
        break;
    }
  }
  return out.map((c) => Object.freeze(c));
}

/** The discrete structure of a list of coordinates. */
export function discreteStructureOf(coordinates: readonly Coordinate[]): DiscreteStructure {
  const continuous: number[] = [];
  const leveled: LeveledCoordinate[] = [];
  const groups = new Map<string, { indices: number[]; values: ParameterValue[] }>();
  for (const c of coordinates) {
    if (c.kind === 'continuous') continuous.push(c.index);
    else if (c.kind === 'one-hot') {
      const g = groups.get(c.parameter) ?? { indices: [], values: [] };
      g.indices.push(c.index);
      g.values.push(c.value);
      groups.set(c.parameter, g);
    } else leveled.push(c);
  }
  const oneHot = [...groups].map(([parameter, g]) => ({ parameter, indices: g.indices, values: g.values }));
  let discreteCombinations = 1;
  for (const c of leveled) discreteCombinations *= c.levels;
  for (const g of oneHot) discreteCombinations *= g.indices.length;
  return { continuous, leveled, oneHot, discreteCombinations };
}
