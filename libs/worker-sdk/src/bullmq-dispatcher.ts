import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { groupBy, QUEUE_PREFIX, type TrialDispatcher, type TrialEvent, type TrialJob } from '@apiary/contracts';
import { messageOf } from './errors.js';
import { EventPublisher } from './event-publisher.js';
import { EventStreamConsumer, type EventStreamConsumerOptions } from './event-stream.js';
import { exhaustedEvents } from './failed-trial-jobs.js';
import { FINISHED_RETENTION_SECONDS, trialJobId } from './job-ids.js';
import { CANCEL_TTL_SECONDS, cancelKey, exhaustedMarkKey } from './queue-names.js';
import { bullmqConnection, type RedisConnection } from './redis-connection.js';
import { trialQueueJob } from './trial-message.js';
import { TrialDurations, type TrialPackingOptions } from './trial-packing.js';
import { TrialQueues } from './trial-queues.js';

/**
 * How long an event read by a scheduler may stay unacknowledged before another scheduler takes
 * it over: short, so that events held by a scheduler that died are handled by the next one within
 * seconds. @defaultValue of {@link BullmqDispatcherOptions.events}' `claimIdleMs`
 */
export const EVENT_CLAIM_IDLE_MS = 5000;

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
  /**
   * Packing of very short trials: several trials of one experiment in one BullMQ job, once the
   * events this dispatcher reads show that experiment's trials end within milliseconds (see
   * TrialPackingOptions). `false` gives every trial a job of its own.
   * @defaultValue on, with TrialPackingOptions' defaults
   */
  packing?: TrialPackingOptions | false;
  /** Tuning of the event stream's reader (batch size, reclaim and retry timing). @defaultValue see EventStreamConsumerOptions; claimIdleMs EVENT_CLAIM_IDLE_MS */
  events?: Partial<Pick<EventStreamConsumerOptions, 'batchSize' | 'blockMs' | 'claimIdleMs' | 'attempts' | 'retryDelayMs' | 'trimIntervalMs' | 'consumerExpiryMs'>>;
}

/**
 * The scheduler's side of the BullMQ transport. `dispatch` adds a trial to `trials.<evaluator>`
 * with the trial id as job id (so dispatching twice is a no-op) and `attempts: 1`: an evaluator
 * failure is final; `dispatchMany` adds several with one `addBulk` per evaluator, packing the
 * trials of experiments whose trials take milliseconds several to a job (`packing`; a pack's id
 * is a digest of its trial ids, so adding the same pack twice is a no-op too). Worker deaths
 * are retried: BullMQ puts a stalled job back in the queue, and the worker that picks it up fails
 * it once it has stalled more than the `maxRetries` carried in the job (see TrialMessage); the
 * trials of a pack that had already ended run again then, and the scheduler keeps their first
 * result. `cancel` removes a waiting trial's job, or asks the workers (a Redis key they check) to
 * abort it or, in a pack, to skip it. `subscribe` / `subscribeBatch` read the workers' events
 * from the event stream in batches (EventStreamConsumer), and also turn trial jobs that BullMQ
 * itself failed (its backstop stall limit, invalid data) into `failed` events with
 * `exhausted: true`, published once per trial to the stream.
 */
