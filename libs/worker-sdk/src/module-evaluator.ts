import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EvaluatorSpecError, messageOf } from './errors.js';
import type { Evaluator } from './evaluator.js';

/**
 * Resolves a module evaluator's path against `cwd` and checks that the file exists.
 * Throws EvaluatorSpecError naming the resolved path otherwise.
 */
export function resolveEvaluatorModule(path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new EvaluatorSpecError(`evaluator module not found: ${absolute} (from "${path}", relative to ${cwd})`);
  }
  return absolute;
}

/**
 * The evaluator function among a module's exports: the default export of an ES module, or for
 * CommonJS `module.exports = fn` or `exports.default = fn`. Null when there is none.
 */
export function pickEvaluatorExport(namespace: Record<string, unknown>): Evaluator | null {
  const main = namespace['default'];
  if (typeof main === 'function') return main as Evaluator;
  if (main !== null && typeof main === 'object') {
    const inner = (main as Record<string, unknown>)['default'];
    if (typeof inner === 'function') return inner as Evaluator;
  }
  return null;
}

/** Options of {@link importModuleEvaluator}. */
export interface ModuleEvaluatorOptions {
  /** Directory relative paths are resolved against. @defaultValue `process.cwd()` */
  cwd?: string;
}

/**
 * Imports a `.js`/`.mjs`/`.cjs` evaluator module into this thread and returns its function.
 * Use it for trusted, cooperative evaluators; {@link createThreadEvaluator} runs a module in a
 * worker thread that can be terminated when it hangs.
 */
export async function importModuleEvaluator(path: string, options: ModuleEvaluatorOptions = {}): Promise<Evaluator> {
  const absolute = resolveEvaluatorModule(path, options.cwd ?? process.cwd());
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (e) {
    throw new EvaluatorSpecError(`evaluator module ${absolute} failed to load: ${messageOf(e)}`, { cause: e });
  }
  const fn = pickEvaluatorExport(namespace);
  if (!fn) throw new EvaluatorSpecError(notAFunctionMessage(absolute, describeDefaultExport(namespace)));
  return fn;
}

/** What a module's default export is, for error messages ("no default export", "a default export of type object"). */
export function describeDefaultExport(namespace: Record<string, unknown>): string {
  const main = namespace['default'];
  return main === undefined ? 'no default export' : `a default export of type ${main === null ? 'null' : typeof main}`;
}

/** The error for a module without an evaluator function; `found` is {@link describeDefaultExport}'s answer. */
export function notAFunctionMessage(path: string, found: string): string {
  return `evaluator module ${path} must export a function as default (ESM \`export default\`, CommonJS \`module.exports = fn\` or \`exports.default = fn\`); found ${found}`;
}
