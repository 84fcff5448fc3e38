import type { ExperimentConfig } from '@apiary/contracts';
import type { TrialRecord } from './store/store.js';

/** Formats {@link ExperimentRunner.exportTrials} writes. */
export type TrialExportFormat = 'json' | 'csv';

/**
 * Trials as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or line
 * break quoted, quotes doubled). Columns: index, status, each parameter in config order, each
 * metric (the objective, the constrained metrics, then any other reported metric by name), error,
 * startedAt, finishedAt (ISO 8601, UTC), worker. Missing values are empty fields.
 */
export function trialsToCsv(config: ExperimentConfig, trials: readonly TrialRecord[]): string {
  const parameters = config.parameters.map((p) => p.name);
  const known = [config.objective.name, ...config.outcomeConstraints.map((c) => c.metric)];
  const extra = new Set<string>();
  for (const t of trials) for (const k of Object.keys(t.values ?? {})) if (!known.includes(k)) extra.add(k);
  const metrics = [...new Set([...known, ...[...extra].sort()])];
  const header = ['index', 'status', ...parameters, ...metrics, 'error', 'startedAt', 'finishedAt', 'worker'];
  const rows = trials.map((t) => [
    t.index,
    t.status,
    ...parameters.map((p) => t.parameters[p]),
    ...metrics.map((m) => t.values?.[m]),
    t.error,
    isoTime(t.startedAt),
    isoTime(t.finishedAt),
    t.worker,
  ]);
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Trials as a JSON array of the stored records, indented. */
export function trialsToJson(trials: readonly TrialRecord[]): string {
  return JSON.stringify(trials, null, 2);
}

/** One CSV field, quoted when it must be. */
export function csvField(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}
