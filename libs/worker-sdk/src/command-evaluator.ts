import { spawn } from 'node:child_process';
import { EvaluatorFailure } from './errors.js';
import type { Evaluator, EvaluatorReturn } from './evaluator.js';
import { commandEnvironment, lastJsonLine, TextTail } from './command-io.js';

/** Options of {@link commandEvaluator}. */
export interface CommandEvaluatorOptions {
  /** Working directory of the command. @defaultValue `process.cwd()` */
  cwd?: string;
  /** Environment the command inherits (the `APIARY_*` variables are added). @defaultValue the worker's environment */
  env?: Readonly<Record<string, string | undefined>>;
  /** Shell that runs the command as `<shell> -c <command>`. @defaultValue 'sh' */
  shell?: string;
  /** After an abort, time between SIGTERM and SIGKILL of the command's process group. @defaultValue 2000 */
  killGraceMs?: number;
  /** Characters of standard output kept to look for the result. @defaultValue 1048576 */
  maxOutputChars?: number;
  /** Characters of standard error quoted in a failure. @defaultValue 2000 */
  stderrTailChars?: number;
}

/**
 * An evaluator that runs a shell command per trial. The parameters go in as JSON on standard
 * input and in the environment (`APIARY_PARAMS`, `APIARY_PARAM_<NAME>`, see commandEnvironment);
 * the last line of standard output that parses as JSON is the result. A non-zero exit fails the
 * trial with the tail of standard error. The command runs in its own process group, which is
 * sent SIGTERM when the trial is aborted and SIGKILL `killGraceMs` later.
 */
export function commandEvaluator(command: string, options: CommandEvaluatorOptions = {}): Evaluator {
  const shell = options.shell ?? 'sh';
  const killGraceMs = options.killGraceMs ?? 2000;
  const maxOutput = options.maxOutputChars ?? 1 << 20;
  const stderrChars = options.stderrTailChars ?? 2000;
  return (parameters, ctx) =>
    new Promise<EvaluatorReturn>((resolve, reject) => {
      // Forwarding the worker's environment to the command is not configuration; see options.env.
      const baseEnv = options.env ?? process.env;
      const child = spawn(shell, ['-c', command], {
        cwd: options.cwd ?? process.cwd(),
        env: { ...baseEnv, ...commandEnvironment(parameters, ctx) },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const stdout = new TextTail(maxOutput);
      const stderr = new TextTail(stderrChars);
      child.stdout.setEncoding('utf8').on('data', (s: string) => stdout.append(s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => stderr.append(s));
      child.stdin.on('error', () => {
        /* the command need not read its input (EPIPE) */
      });
      child.stdin.end(JSON.stringify(parameters));

      let killTimer: NodeJS.Timeout | undefined;
      const killGroup = (signal: NodeJS.Signals): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          /* already gone */
        }
      };
      const onAbort = (): void => {
        killGroup('SIGTERM');
        killTimer = setTimeout(() => killGroup('SIGKILL'), killGraceMs);
        killTimer.unref();
      };
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });

      child.on('error', (e) => {
        ctx.signal.removeEventListener('abort', onAbort);
        reject(new EvaluatorFailure(`command could not be started: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(killTimer);
        ctx.signal.removeEventListener('abort', onAbort);
        const tail = stderr.toString().trim();
        const quoted = tail ? `; stderr: ${tail}` : '';
        if (ctx.signal.aborted) return reject(new EvaluatorFailure(`command stopped after abort${quoted}`));
        if (code !== 0) return reject(new EvaluatorFailure(`command exited with ${code === null ? `signal ${signal}` : `code ${code}`}${quoted}`));
        const result = lastJsonLine(stdout.toString());
        if (result === undefined) return reject(new EvaluatorFailure(`command printed no JSON result on standard output (the last line that parses as JSON is the result)${quoted}`));
        // Checked like any evaluator's value by executeTrial (normalizeResult).
        resolve(result as EvaluatorReturn);
      });
    });
}
