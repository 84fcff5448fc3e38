import type { TrialEvent } from '@apiary/contracts';
import { Queue, type JobsOptions } from 'bullmq';
import { eventJobId } from './job-ids.js';
import { EVENT_RETENTION_SECONDS, RESULTS_QUEUE } from './queue-names.js';
import { bullmqConnection, type RedisConnection } from './redis-connection.js';

/**
 * Options of every event job: kept a while after consumption (so that a duplicate is recognised
 * by its job id), and retried with backoff when the subscriber's handler throws.
 */
const EVENT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: EVENT_RETENTION_SECONDS },
  removeOnFail: { age: 7 * EVENT_RETENTION_SECONDS },
};

/** Publishes TrialEvents to the durable `results` queue. */
export class EventPublisher {
  readonly queue: Queue<TrialEvent>;

  constructor(connection: RedisConnection, prefix: string) {
    this.queue = new Queue<TrialEvent>(RESULTS_QUEUE, { connection: bullmqConnection(connection), prefix });
  }

  /** Adds the event; an event with the same job id (see eventJobId) already there is kept instead. */
  async publish(event: TrialEvent, jobId: string = eventJobId(event)): Promise<void> {
    await this.queue.add(event.kind, event, { ...EVENT_JOB_OPTIONS, jobId });
  }

  /** Closes the queue's connection. */
  close(): Promise<void> {
    return this.queue.close();
  }
}
