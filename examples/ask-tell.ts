/**
 * Optimise a function with the ask/tell Optimizer: `npm run example`.
 * Minimises Branin over its box in 30 evaluations, 4 at a time, and prints the best trial.
 */
import { branin, Optimizer } from '@apiary/bo-core';

const optimizer = new Optimizer({
  searchSpace: { parameters: [{ name: 'x1', type: 'range', bounds: [-5, 10] }, { name: 'x2', type: 'range', bounds: [0, 15] }] },
  minimize: true,
  seed: 0,
});

while (optimizer.trials.length < 30) {
  for (const trial of optimizer.ask(Math.min(4, 30 - optimizer.trials.length))) {
    const { x1, x2 } = trial.parameters as { x1: number; x2: number };
    optimizer.tell(trial.index, branin.evaluate([x1, x2]));
  }
  const best = optimizer.best()!;
  console.log(`${optimizer.trials.length} trials, best so far ${best.values!['objective']!.toFixed(4)}`);
}

const best = optimizer.best()!;
console.log(`best trial #${best.index}:`, best.parameters, `value ${best.values!['objective']!.toFixed(5)} (optimum ${branin.optimalValue})`);
