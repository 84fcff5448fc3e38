/**
 * @apiary/bo-core — Gaussian processes and Bayesian-optimisation math. No I/O, no framework,
 * no Node-only modules: the same code runs in Node and in the browser.
 */
export * from './errors/index.js';
export * from './linalg/matrix.js';
export type { Kernel } from './kernels/kernel.js';
export type { Prior } from './priors/prior.js';
export type { MinimizeOptions, MinimizeResult, ValueAndGradient } from './optim/minimizer.js';
