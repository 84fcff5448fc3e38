import { Optimizer, type GenerationStrategyOptions, type OptimizerOptions } from '@apiary/bo-core';
import type { ExperimentConfig, TrialStatus } from '@apiary/contracts';
import type { TrialRecord } from './store/store.js';

/** A fresh ask/tell optimiser for an experiment's config. */
export function createOptimizer(config: ExperimentConfig): Optimizer {
  return new Optimizer(optimizerOptions(config));
}

/** The Optimizer options of an experiment's config (plain data: they also travel to the generation thread). */
export function optimizerOptions(config: ExperimentConfig): OptimizerOptions {
  const g = config.generation;
  const strategy: GenerationStrategyOptions = { method: g.method };
  if (g.initialTrials !== undefined) strategy.initialTrials = g.initialTrials;
  if (g.modelPreset !== undefined) strategy.modelPreset = g.modelPreset;
  if (g.numRestarts !== undefined) strategy.numRestarts = g.numRestarts;
  if (g.rawSamples !== undefined) strategy.rawSamples = g.rawSamples;
  return {
    searchSpace: { parameters: config.parameters, constraints: config.parameterConstraints },
    objective: config.objective.name,
    minimize: config.objective.minimize,
    outcomeConstraints: config.outcomeConstraints,
    seed: config.seed,
    strategy,
  };
}

/** An optimiser rebuilt from stored trials, and the trial id behind each optimiser index. */
export interface RebuiltOptimizer {
  optimizer: Optimizer;
  /** `trialIds[i]` is the stored trial attached as optimiser trial i. */
  trialIds: string[];
}

/**
 * Rebuilds an experiment's optimiser from its stored trials (after a restart, or to continue a
 * stopped experiment): every trial is attached in index order with its state, generator and
 * unit point, so the Sobol stream continues where it was and models fit the same numbers.
 * Trials still in flight become pending points.
 */
export function rebuildOptimizer(config: ExperimentConfig, trials: readonly TrialRecord[]): RebuiltOptimizer {
  const optimizer = createOptimizer(config);
  const sorted = [...trials].sort((a, b) => a.index - b.index);
  for (const t of sorted) {
    const status = OPTIMIZER_STATUS[t.status];
    optimizer.attachTrial(t.parameters, {
      status,
      generator: t.generator,
      unit: t.unit,
      ...(status === 'completed' ? { values: t.values ?? {} } : {}),
      ...(t.error !== undefined ? { error: t.error } : {}),
    });
  }
  return { optimizer, trialIds: sorted.map((t) => t.id) };
}

const OPTIMIZER_STATUS: Record<TrialStatus, 'running' | 'completed' | 'failed' | 'abandoned'> = {
  CANDIDATE: 'running',
  QUEUED: 'running',
  RUNNING: 'running',
  STALE: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  ABANDONED: 'abandoned',
};
