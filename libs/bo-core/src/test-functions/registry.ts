import { InputDataError } from '../errors/errors.js';
import { branin } from './branin.js';
import { ackley, levy, michalewicz, rosenbrock, sixHumpCamel, styblinskiTang } from './classic.js';
import { hartmann3, hartmann6 } from './hartmann.js';
import type { TestFunction } from './test-function.js';

const REGISTRY: Record<string, () => TestFunction> = {
  branin: () => branin,
  sixhumpcamel: () => sixHumpCamel,
  hartmann3: () => hartmann3,
  hartmann6: () => hartmann6,
  ackley4: () => ackley(4),
  levy4: () => levy(4),
  rosenbrock4: () => rosenbrock(4),
  styblinskitang4: () => styblinskiTang(4),
  michalewicz5: () => michalewicz(5),
};

/** The benchmark problems by name. */
export const TEST_FUNCTION_NAMES: readonly string[] = Object.keys(REGISTRY);

/** A benchmark problem by name (`branin`, `hartmann6`, `ackley4`, ...). */
export function getTestFunction(name: string): TestFunction {
  const make = REGISTRY[name];
  if (!make) throw new InputDataError(`unknown test function '${name}'; expected one of ${TEST_FUNCTION_NAMES.join(', ')}`);
  return make();
}
