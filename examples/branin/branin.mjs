/**
 * Branin as a module evaluator: `apiary optimize --config examples/branin/config.json --evaluator examples/branin/branin.mjs`.
 * The default export receives the trial's parameters (and a context with an abort signal and
 * `report(step, value)`) and returns the objective.
 */
export default async function branin({ x1, x2 }) {
  const t = x2 - (5.1 / (4 * Math.PI ** 2)) * x1 ** 2 + (5 / Math.PI) * x1 - 6;
  return t ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}
