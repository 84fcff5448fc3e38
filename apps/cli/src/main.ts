import { createWorkerCommand } from '@apiary/worker';
import { createProgram } from './program.js';

const program = createProgram();
program.addCommand(createWorkerCommand({ name: 'worker' }).description('serve evaluators from the Redis queues (apiary worker --evaluator name=spec --concurrency N --redis URL)'));
await program.parseAsync(process.argv);
