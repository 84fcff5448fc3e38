/**
 * Queue names. Trials for evaluator `e` go to `trials.e`; every worker that serves `e` consumes it.
 * With Redis Cluster, queues share one hash tag through the BullMQ prefix (`{apiary}`), so a
 * queue's keys live in one slot.
 */
export const QUEUE_PREFIX = '{apiary}';

export function trialsQueueName(evaluator: string): string {
  return `trials.${evaluator}`;
}

/** The evaluator a trials queue serves, or null for other queues. */
export function evaluatorOfQueue(queue: string): string | null {
  return queue.startsWith('trials.') ? queue.slice('trials.'.length) : null;
}
