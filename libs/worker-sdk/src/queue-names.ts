/** The queue every worker publishes TrialEvents to and the dispatcher consumes, in order. */
export const RESULTS_QUEUE = 'results';

/** Seconds a consumed event is kept so that a re-published duplicate is recognised. @defaultValue one day */
export const EVENT_RETENTION_SECONDS = 24 * 3600;

/** Redis key that asks the workers to abort a running trial (set by `cancel`, polled while it runs). */
export function cancelKey(prefix: string, trialId: string): string {
  return `${prefix}:cancel:${trialId}`;
}

/** Seconds a cancellation request stays in Redis. */
export const CANCEL_TTL_SECONDS = 24 * 3600;
