/** Covariance functions: stationary base kernels and their compositions. */
export type { Kernel } from './kernel.js';
export { accumulateHyperparameterGradient, type GradientContraction } from './gradient-contraction.js';
export { StationaryKernel, type StationaryKernelOptions } from './stationary-kernel.js';
export { RBFKernel, type RBFKernelOptions } from './rbf-kernel.js';
export { MaternKernel, type MaternKernelOptions, type MaternNu } from './matern-kernel.js';
export { ScaleKernel, type ScaleKernelOptions } from './scale-kernel.js';
export { SumKernel } from './sum-kernel.js';
export { ProductKernel } from './product-kernel.js';
