import type { TrialEvent } from '@apiary/contracts';

/**
 * BullMQ job ids of trials and events. BullMQ rejects custom ids that parse as integers ("42",
 * "-7") or that contain `:`, so a trial id is escaped — injectively, and unchanged in the common
 * case — by percent-encoding `%` and `:`, and, for an id BullMQ would read as an integer, its
 * first character ("42" → "%342").
 */
export function trialJobId(trialId: string): string {
  const escaped = trialId.replace(/%/g, '%25').replace(/:/g, '%3A');
  if (String(Number.parseInt(escaped, 10)) !== escaped) return escaped;
  return `%${escaped.charCodeAt(0).toString(16).toUpperCase()}${escaped.slice(1)}`;
}

/**
 * The results-queue job id of an event: unique per trial, kind and attempt, so that an event
 * published again (by a worker that died after publishing) is deduplicated by BullMQ.
 * Intermediate values carry their step and time instead.
 */
export function eventJobId(event: TrialEvent): string {
  const trial = trialJobId(event.trialId);
  if (event.kind === 'intermediate') return `${trial}.intermediate.${event.step}.${event.at}`;
  return `${trial}.${event.kind}.${event.attempt}`;
}

/** The job id of the `failed` event the dispatcher publishes for a trial job that BullMQ itself failed. */
export function exhaustedEventJobId(trialId: string): string {
  return `${trialJobId(trialId)}.failed.exhausted`;
}
