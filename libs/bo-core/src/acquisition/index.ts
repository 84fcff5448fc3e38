export type { AcquisitionFunction } from './acquisition.js';
export * from './analytic/index.js';
export * from './monte-carlo/index.js';
export * from './tf/index.js';
