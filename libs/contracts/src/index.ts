/** @apiary/contracts — the schemas and types every app shares. */
export * from './experiment-config.js';
export * from './trial.js';
export * from './queues.js';
export * from './validation.js';
export * from './transport.js';
