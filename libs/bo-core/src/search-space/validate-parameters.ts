import type { Parameter, ParameterValue } from './parameters.js';
import { type ProblemList, show } from './search-space-error.js';

/**
 * The largest magnitude allowed for an int parameter's bounds. Beyond it the unit-cube encoding
 * could no longer guarantee `decode(encode(v)) = v` in double precision; use a range parameter.
 */
export const MAX_INT_BOUND = 1e12;

const FIELDS: Record<Parameter['type'], readonly string[]> = {
  range: ['name', 'type', 'bounds', 'log'],
  int: ['name', 'type', 'bounds', 'log'],
  choice: ['name', 'type', 'values', 'ordered'],
  fixed: ['name', 'type', 'value'],
};

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a string, a finite number or a boolean. */
export function isScalarValue(value: unknown): value is ParameterValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** The outcome of {@link validateParameters}. */
export interface ValidatedParameters {
  /** True when no problem was found. */
  readonly ok: boolean;
  /** Frozen copies of the parameters that are valid on their own, in order. */
  readonly valid: Parameter[];
  /** Every name given, valid parameter or not (so that constraints can tell unknown from broken). */
  readonly names: ReadonlySet<string>;
}

/**
 * Checks every parameter, adding each problem found to `problems`; returns the parameters that
 * are valid on their own, so that constraints can still be checked against them.
 */
export function validateParameters(parameters: unknown, problems: ProblemList): ValidatedParameters {
  if (!Array.isArray(parameters)) {
    problems.add('parameters', `expected an array of parameters, got ${show(parameters)}`);
    return { ok: false, valid: [], names: new Set() };
  }
  if (parameters.length === 0) {
    problems.add('parameters', 'is empty; give at least one range, int or choice parameter');
    return { ok: false, valid: [], names: new Set() };
  }
  const before = problems.items.length;
  const firstIndexOfName = new Map<string, number>();
  const copies: Parameter[] = [];
  parameters.forEach((p: unknown, i: number) => {
    const copy = validateParameter(p, `parameters[${i}]`, problems);
    if (isRecord(p) && typeof p['name'] === 'string' && p['name'].trim() !== '') {
      const first = firstIndexOfName.get(p['name']);
      if (first === undefined) firstIndexOfName.set(p['name'], i);
      else problems.add(`parameters[${i}].name`, `${show(p['name'])} is already the name of parameters[${first}]; names must be unique`);
    }
    if (copy) copies.push(copy);
  });
  if (problems.items.length === before && copies.every((p) => p.type === 'fixed')) {
    problems.add('parameters', 'every parameter is fixed, so there is nothing to optimise; make at least one a range, int or choice parameter');
  }
  return { ok: problems.items.length === before, valid: copies, names: new Set(firstIndexOfName.keys()) };
}

function validateParameter(p: unknown, path: string, problems: ProblemList): Parameter | null {
  if (!isRecord(p)) {
    problems.add(path, `expected an object with "name" and "type", got ${show(p)}`);
    return null;
  }
  const before = problems.items.length;
  const name = p['name'];
  if (typeof name !== 'string') problems.add(`${path}.name`, `expected a string, got ${show(name)}`);
  else if (name.trim() === '') problems.add(`${path}.name`, `is ${name === '' ? 'empty' : 'only whitespace'}; give the parameter a name`);

  const type = p['type'];
  if (type !== 'range' && type !== 'int' && type !== 'choice' && type !== 'fixed') {
    problems.add(`${path}.type`, `expected "range", "int", "choice" or "fixed", got ${show(type)}`);
    return null;
  }
  for (const key of Object.keys(p)) {
    if (!FIELDS[type].includes(key)) {
      problems.add(`${path}.${key}`, `is not a field of a ${type} parameter (expected ${FIELDS[type].join(', ')}); remove it or fix its spelling`);
    }
  }
  switch (type) {
    case 'range':
    case 'int':
      checkBounds(p, type, path, problems);
      checkFlag(p, 'log', path, problems);
      break;
    case 'choice':
      checkChoiceValues(p['values'], path, problems);
      checkFlag(p, 'ordered', path, problems);
      break;
    case 'fixed':
      if (!isScalarValue(p['value'])) {
        problems.add(`${path}.value`, `expected a string, a finite number or a boolean, got ${show(p['value'])}`);
      }
      break;
  }
  if (problems.items.length > before) return null;
  return copyParameter(p as unknown as Parameter);
}

