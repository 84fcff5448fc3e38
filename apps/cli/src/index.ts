/** @apiary/cli — the `apiary` command. */
export { createProgram } from './program.js';
export { INTERRUPTED_EXIT_CODE, processInterrupts, runOptimize, type CliIo, type Interrupts, type OptimizeOptions } from './optimize.command.js';
export { buildOutFile, type OutFile, type OutTrial } from './out-file.js';
