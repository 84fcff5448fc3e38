import { SearchSpace, SearchSpaceError } from '@apiary/bo-core';
import { z } from 'zod';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const EVALUATOR = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const bounds = z.tuple([z.number(), z.number()]);

/** A continuous parameter; `log: true` searches it on a log scale (bounds must be positive). */
export const RangeParameterSchema = z.object({ name: z.string(), type: z.literal('range'), bounds, log: z.boolean().optional() }).strict();
/** An integer parameter, bounds inclusive. */
export const IntParameterSchema = z.object({ name: z.string(), type: z.literal('int'), bounds, log: z.boolean().optional() }).strict();
/** A categorical parameter (`ordered` for ordinal values). */
export const ChoiceParameterSchema = z.object({ name: z.string(), type: z.literal('choice'), values: z.array(scalar), ordered: z.boolean().optional() }).strict();
/** A parameter held at one value. */
export const FixedParameterSchema = z.object({ name: z.string(), type: z.literal('fixed'), value: scalar }).strict();

export const ParameterSchema = z.discriminatedUnion('type', [RangeParameterSchema, IntParameterSchema, ChoiceParameterSchema, FixedParameterSchema]);

/** `sum_i coefficients[name_i] * value_i <= bound` over range and int parameters. */
export const ParameterConstraintSchema = z.object({ coefficients: z.record(z.string(), z.number()), bound: z.number() }).strict();

/** `metric <= bound` on a metric the evaluator reports besides the objective. */
export const OutcomeConstraintSchema = z.object({ metric: z.string().min(1), bound: z.number() }).strict();

export const GenerationSchema = z
  .object({
    method: z.enum(['qlognei', 'thompson', 'sobol']).default('qlognei'),
    initialTrials: z.number().int().min(1).optional(),
    modelPreset: z.enum(['default', 'botorch', 'matern-gamma']).optional(),
    numRestarts: z.number().int().min(1).optional(),
    rawSamples: z.number().int().min(1).optional(),
    /**
     * Async mode: when the qLogNEI step that would refill the free slots is expected to take
     * longer than this fraction of the median trial duration, the refill comes from Thompson
     * sampling on the same model instead; `null` never falls back. @defaultValue 0.1
     */
    refillBudgetFraction: z.number().min(0).nullable().optional(),
  })
  .strict();

/** @defaultValue of the generation's `refillBudgetFraction`. */
export const DEFAULT_REFILL_BUDGET_FRACTION = 0.1;

/**
 * An experiment: what to tune, what to measure, how many trials, and which evaluator runs them.
 * Defaults are filled in by parsing; deep checks of the search space (bounds order, log scales,
 * choices, constraint feasibility) are bo-core's SearchSpace rules, reported at their field.
 */
export const ExperimentConfigSchema = z
  .object({
    name: z.string().regex(NAME, 'a name of letters, digits, _ . - (at most 100, starting with a letter or digit)'),
    parameters: z.array(ParameterSchema).min(1, 'at least one parameter'),
    parameterConstraints: z.array(ParameterConstraintSchema).default([]),
    objective: z.object({ name: z.string().min(1), minimize: z.boolean().default(true) }).strict(),
    outcomeConstraints: z.array(OutcomeConstraintSchema).default([]),
    /** Total trials to run. */
    budget: z.number().int().min(1, 'budget must be at least 1'),
    /** q: points proposed together. @defaultValue 1 */
    batchSize: z.number().int().min(1).default(1),
    /** Trials in flight at once. @defaultValue batchSize */
    parallelism: z.number().int().min(1).optional(),
    /** `batch`: wait for the whole q-batch; `async`: refill as results arrive. @defaultValue 'async' */
    mode: z.enum(['batch', 'async']).default('async'),
    seed: z.number().int().default(0),
    generation: GenerationSchema.default({ method: 'qlognei' }),
    /** The evaluator's registered name (workers map names to code; the API never takes code). */
    evaluator: z.string().regex(EVALUATOR, 'an evaluator name of lowercase letters, digits, _ and - (at most 64)'),
    /** Time limit of one trial. @defaultValue 600000 (10 minutes) */
    trialTimeoutMs: z.number().int().min(1).default(600_000),
    /** Attempts after the first when a worker dies mid-trial. @defaultValue 2 */
    maxRetries: z.number().int().min(0).default(2),
    /** Stop the experiment once this fraction of finished trials failed (after at least 5). @defaultValue 0.5 */
    maxFailureRate: z.number().min(0).max(1).default(0.5),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    try {
      new SearchSpace({ parameters: cfg.parameters, constraints: cfg.parameterConstraints });
    } catch (e) {
      if (!(e instanceof SearchSpaceError)) throw e;
      for (const p of e.problems) {
        const path = p.path.replace(/^constraints/, 'parameterConstraints').split(/[.[\]]/).filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        ctx.addIssue({ code: 'custom', path, message: p.message });
      }
    }
    const names = new Set(cfg.parameters.map((p) => p.name));
    if (names.has(cfg.objective.name)) ctx.addIssue({ code: 'custom', path: ['objective', 'name'], message: `'${cfg.objective.name}' is also a parameter name` });
    cfg.outcomeConstraints.forEach((c, i) => {
      if (c.metric === cfg.objective.name) ctx.addIssue({ code: 'custom', path: ['outcomeConstraints', i, 'metric'], message: 'is the objective; constrain another metric' });
    });
  })
  .transform((cfg) => ({ ...cfg, parallelism: cfg.parallelism ?? cfg.batchSize }));

/** A config as the user writes it (defaults optional). */
export type ExperimentConfigInput = z.input<typeof ExperimentConfigSchema>;
/** A parsed config, every default filled in. */
export type ExperimentConfig = z.output<typeof ExperimentConfigSchema>;
export type Parameter = z.output<typeof ParameterSchema>;
