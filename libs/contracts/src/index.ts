/** @apiary/contracts — the schemas and types every app shares, and the small helpers around them. */
export * from './experiment-config.js';
export * from './trial.js';
export * from './queues.js';
export * from './validation.js';
export * from './transport.js';
export * from './collections.js';
