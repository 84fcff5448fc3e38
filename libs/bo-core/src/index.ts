/**
 * @apiary/bo-core — Gaussian processes and Bayesian-optimisation math. No I/O, no framework,
 * no Node-only modules: the same code runs in Node and in the browser.
 */
export * from './errors/index.js';
export * from './linalg/index.js';
export * from './kernels/index.js';
export * from './priors/index.js';
export * from './transforms/index.js';
export * from './posteriors/index.js';
export * from './models/index.js';
export * from './acquisition/index.js';
export * from './math/index.js';
export * from './search-space/index.js';
export * from './generation/index.js';
export * from './sampling/index.js';
export * from './test-functions/index.js';
export * from './optim/index.js';
