import { InputDataError } from '../errors/errors.js';

/** One thing wrong with a search-space definition or with a set of parameter values. */
export interface SearchSpaceProblem {
  /** Where it is, e.g. `parameters[2].bounds`, `constraints[0].coefficients.x`, `values.lr`. */
  readonly path: string;
  /** What was expected, what came, and how to fix it. */
  readonly message: string;
}

/**
 * Every problem found in a search-space definition (or in parameter values checked against one),
 * collected and thrown together, so that a user can fix them in one pass. The message lists them
 * all; `problems` has them as data (for forms or API responses).
 */
export class SearchSpaceError extends InputDataError {
  readonly problems: readonly SearchSpaceProblem[];

  /**
   * @param summary what was being checked, e.g. `Invalid search space`.
   * @param problems at least one problem.
   */
  constructor(summary: string, problems: readonly SearchSpaceProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    super(`${summary} (${count}):\n${lines.join('\n')}`);
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ path: p.path, message: p.message })));
  }
}

/** Collects problems and throws them as one {@link SearchSpaceError} at the end. */
export class ProblemList {
  readonly items: SearchSpaceProblem[] = [];

  add(path: string, message: string): void {
    this.items.push({ path, message });
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Throws a {@link SearchSpaceError} if any problem was added. */
  throwIfAny(summary: string): void {
    if (this.items.length > 0) throw new SearchSpaceError(summary, this.items);
  }
}

/** A value as it should appear in a message: strings quoted, everything else as JSON or String(). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === undefined) return 'undefined';
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    // fall through (cycles, BigInt)
  }
  return String(value);
}
