/** The search space: parameter definitions, validation, and the map to and from the unit cube. */
export type {
  ChoiceParameter,
  FixedParameter,
  IntParameter,
  LinearConstraint,
  Parameter,
  ParameterType,
  ParameterValue,
  ParameterValues,
  RangeParameter,
  SearchSpaceConfig,
} from './parameters.js';
export { SearchSpace, type SearchSpaceOptions } from './search-space.js';
export { SearchSpaceError, type SearchSpaceProblem } from './search-space-error.js';
export type { UnitLinearConstraint } from './linear-constraints.js';
export type {
  ContinuousCoordinate,
  Coordinate,
  DiscreteStructure,
  LeveledCoordinate,
  OneHotCoordinate,
  OneHotParameterGroup,
} from './coordinates.js';
export type { ParameterCodec } from './parameter-codecs.js';
export { MAX_INT_BOUND } from './validate-parameters.js';
