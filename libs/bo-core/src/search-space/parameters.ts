/**
 * The search-space definition: plain, JSON-friendly data, so that apps can validate it with a
 * schema library and hand it to {@link SearchSpace} unchanged. Nothing here has behaviour.
 */

/** A value a parameter can take: a number, a string or a boolean (JSON scalars). */
export type ParameterValue = string | number | boolean;

/** One value per parameter name, in the user's units and types. */
export type ParameterValues = Record<string, ParameterValue>;

/**
 * A continuous parameter on the closed interval `bounds = [lower, upper]` (lower < upper).
 *
 * With `log: true` the unit-cube coordinate is linear in `ln x`, so each decade gets the same
 * share of the cube; the lower bound must then be positive.
 */
export interface RangeParameter {
  readonly name: string;
  readonly type: 'range';
  readonly bounds: readonly [number, number];
  /** @defaultValue false */
  readonly log?: boolean;
}

/**
 * An integer parameter taking every integer from `bounds[0]` to `bounds[1]` inclusive. Both
 * bounds must be integers and at least two values must be allowed (one value: use a
 * {@link FixedParameter}).
 *
 * With `log: true` the continuous relaxation `[lower - 1/2, upper + 1/2]` is log-scaled, so small
 * integers get a larger share of the cube; the lower bound must then be at least 1.
 */
export interface IntParameter {
  readonly name: string;
  readonly type: 'int';
  readonly bounds: readonly [number, number];
  /** @defaultValue false */
  readonly log?: boolean;
}

/**
 * One of a list of distinct values (at least two).
 *
 * Ordered choices get one coordinate over the value index (neighbours in the list are neighbours
 * in the cube); unordered ones are one-hot encoded, one coordinate per value.
 */
export interface ChoiceParameter {
  readonly name: string;
  readonly type: 'choice';
  readonly values: readonly ParameterValue[];
  /** @defaultValue false */
  readonly ordered?: boolean;
}

/** A parameter held at one value. It has no unit-cube coordinate; decoding fills it in. */
export interface FixedParameter {
  readonly name: string;
  readonly type: 'fixed';
  readonly value: ParameterValue;
}

/** Any parameter of a search space. */
export type Parameter = RangeParameter | IntParameter | ChoiceParameter | FixedParameter;

/** The `type` tags of {@link Parameter}. */
export type ParameterType = Parameter['type'];

/**
 * The linear inequality `sum_i coefficients[name_i] * x_i <= bound`, in the user's units, over
 * range and int parameters that are not log-scaled (a log-scaled parameter would make the
 * constraint non-linear in the unit cube, so it is rejected).
 */
export interface LinearConstraint {
  /** Parameter name to coefficient; at least one coefficient must be non-zero. */
  readonly coefficients: Readonly<Record<string, number>>;
  readonly bound: number;
}

/** A whole search space: the parameters, in coordinate order, and optional linear constraints. */
export interface SearchSpaceConfig {
  readonly parameters: readonly Parameter[];
  /** @defaultValue [] */
  readonly constraints?: readonly LinearConstraint[];
}
