/** @apiary/worker — the evaluator worker process, also mountable as `apiary worker`. */
export { createWorkerCommand, runWorkerCli, type WorkerCommandOptions } from './worker-command.js';
export { processIo, serveWorker, type WorkerCliIo } from './serve-worker.js';
export { readWorkerEnvironment, resolveWorkerConfig, WorkerConfigError, type RawWorkerOptions, type WorkerConfig, type WorkerEnvironment } from './worker.config.js';
export { logLine, trialLogLine, type LogSink } from './trial-log.js';
