export type { InputTransform } from './input-transform.js';
export type { OutcomeForward, OutcomeTransform } from './outcome-transform.js';
export { Normalize, type NormalizeOptions } from './normalize.js';
export { Standardize } from './standardize.js';
