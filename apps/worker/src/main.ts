/** Entry point of `apiary-worker`. */
import { runWorkerCli } from './worker-command.js';

const code = await runWorkerCli(process.argv.slice(2));
// Exit explicitly: an evaluator may have left handles (sockets, timers) open.
process.exit(code);
