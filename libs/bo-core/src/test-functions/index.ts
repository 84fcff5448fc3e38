export { evaluateUnit, type TestFunction } from './test-function.js';
export { branin } from './branin.js';
export { hartmann3, hartmann6 } from './hartmann.js';
