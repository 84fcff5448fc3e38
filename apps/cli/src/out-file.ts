import type { ExperimentConfig } from '@apiary/contracts';
import type { TrialRecord } from '@apiary/engine';

/**
 * The `--out` JSON (its shape is fixed: other tools read it):
 * `{"config", "trials":[{"index","parameters","status","values","error","startedAt","finishedAt","worker"}],
 *   "best":{"index","parameters","values"}}` — parameters in the user's units and types, times as
 * ISO-8601 strings (null when unknown).
 */
export interface OutFile {
  config: ExperimentConfig;
  trials: OutTrial[];
  best: { index: number; parameters: TrialRecord['parameters']; values: Record<string, number> } | null;
}

export interface OutTrial {
  index: number;
  parameters: TrialRecord['parameters'];
  status: TrialRecord['status'];
  values: Record<string, number> | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  worker: string | null;
}

export function buildOutFile(config: ExperimentConfig, trials: readonly TrialRecord[], best: TrialRecord | null): OutFile {
  const iso = (t: number | undefined): string | null => (t === undefined ? null : new Date(t).toISOString());
  return {
    config,
    trials: [...trials]
      .sort((a, b) => a.index - b.index)
      .map((t) => ({
        index: t.index,
        parameters: t.parameters,
        status: t.status,
        values: t.values ?? null,
        error: t.error ?? null,
        startedAt: iso(t.startedAt),
        finishedAt: iso(t.finishedAt),
        worker: t.worker ?? null,
      })),
    best: best && best.values ? { index: best.index, parameters: best.parameters, values: best.values } : null,
  };
}
