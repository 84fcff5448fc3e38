import { loadEvaluators, describeEvaluatorSpec, runWorker } from '@apiary/worker-sdk';
import { logLine, trialLogLine, type LogSink } from './trial-log.js';
import type { WorkerConfig, WorkerEnvironment } from './worker.config.js';

/** Where the CLI writes and which signals it listens to (tests and the `apiary` CLI can swap them). */
export interface WorkerCliIo {
  /** JSON lines: one per trial, and start/stop. @defaultValue process.stdout */
  out: LogSink;
  /** JSON lines of errors and warnings. @defaultValue process.stderr */
  err: LogSink;
  /** Emits SIGTERM and SIGINT. @defaultValue process */
  signals: Pick<NodeJS.Process, 'once' | 'off'>;
}

/** The default io: standard output and error, and the process's signals. */
export function processIo(): WorkerCliIo {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    signals: process,
  };
}

/**
 * Serves the configured evaluators until SIGTERM or SIGINT, then shuts down gracefully (running
 * trials get `drainTimeoutMs`; a second signal aborts them at once). Module evaluators run in
 * worker threads, so that a hung one is killed at its time limit and cannot starve the lock
 * renewals of the other trials. Resolves with the exit code.
 */
export async function serveWorker(config: WorkerConfig, env: WorkerEnvironment, io: WorkerCliIo): Promise<number> {
  // Evaluator threads print to stderr: stdout carries only the JSON log lines.
  const loaded = await loadEvaluators(config.evaluators, { command: { env: env.all }, thread: { maxIdleThreads: config.concurrency, output: process.stderr } });
  let handle: Awaited<ReturnType<typeof runWorker>>;
  try {
    io.out(logLine('info', 'connecting', { redis: redactUrl(config.redisUrl) }));
    handle = await runWorker({
      connection: config.redisUrl,
      evaluators: loaded.evaluators,
      concurrency: config.concurrency,
      workerName: config.name,
      lockDurationMs: config.lockDurationMs,
      stalledIntervalMs: config.stalledIntervalMs,
      drainTimeoutMs: config.drainTimeoutMs,
      prefix: config.prefix,
      onEvent: (event, evaluator) => {
        const line = trialLogLine(event, evaluator);
        if (line) io.out(line);
      },
      onError: (error) => io.err(logLine('error', error.message)),
    });
  } catch (e) {
    await loaded.close();
    throw e;
  }
  io.out(
    logLine('info', 'worker started', {
      worker: handle.name,
      concurrency: config.concurrency,
      evaluators: Object.fromEntries(config.evaluators.map((e) => [e.name, describeEvaluatorSpec(e.spec)])),
    }),
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onTerm = (): void => done('SIGTERM');
    const onInt = (): void => done('SIGINT');
    const done = (s: NodeJS.Signals): void => {
      io.signals.off('SIGTERM', onTerm);
      io.signals.off('SIGINT', onInt);
      resolve(s);
    };
    io.signals.once('SIGTERM', onTerm);
    io.signals.once('SIGINT', onInt);
  });
  io.out(logLine('info', 'worker stopping', { signal, drainTimeoutMs: config.drainTimeoutMs }));
  const hurry = (): void => {
    io.out(logLine('warn', 'second signal: aborting running trials'));
    void handle.close({ drainTimeoutMs: 0 });
  };
  io.signals.once('SIGTERM', hurry);
  io.signals.once('SIGINT', hurry);
  try {
    await handle.close();
    await loaded.close();
  } finally {
    io.signals.off('SIGTERM', hurry);
    io.signals.off('SIGINT', hurry);
  }
  io.out(logLine('info', 'worker stopped'));
  return 0;
}

/** The URL without its password, for logs. */
function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}
