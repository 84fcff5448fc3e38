import type { TrialEvent } from '@apiary/contracts';

/** Where the worker writes its JSON lines. */
export interface LogSink {
  (line: string): void;
}

/** One structured log line: time, level, message and fields, as JSON. */
export function logLine(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
}

/**
 * The log line of a trial that ended (one per trial), or null for other events:
 * `{"msg":"trial completed","evaluator":…,"trialId":…,"durationMs":…,"values":{…}}` or
 * `{"level":"warn","msg":"trial failed",…,"reason":…,"exhausted":false}`.
 */
export function trialLogLine(event: TrialEvent, evaluator: string): string | null {
  const base = { evaluator, experimentId: event.experimentId, trialId: event.trialId };
  if (event.kind === 'completed') {
    return logLine('info', 'trial completed', { ...base, attempt: event.attempt, worker: event.worker, durationMs: event.at - event.startedAt, values: event.outcome.values });
  }
  if (event.kind === 'failed') {
    const durationMs = event.startedAt === null ? null : event.at - event.startedAt;
    return logLine('warn', 'trial failed', { ...base, attempt: event.attempt, worker: event.worker, durationMs, reason: event.reason, exhausted: event.exhausted });
  }
  return null;
}
