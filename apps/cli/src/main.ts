import { createWorkerCommand } from '@apiary/worker';
import { createProgram } from './program.js';

const program = createProgram();
program.addCommand(createWorkerCommand({ name: 'worker' }).description('serve evaluators from the Redis queues (apiary worker --evaluator name=spec --concurrency N --redis URL)'));
try {
  await program.parseAsync(process.argv);
} catch (e) {
  // An error no command turned into a message: its stack, and exit 1. (Left uncaught, it would be
  // rethrown by TensorFlow.js's wasm backend, whose handler prints a line of minified source first.)
  process.stderr.write(`apiary: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
}
