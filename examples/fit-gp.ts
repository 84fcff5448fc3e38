/**
 * Fit a Gaussian process to plain arrays and predict: `npm run example:gp`.
 * Twelve noisy samples of a 1-D function; prints the posterior mean and a 95% band at a few points.
 */
import { fitGaussianProcess } from '@apiary/bo-core';

const f = (x: number): number => Math.sin(3 * x) + 0.5 * x;
const X = Array.from({ length: 12 }, (_, i) => [(i / 11) * 4 - 2]);
const y = X.map(([x]) => f(x!) + 0.05 * Math.cos(17 * x!)); // deterministic "noise"

const gp = fitGaussianProcess(X, y, { bounds: [[-2, 2]] });
console.log('fitted hyperparameters:', gp.hyperparameters);

const test = [[-1.5], [-0.25], [0.6], [1.9]];
const { mean, variance } = gp.predict(test);
test.forEach(([x], i) => {
  const sd = Math.sqrt(variance[i]!);
  console.log(`x = ${x!.toFixed(2)}: f = ${f(x!).toFixed(3)}, predicted ${mean[i]!.toFixed(3)} ± ${(1.96 * sd).toFixed(3)}`);
});
