/**
 * The Redis Stream every worker appends TrialEvents to (`<prefix>:trial-events`), read by the
 * schedulers through one consumer group. It shares the queues' prefix, and so their hash tag.
 */
export function eventStreamKey(prefix: string): string {
  return `${prefix}:trial-events`;
}

/** The consumer group of the schedulers on the event stream (they share the events, each taken once). */
export const EVENT_GROUP = 'schedulers';

/** Redis key that asks the workers to abort a running trial (set by `cancel`, polled while it runs). */
export function cancelKey(prefix: string, trialId: string): string {
  return `${prefix}:cancel:${trialId}`;
}

/** Seconds a cancellation request stays in Redis. */
export const CANCEL_TTL_SECONDS = 24 * 3600;

/** Redis key that marks the exhausted `failed` event of a trial as published (so it is published once). */
export function exhaustedMarkKey(prefix: string, trialId: string): string {
  return `${prefix}:exhausted:${trialId}`;
}
