import type { z } from 'zod';

/** One problem with an input: the field's path (`parameters[2].bounds`) and the reason. */
export interface ValidationProblem {
  path: string;
  message: string;
}

/** Zod issues as field paths and reasons. */
export function zodProblems(error: z.ZodError): ValidationProblem[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** `['parameters', 2, 'bounds']` → `parameters[2].bounds`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out || '(root)';
}

/** Problems as one message, a line each. */
export function formatProblems(problems: readonly ValidationProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}

/** Thrown by {@link parseOrThrow}: the input is invalid; `problems` says where and why. */
export class ValidationError extends Error {
  constructor(
    readonly problems: readonly ValidationProblem[],
    what: string,
  ) {
    super(`invalid ${what}:\n${formatProblems(problems)}`);
    this.name = 'ValidationError';
  }
}

/** Parses with a schema, throwing ValidationError with every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(zodProblems(r.error), what);
  return r.data;
}
