import type { ParameterValues } from '../search-space/parameters.js';

/** Trial states of the ask/tell optimiser (a subset of the service's states). */
export type TrialStatus = 'running' | 'completed' | 'failed' | 'abandoned';

/**
 * What proposed a trial: the quasi-random initial design, a qLogNEI optimisation, or batch
 * Thompson sampling (the cheap path when a time budget rules qLogNEI out).
 */
export type TrialGenerator = 'sobol' | 'qlognei' | 'thompson';

/** The generators, for validation. */
export const TRIAL_GENERATORS: readonly TrialGenerator[] = ['sobol', 'qlognei', 'thompson'];

/** One proposed evaluation. */
export interface Trial {
  /** Position in the order of proposal, from 0; also its id. */
  readonly index: number;
  /** The parameters in the user's units and types. */
  readonly parameters: ParameterValues;
  /** The encoded point in the unit cube (length = the search space's dim). */
  readonly unit: Float64Array;
  /** What proposed it. */
  readonly generator: TrialGenerator;
  status: TrialStatus;
  /** Metric values once completed (the objective under its name). */
  values?: Record<string, number>;
  /** Why it failed. */
  error?: string;
}
