export { evaluateUnit, type TestFunction } from './test-function.js';
export { branin } from './branin.js';
export { hartmann3, hartmann6 } from './hartmann.js';
export { ackley, levy, michalewicz, rosenbrock, sixHumpCamel, styblinskiTang } from './classic.js';
export { getTestFunction, TEST_FUNCTION_NAMES } from './registry.js';