export class BullmqDispatcher implements TrialDispatcher {
  private readonly prefix: string;
  private readonly queues: TrialQueues;
  private readonly durations: TrialDurations | undefined;
  /** How long finished trial jobs (and exhausted-failure marks) are kept. */
  private readonly retentionSeconds: number;
  private readonly publisher: EventPublisher;
  private readonly reported = new Set<string>();
  private readonly onError: (error: Error) => void;
  private consumer: EventStreamConsumer | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: BullmqDispatcherOptions) {
    this.prefix = options.prefix ?? QUEUE_PREFIX;
    this.publisher = new EventPublisher(options.connection, this.prefix);
    this.onError = options.onError ?? ((e: Error) => process.emitWarning(e));
    this.publisher.redis.on('error', () => undefined); // reported where a command fails
    this.queues = new TrialQueues(bullmqConnection(options.connection), this.prefix, (e) => this.onError(e));
    for (const e of options.evaluators ?? []) this.queues.get(e);
    this.retentionSeconds = options.finishedRetentionSeconds ?? FINISHED_RETENTION_SECONDS;
    this.durations = options.packing === false ? undefined : new TrialDurations(options.packing);
  }

  async dispatch(job: TrialJob, options: { maxRetries: number }): Promise<void> {
    await this.dispatchMany([job], options);
  }

  async dispatchMany(jobs: readonly TrialJob[], options: { maxRetries: number }): Promise<void> {
    await Promise.all(
      [...groupBy(jobs, (job) => job.evaluator)].map(async ([evaluator, list]) => {
        const queue = this.queues.get(evaluator);
        const bulk = (this.durations ? this.durations.plan(list) : list.map((job) => [job])).map((group) => trialQueueJob(group, options.maxRetries, { retentionSeconds: this.retentionSeconds }));
        if (bulk.length === 1) await queue.add(bulk[0]!.name, bulk[0]!.data, bulk[0]!.opts);
        else await queue.addBulk(bulk);
      }),
    );
  }

  async cancel(job: Pick<TrialJob, 'experimentId' | 'trialId' | 'evaluator'>): Promise<void> {
    const queue = this.queues.get(job.evaluator);
    const id = trialJobId(job.trialId);
    const state = await queue.getJobState(id);
    if (state === 'completed' || state === 'failed') return;
    if (state === 'unknown' && !this.durations) return;
    if (state !== 'active' && state !== 'unknown' && (await queue.remove(id)) === 1) return;
    // Running (or locked while we looked), or possibly in a pack (no job of its own): ask the
    // worker to abort it, or to skip it when its pack comes to it.
    const client = await queue.getBackend().client;
    await client.set(cancelKey(this.prefix, job.trialId), '1', { EX: CANCEL_TTL_SECONDS });
  }

  async subscribe(handler: (event: TrialEvent) => Promise<void> | void): Promise<void> {
    await this.subscribeBatch(async (events) => {
      for (const event of events) await handler(event);
    });
  }

  async subscribeBatch(handler: (events: readonly TrialEvent[]) => Promise<void>): Promise<void> {
    if (this.consumer) throw new Error('BullmqDispatcher.subscribe: already subscribed');
    this.consumer = new EventStreamConsumer({
      connection: this.options.connection,
      prefix: this.prefix,
      consumer: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      claimIdleMs: EVENT_CLAIM_IDLE_MS,
      ...this.options.events,
      onError: this.onError,
    });
    const durations = this.durations;
    await this.consumer.start(
      durations
        ? async (events) => {
            durations.observe(events);
            await handler(events);
          }
        : handler,
    );
    await this.sweep();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sweepTimer);
    await Promise.allSettled([this.consumer?.close(), this.queues.close(), this.publisher.close()]);
  }

  /** Publishes an exhausted `failed` event for every trial job BullMQ failed, then re-arms. */
  private async sweep(): Promise<void> {
    try {
      for (const queue of this.queues.opened()) {
        for (const job of await queue.getFailed(0, 999)) {
          const key = `${queue.name}/${job.id ?? ''}`;
          if (this.reported.has(key)) continue;
          for (const event of exhaustedEvents(job)) await this.publisher.publishOnce(event, exhaustedMarkKey(this.prefix, event.trialId), this.retentionSeconds);
          this.reported.add(key);
        }
      }
    } catch (e) {
      if (!this.closed) this.onError(new Error(`could not check for failed trial jobs: ${messageOf(e)}`));
    }
    if (!this.closed) this.sweepTimer = setTimeout(() => void this.sweep(), this.options.failedPollMs ?? 2000);
  }
}
