/**
 * @apiary/tf-runtime — Node-side TensorFlow.js start-up: picks the fastest available backend
 * (tfjs-node-gpu, tfjs-node, wasm, cpu) once per process and reports it. bo-core never imports
 * this package; callers pass the `tf` instance it returns into bo-core's tf-based code.
 */
export type { BackendAttempt, BackendPreference, InitTensorflowOptions, TensorflowBackend, TensorflowRuntime, Tfjs } from './backend.js';
export { currentTensorflow, describeBackend, initTensorflow, type BackendDescription, type BackendDetails } from './init-tensorflow.js';
