import type * as tfc from '@tensorflow/tfjs-core';

/**
 * The TensorFlow.js core module, passed in by the caller (dependency injection): bo-core imports
 * TensorFlow.js for its types only, so it stays browser-safe and never chooses or loads a
 * backend. Node callers get an instance from `@apiary/tf-runtime`'s `initTensorflow()`; browser
 * callers pass their own `@tensorflow/tfjs` (or `-core` with a backend registered).
 */
export type TfCore = typeof tfc;
export type Tensor = tfc.Tensor;
export type Tensor1D = tfc.Tensor1D;
export type Tensor2D = tfc.Tensor2D;
export type Tensor3D = tfc.Tensor3D;
