import { commandEvaluator, type CommandEvaluatorOptions } from './command-evaluator.js';
import { EvaluatorSpecError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { parseEvaluatorSpec, type EvaluatorSpec, type NamedEvaluatorSpec } from './evaluator-spec.js';
import { httpEvaluator, type HttpEvaluatorOptions } from './http-evaluator.js';
import { importModuleEvaluator } from './module-evaluator.js';
import { createThreadEvaluator, type ClosableEvaluator, type ThreadEvaluatorOptions } from './thread-evaluator.js';

/** Options of {@link loadEvaluator}. */
export interface LoadEvaluatorOptions {
  /** Directory relative module paths and commands are resolved against. @defaultValue `process.cwd()` */
  cwd?: string;
  /**
   * How module evaluators run: `'thread'` in terminable worker threads (a hung evaluator is
   * killed at its time limit and cannot block the worker's lock renewals), `'inline'` imported
   * into this thread (time limits then rely on the evaluator honouring its signal).
   * @defaultValue 'thread'
   */
  moduleIsolation?: 'thread' | 'inline';
  /** Options of threaded module evaluators. @defaultValue see ThreadEvaluatorOptions */
  thread?: Omit<ThreadEvaluatorOptions, 'cwd'>;
  /** Options of command evaluators. @defaultValue see CommandEvaluatorOptions */
  command?: Omit<CommandEvaluatorOptions, 'cwd'>;
  /** Options of HTTP evaluators. @defaultValue see HttpEvaluatorOptions */
  http?: HttpEvaluatorOptions;
}

/**
 * Turns a spec (or spec string) into a ready evaluator. Module evaluators are imported now, so a
 * missing file or a module without a default function fails here with an EvaluatorSpecError.
 */
export async function loadEvaluator(spec: EvaluatorSpec | string, options: LoadEvaluatorOptions = {}): Promise<ClosableEvaluator> {
  const s = typeof spec === 'string' ? parseEvaluatorSpec(spec) : spec;
  const cwd = options.cwd ?? process.cwd();
  switch (s.kind) {
    case 'module':
      if ((options.moduleIsolation ?? 'thread') === 'inline') return open(await importModuleEvaluator(s.path, { cwd }));
      return createThreadEvaluator(s.path, { ...options.thread, cwd });
    case 'command':
      return open(commandEvaluator(s.command, { ...options.command, cwd }));
    case 'http':
      return open(httpEvaluator(s.url, options.http));
  }
}

/** Evaluators by name, loaded together, with one `close()` for all. */
export interface LoadedEvaluators {
  readonly evaluators: Record<string, Evaluator>;
  close(): Promise<void>;
}

/** Loads several named specs; if one fails, those already loaded are closed and the error is rethrown. */
export async function loadEvaluators(specs: readonly NamedEvaluatorSpec[], options: LoadEvaluatorOptions = {}): Promise<LoadedEvaluators> {
  const loaded: ClosableEvaluator[] = [];
  const evaluators: Record<string, Evaluator> = {};
  try {
    for (const { name, spec } of specs) {
      if (name in evaluators) throw new EvaluatorSpecError(`evaluator "${name}" is given more than once`);
      const e = await loadEvaluator(spec, options).catch((err: unknown) => {
        throw err instanceof EvaluatorSpecError ? new EvaluatorSpecError(`evaluator "${name}": ${err.message}`, { cause: err }) : err;
      });
      loaded.push(e);
      evaluators[name] = e.evaluator;
    }
  } catch (e) {
    await Promise.all(loaded.map((l) => l.close()));
    throw e;
  }
  return { evaluators, close: async () => void (await Promise.all(loaded.map((l) => l.close()))) };
}

function open(evaluator: Evaluator): ClosableEvaluator {
  return { evaluator, close: async () => undefined };
}
