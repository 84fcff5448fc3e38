import { EvaluatorSpecError } from './errors.js';

/**
 * Where an evaluator's code lives:
 * - `module`: a `.js`, `.mjs` or `.cjs` file whose default export is the evaluator function;
 * - `command`: a shell command run with `sh -c` (parameters as JSON on stdin, result JSON on stdout);
 * - `http`: an endpoint that takes a POSTed JSON trial and answers with the result JSON.
 */
export type EvaluatorSpec = { kind: 'module'; path: string } | { kind: 'command'; command: string } | { kind: 'http'; url: string };

/** A spec with the name the evaluator is registered under. */
export interface NamedEvaluatorSpec {
  name: string;
  spec: EvaluatorSpec;
}

/** Evaluator names, as an experiment config accepts them. */
const EVALUATOR_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MODULE_EXTENSION = /\.(?:m|c)?js$/i;
const HTTP_URL = /^https?:\/\//i;
const COMMAND_PREFIX = 'cmd:';

/**
 * Classifies a spec string: `cmd:` forces a command; an `http(s)://` URL is an HTTP evaluator;
 * a path ending in `.js`, `.mjs` or `.cjs` is a module; anything else is a shell command.
 */
export function parseEvaluatorSpec(text: string): EvaluatorSpec {
  const spec = text.trim();
  if (spec.startsWith(COMMAND_PREFIX)) {
    const command = spec.slice(COMMAND_PREFIX.length).trim();
    if (!command) throw new EvaluatorSpecError(`evaluator spec "${text}": nothing after "cmd:"; expected a shell command`);
    return { kind: 'command', command };
  }
  if (!spec) throw new EvaluatorSpecError('evaluator spec is empty; expected a module path, a shell command or an http(s):// URL');
  if (HTTP_URL.test(spec)) {
    try {
      new URL(spec);
    } catch {
      throw new EvaluatorSpecError(`evaluator spec "${text}" is not a valid URL`);
    }
    return { kind: 'http', url: spec };
  }
  if (MODULE_EXTENSION.test(spec)) return { kind: 'module', path: spec };
  return { kind: 'command', command: spec };
}

/**
 * Parses `name=spec` (the `--evaluator` syntax). The name is everything before the first `=` and
 * must be a valid evaluator name; the spec may itself contain `=`.
 */
export function parseNamedEvaluatorSpec(text: string): NamedEvaluatorSpec {
  const eq = text.indexOf('=');
  if (eq < 0) throw new EvaluatorSpecError(`evaluator "${text}": expected <name>=<spec>, e.g. branin=./branin.mjs or branin="cmd:python3 branin.py"`);
  const name = text.slice(0, eq).trim();
  if (!EVALUATOR_NAME.test(name)) {
    throw new EvaluatorSpecError(`evaluator "${text}": the name "${name}" must be lowercase letters, digits, _ and - (at most 64, starting with a letter or digit)`);
  }
  try {
    return { name, spec: parseEvaluatorSpec(text.slice(eq + 1)) };
  } catch (e) {
    if (e instanceof EvaluatorSpecError) throw new EvaluatorSpecError(`evaluator "${name}": ${e.message}`);
    throw e;
  }
}

/** Parses several `name=spec` strings; a name given twice is an error. */
export function parseNamedEvaluatorSpecs(texts: readonly string[]): NamedEvaluatorSpec[] {
  const seen = new Set<string>();
  return texts.map((t) => {
    const named = parseNamedEvaluatorSpec(t);
    if (seen.has(named.name)) throw new EvaluatorSpecError(`evaluator "${named.name}" is given more than once`);
    seen.add(named.name);
    return named;
  });
}

/** A spec as the user would write it (for logs). */
export function describeEvaluatorSpec(spec: EvaluatorSpec): string {
  switch (spec.kind) {
    case 'module':
      return spec.path;
    case 'command':
      return `cmd:${spec.command}`;
    case 'http':
      return spec.url;
  }
}
