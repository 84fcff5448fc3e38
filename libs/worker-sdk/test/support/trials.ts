import type { ParameterValues, TrialJob } from '@apiary/contracts';

/** A trial job for tests. */
export function trialJob(trialId: string, parameters: ParameterValues, overrides: Partial<TrialJob> = {}): TrialJob {
  return { experimentId: 'exp-1', trialId, index: 0, evaluator: 'demo', parameters, timeoutMs: 10_000, ...overrides };
}

/** `n` trial jobs of one experiment, ids `<experimentId>-<i>`, parameter `x` = i. */
export function jobsOf(experimentId: string, n: number, from = 0): TrialJob[] {
  return Array.from({ length: n }, (_, k) => trialJob(`${experimentId}-${from + k}`, { x: from + k }, { experimentId, index: from + k }));
}

/** Fixture files. */
export const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;
