import { trialsQueueName } from '@apiary/contracts';
import { Queue, type ConnectionOptions } from 'bullmq';
import type { TrialMessage, TrialPackMessage } from './trial-message.js';

/** A `trials.<evaluator>` queue, as the dispatcher and the workers add to it. */
export type TrialQueue = Queue<TrialMessage | TrialPackMessage>;

/** The trials queues a process adds to, one per evaluator, opened on first use. */
export class TrialQueues {
  private readonly queues = new Map<string, TrialQueue>();

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly prefix: string,
    private readonly onError: (error: Error, evaluator: string) => void,
  ) {}

  /** The queue of this evaluator's trials. */
  get(evaluator: string): TrialQueue {
    let q = this.queues.get(evaluator);
    if (!q) {
      q = new Queue<TrialMessage | TrialPackMessage>(trialsQueueName(evaluator), { connection: this.connection, prefix: this.prefix });
      q.on('error', (e: Error) => this.onError(e, evaluator));
      this.queues.set(evaluator, q);
    }
    return q;
  }

  /** The queues opened so far. */
  opened(): IterableIterator<TrialQueue> {
    return this.queues.values();
  }

  /** Closes every queue opened (errors ignored). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
  }
}
