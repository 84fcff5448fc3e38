import { Command, InvalidArgumentError } from 'commander';
import { readCliEnvironment } from './cli.config.js';
import { processInterrupts, runOptimize, type CliIo } from './optimize.command.js';
import { runExport, runStatus, runSubmit } from './remote.commands.js';
import { runServe } from './serve.command.js';

const processIo: CliIo = { stdout: (l) => process.stdout.write(l + '\n'), stderr: (l) => process.stderr.write(l + '\n') };

function integer(name: string, min: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

/**
 * The `apiary` command. Each action sets `process.exitCode` (0 ok, 1 failure, 2 bad input, 130 interrupted)
 * through `onExit`, so tests can run it in-process.
 */
export function createProgram(io: CliIo = processIo, onExit: (code: number) => void = (c) => void (process.exitCode = c)): Command {
  const env = readCliEnvironment();
  const program = new Command('apiary').description('Bayesian optimisation with Gaussian processes: embedded, or distributed over BullMQ workers.').showHelpAfterError();

  program
    .command('optimize')
    .description('run an experiment to its budget and print the best trial (embedded by default; --redis for the distributed queue)')
    .requiredOption('--config <file>', 'experiment config (JSON)')
    .requiredOption('--evaluator <spec>', 'evaluator: a module (.js/.mjs/.cjs), a shell command, or an http(s) URL')
    .option('--workers <n>', 'local evaluator slots (default: the config\'s parallelism; 0 with --redis: remote workers only)', integer('--workers', 0))
    .option('--redis <url>', 'Redis URL: use BullMQ queues and the Redis store', env.REDIS_URL)
    .option('--out <file>', 'write every trial and the best as JSON')
    .action(async (o: { config: string; evaluator: string; workers?: number; redis?: string; out?: string }) => {
      const interrupts = processInterrupts();
      try {
        onExit(await runOptimize(o, io, interrupts));
      } finally {
        interrupts.dispose();
      }
    });

  program
    .command('serve')
    .description('start the scheduler: REST API, OpenAPI docs at /docs, queue admin at /admin/queues, metrics at /metrics')
    .option('--port <port>', 'HTTP port (default: PORT or 8080)', integer('--port', 0))
    .option('--redis <url>', 'Redis URL (default: REDIS_URL)')
    .option('--token <token>', 'API token (default: APIARY_TOKEN)')
    .action(async (o: { port?: number; redis?: string; token?: string }) => {
      onExit(await runServe(o, io));
    });

  program
    .command('submit')
    .description('create an experiment on a running scheduler')
    .requiredOption('--config <file>', 'experiment config (JSON)')
    .option('--api <url>', 'scheduler URL', env.APIARY_API_URL)
    .option('--token <token>', 'API token', env.APIARY_TOKEN)
    .action(async (o: { config: string; api: string; token?: string }) => {
      onExit(await runSubmit(o.config, o, io));
    });

  program
    .command('status')
    .description('list experiments, or show one with its trial counts and best trial')
    .argument('[id]', 'experiment id')
    .option('--api <url>', 'scheduler URL', env.APIARY_API_URL)
    .option('--token <token>', 'API token', env.APIARY_TOKEN)
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o: { api: string; token?: string; json?: boolean }) => {
      onExit(await runStatus(id, o, io));
    });

  program
    .command('export')
    .description("export an experiment's trials as JSON or CSV")
    .argument('<id>', 'experiment id')
    .option('--format <format>', 'json or csv', 'json')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--api <url>', 'scheduler URL', env.APIARY_API_URL)
    .option('--token <token>', 'API token', env.APIARY_TOKEN)
    .action(async (id: string, o: { format: string; out?: string; api: string; token?: string }) => {
      onExit(await runExport(id, o, io));
    });

  return program;
}
