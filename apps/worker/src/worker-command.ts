import { Command, CommanderError } from 'commander';
import { logLine } from './trial-log.js';
import { processIo, serveWorker, type WorkerCliIo } from './serve-worker.js';
import { readWorkerEnvironment, resolveWorkerConfig, WorkerConfigError, type RawWorkerOptions } from './worker.config.js';

/** Options of {@link createWorkerCommand}. */
export interface WorkerCommandOptions {
  /** The command's name. @defaultValue 'worker' (as mounted in `apiary worker`) */
  name?: string;
  /** Output and signals. @defaultValue processIo() */
  io?: Partial<WorkerCliIo>;
  /** Receives the exit code when the worker stops. @defaultValue sets `process.exitCode` */
  onExit?: (code: number) => void;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * The worker command, for commander: `<name> --evaluator <name>=<spec> [...] [--concurrency N]
 * [--redis URL] [--name NAME]`. The `apiary` CLI mounts it with `program.addCommand(createWorkerCommand())`.
 */
export function createWorkerCommand(options: WorkerCommandOptions = {}): Command {
  const io: WorkerCliIo = { ...processIo(), ...options.io };
  const exit = options.onExit ?? ((code: number) => void (process.exitCode = code));
  return new Command(options.name ?? 'worker')
    .description('Serve evaluators: take trial jobs from Redis (BullMQ), run them, publish the results.')
    .option('-e, --evaluator <name=spec>', 'an evaluator to serve (repeatable): a .js/.mjs/.cjs module, a shell command (cmd:…), or an http(s):// URL', collect)
    .option('-c, --concurrency <n>', 'trials run at once per evaluator (default: 1)')
    .option('--redis <url>', 'Redis URL (default: $REDIS_URL)')
    .option('--name <name>', 'worker name in events (default: <hostname>:<pid>)')
    .option('--lock-duration <ms>', 'trial lock duration; a dead worker is noticed after about this long (default: 30000)')
    .option('--stalled-interval <ms>', 'how often to look for trials of dead workers (default: the lock duration)')
    .option('--drain-timeout <ms>', 'on SIGTERM/SIGINT, how long running trials may finish (default: 30000)')
    .option('--prefix <prefix>', 'Redis key prefix of the queues, as the scheduler uses it (default: {apiary})')
    .action(async (_opts: unknown, command: Command) => {
      exit(await runFromOptions(command.opts<RawWorkerOptions>(), io));
    });
}

async function runFromOptions(raw: RawWorkerOptions, io: WorkerCliIo): Promise<number> {
  try {
    const env = readWorkerEnvironment();
    return await serveWorker(resolveWorkerConfig(raw, env), env, io);
  } catch (e) {
    const problems = e instanceof WorkerConfigError ? { problems: e.problems } : {};
    io.err(logLine('error', e instanceof WorkerConfigError ? 'invalid worker settings' : e instanceof Error ? e.message : String(e), problems));
    return e instanceof WorkerConfigError ? 2 : 1;
  }
}

/**
 * Runs `apiary-worker` with the given arguments (without `node` and the script) and resolves with
 * the exit code once the worker has stopped (after SIGTERM/SIGINT) or failed to start.
 */
export async function runWorkerCli(argv: readonly string[], io: Partial<WorkerCliIo> = {}): Promise<number> {
  let code = 0;
  const command = createWorkerCommand({ name: 'apiary-worker', io, onExit: (c) => (code = c) }).exitOverride();
  try {
    await command.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  return code;
}