function checkFlag(p: Record<string, unknown>, key: string, path: string, problems: ProblemList): void {
  const flag = p[key];
  if (flag !== undefined && typeof flag !== 'boolean') problems.add(`${path}.${key}`, `expected true or false, got ${show(flag)}`);
}

function checkBounds(p: Record<string, unknown>, type: 'range' | 'int', path: string, problems: ProblemList): void {
  const at = `${path}.bounds`;
  const bounds = p['bounds'];
  if (!Array.isArray(bounds) || bounds.length !== 2 || typeof bounds[0] !== 'number' || typeof bounds[1] !== 'number') {
    problems.add(at, `expected [lower, upper], two numbers, got ${show(bounds)}`);
    return;
  }
  const [lo, hi] = bounds as [number, number];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    problems.add(at, `expected finite numbers, got [${lo}, ${hi}]`);
    return;
  }
  if (type === 'int') {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) {
      problems.add(at, `an int parameter needs integer bounds, got [${lo}, ${hi}]; use [${Math.ceil(lo)}, ${Math.floor(hi)}], or a range parameter for a continuous one`);
      return;
    }
    if (Math.abs(lo) > MAX_INT_BOUND || Math.abs(hi) > MAX_INT_BOUND) {
      problems.add(at, `int bounds must lie within ±${MAX_INT_BOUND}, got [${lo}, ${hi}]; use a (log-scaled) range parameter instead`);
      return;
    }
    if (lo === hi) {
      problems.add(at, `allows the single value ${lo}; use a fixed parameter ({"type": "fixed", "value": ${lo}}) instead`);
      return;
    }
  }
  if (lo === hi && type === 'range') {
    problems.add(at, `lower (${lo}) equals upper (${hi}); widen the bounds, or use a fixed parameter for a constant`);
    return;
  }
  if (lo > hi) {
    problems.add(at, `lower (${lo}) must be below upper (${hi}); swap them`);
    return;
  }
  if (!Number.isFinite(hi - lo)) {
    problems.add(at, `the width upper - lower of [${lo}, ${hi}] overflows; narrow the bounds or use log scale`);
    return;
  }
  if (p['log'] === true && lo <= 0) {
    problems.add(at, `log scale needs a positive lower bound, got ${lo}; raise it above 0${type === 'int' ? ' (to at least 1)' : ''} or drop "log"`);
  }
}

function checkChoiceValues(values: unknown, path: string, problems: ProblemList): void {
  const at = `${path}.values`;
  if (!Array.isArray(values)) {
    problems.add(at, `expected an array of strings, numbers or booleans, got ${show(values)}`);
    return;
  }
  if (values.length === 0) {
    problems.add(at, 'is empty; give at least two choices');
    return;
  }
  let allScalar = true;
  values.forEach((v: unknown, k: number) => {
    if (!isScalarValue(v)) {
      allScalar = false;
      problems.add(`${at}[${k}]`, `expected a string, a finite number or a boolean, got ${show(v)}`);
    }
  });
  if (!allScalar) return;
  if (values.length === 1) {
    problems.add(at, `has the single value ${show(values[0])}; use a fixed parameter ({"type": "fixed", "value": ${show(values[0])}}) instead`);
    return;
  }
  values.forEach((v: unknown, k: number) => {
    const first = values.indexOf(v);
    if (first < k) problems.add(`${at}[${k}]`, `${show(v)} repeats ${at}[${first}]; choices must be distinct`);
  });
}

/** A frozen copy of a validated parameter, without unset optional fields. */
function copyParameter(p: Parameter): Parameter {
  switch (p.type) {
    case 'range':
    case 'int':
      return Object.freeze({
        name: p.name,
        type: p.type,
        bounds: Object.freeze([p.bounds[0], p.bounds[1]] as const),
        ...(p.log !== undefined ? { log: p.log } : {}),
      });
    case 'choice':
      return Object.freeze({
        name: p.name,
        type: p.type,
        values: Object.freeze([...p.values]),
        ...(p.ordered !== undefined ? { ordered: p.ordered } : {}),
      });
    case 'fixed':
      return Object.freeze({ name: p.name, type: p.type, value: p.value });
  }
}
