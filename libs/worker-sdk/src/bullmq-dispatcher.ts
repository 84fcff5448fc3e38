import { QUEUE_PREFIX, trialsQueueName, type TrialDispatcher, type TrialEvent, type TrialJob } from '@apiary/contracts';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { messageOf } from './errors.js';
import { EventPublisher } from './event-publisher.js';
import { exhaustedEvent } from './failed-trial-jobs.js';
import { exhaustedEventJobId, trialJobId } from './job-ids.js';
import { CANCEL_TTL_SECONDS, RESULTS_QUEUE, cancelKey } from './queue-names.js';
import { bullmqConnection, type RedisConnection } from './redis-connection.js';
import { toTrialMessage, type TrialMessage } from './trial-message.js';

/** Options of {@link BullmqDispatcher}. */
/**
 * Lock settings of the scheduler's results consumer: a short lock, so an event held by a scheduler
 * that died is handed to the next one within seconds (not BullMQ's default 30 s lock + 30 s
 * check), and a high stall limit, so such an event is never dropped.
 */
export const RESULTS_CONSUMER_LOCK = { lockDuration: 5000, stalledInterval: 5000, maxStalledCount: 1000 } as const;

export interface BullmqDispatcherOptions {
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** BullMQ key prefix; tests use their own. @defaultValue QUEUE_PREFIX */
  prefix?: string;
  /** Evaluators whose failed trial jobs are watched from the start (those dispatched to are added). @defaultValue [] */
  evaluators?: readonly string[];
  /** How often the trials queues are checked for jobs BullMQ failed. @defaultValue 2000 */
  failedPollMs?: number;
  /** How long finished trial jobs are kept (re-dispatching a kept trial is a no-op). @defaultValue 604800 (7 days) */
  finishedRetentionSeconds?: number;
  /** Errors of the subscription (a handler that kept failing, Redis errors). @defaultValue `process.emitWarning` */
  onError?: (error: Error) => void;
}

const EVENT_KINDS = new Set(['started', 'intermediate', 'completed', 'failed']);

/**
 * The scheduler's side of the BullMQ transport. `dispatch` adds a trial to `trials.<evaluator>`
 * with the trial id as job id (so dispatching twice is a no-op) and `attempts: 1`: an evaluator
 * failure is final. Worker deaths are retried: BullMQ puts a stalled job back in the queue, and
 * the worker that picks it up fails it once it has stalled more than the `maxRetries` carried in
 * the job (see TrialMessage). `subscribe` consumes the `results` queue in order, and also turns
 * trial jobs that BullMQ itself failed (its backstop stall limit, invalid data) into `failed`
 * events with `exhausted: true`, published through the same queue.
 */
export class BullmqDispatcher implements TrialDispatcher {
  private readonly prefix: string;
  private readonly queues = new Map<string, Queue<TrialMessage>>();
  private readonly publisher: EventPublisher;
  private readonly reported = new Set<string>();
  private readonly onError: (error: Error) => void;
  private consumer: Worker<TrialEvent> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: BullmqDispatcherOptions) {
    this.prefix = options.prefix ?? QUEUE_PREFIX;
    this.publisher = new EventPublisher(options.connection, this.prefix);
    this.onError = options.onError ?? ((e: Error) => process.emitWarning(e));
    for (const e of options.evaluators ?? []) this.queue(e);
  }

  async dispatch(job: TrialJob, options: { maxRetries: number }): Promise<void> {
    const message = toTrialMessage(job, options.maxRetries);
    const age = this.options.finishedRetentionSeconds ?? 7 * 24 * 3600;
    await this.queue(job.evaluator).add('trial', message, {
      jobId: trialJobId(job.trialId),
      attempts: 1,
      removeOnComplete: { age },
      removeOnFail: { age },
    });
  }

  async cancel(job: Pick<TrialJob, 'experimentId' | 'trialId' | 'evaluator'>): Promise<void> {
    const queue = this.queue(job.evaluator);
    const id = trialJobId(job.trialId);
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed' || state === 'unknown') return;
    if (state !== 'active' && (await queue.remove(id)) === 1) return;
    // Running (or locked while we looked): ask the worker running it to abort it.
    const client = await queue.getBackend().client;
    await client.set(cancelKey(this.prefix, job.trialId), '1', { EX: CANCEL_TTL_SECONDS });
  }

  async subscribe(handler: (event: TrialEvent) => Promise<void> | void): Promise<void> {
    if (this.consumer) throw new Error('BullmqDispatcher.subscribe: already subscribed');
    this.consumer = new Worker<TrialEvent>(
      RESULTS_QUEUE,
      async (job) => {
        if (!isTrialEvent(job.data)) throw new UnrecoverableError(`results job ${job.id ?? ''} is not a TrialEvent`);
        await handler(job.data);
      },
      { connection: bullmqConnection(this.options.connection), prefix: this.prefix, concurrency: 1, name: 'dispatcher', ...RESULTS_CONSUMER_LOCK },
    );
    this.consumer.on('error', this.onError);
    this.consumer.on('failed', (job, error) => {
      if (job && (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))) this.onError(new Error(`event ${job.id ?? ''} was not handled: ${error.message}`));
    });
    await this.consumer.waitUntilReady();
    await this.sweep();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sweepTimer);
    await Promise.allSettled([this.consumer?.close(), ...[...this.queues.values()].map((q) => q.close()), this.publisher.close()]);
  }

  private queue(evaluator: string): Queue<TrialMessage> {
    let q = this.queues.get(evaluator);
    if (!q) {
      q = new Queue<TrialMessage>(trialsQueueName(evaluator), { connection: bullmqConnection(this.options.connection), prefix: this.prefix });
      q.on('error', this.onError);
      this.queues.set(evaluator, q);
    }
    return q;
  }

  /** Publishes an exhausted `failed` event for every trial job BullMQ failed, then re-arms. */
  private async sweep(): Promise<void> {
    try {
      for (const queue of this.queues.values()) {
        for (const job of await queue.getFailed(0, 999)) {
          const key = `${queue.name}/${job.id ?? ''}`;
          if (this.reported.has(key)) continue;
          const event = exhaustedEvent(job);
          await this.publisher.publish(event, exhaustedEventJobId(event.trialId));
          this.reported.add(key);
        }
      }
    } catch (e) {
      if (!this.closed) this.onError(new Error(`could not check for failed trial jobs: ${messageOf(e)}`));
    }
    if (!this.closed) this.sweepTimer = setTimeout(() => void this.sweep(), this.options.failedPollMs ?? 2000);
  }
}

function isTrialEvent(data: unknown): data is TrialEvent {
  if (data === null || typeof data !== 'object') return false;
  const d = data as Record<string, unknown>;
  return typeof d['kind'] === 'string' && EVENT_KINDS.has(d['kind']) && typeof d['trialId'] === 'string' && typeof d['experimentId'] === 'string';
}
