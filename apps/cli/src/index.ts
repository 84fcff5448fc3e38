/** @apiary/cli — the `apiary` command. */
export { createProgram } from './program.js';
export { runOptimize, type CliIo, type OptimizeOptions } from './optimize.command.js';
export { buildOutFile, type OutFile, type OutTrial } from './out-file.js';
