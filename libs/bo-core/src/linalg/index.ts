/**
 * Dense float64 linear algebra for Gaussian processes: the Matrix type, Cholesky with jitter,
 * triangular solves, the inverse from a Cholesky factor, and basic products.
 */
export * from './matrix.js';
export { cholesky, choleskyInPlace, choleskyReference, type CholeskyOptions, type CholeskyResult } from './cholesky.js';
export {
  choleskyInverse,
  choleskySolve,
  choleskySolveMatrix,
  logDetFromCholesky,
  solveLower,
  solveLowerMatrix,
  solveLowerTranspose,
  solveLowerTransposeMatrix,
} from './triangular.js';
export { addDiagonal, dot, matmul, matmulTransposeA, matmulTransposeB, matVec, symmetrize } from './ops.js';
export { linalgBackend, releaseWasmArena, setWasmKernelEnabled } from './wasm-kernel.js';
