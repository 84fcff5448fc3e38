import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { QUEUE_PREFIX, trialsQueueName, type TrialEvent } from '@apiary/contracts';
import { Worker } from 'bullmq';
import { messageOf } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { EventPublisher } from './event-publisher.js';
import { shutdownReason } from './execute-trial.js';
import { cancelKey } from './queue-names.js';
import { bullmqConnection, type RedisConnection } from './redis-connection.js';
import { trialQueueJob } from './trial-message.js';
import { TrialQueues } from './trial-queues.js';
import { DEFAULT_PACK_SPLIT_AFTER_MS, DEFAULT_PACK_SPREAD_MS, trialProcessor } from './trial-processor.js';

/**
 * BullMQ's own stall limit on trial queues. It is set far above any per-trial `maxRetries`, which
 * the worker enforces itself (see TrialMessage), so BullMQ fails a job for stalling only as a
 * backstop.
 */
export const BULLMQ_MAX_STALLED_COUNT = 1000;

/** How long a trial runs before its `started` event is published (see RunWorkerOptions). */
export const DEFAULT_STARTED_EVENT_DELAY_MS = 100;

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** The evaluators this worker serves, by name; each consumes `trials.<name>`. */
  evaluators: Readonly<Record<string, Evaluator>>;
  /** Trials run at once per evaluator. @defaultValue 1 */
  concurrency?: number;
  /** The name in events and in BullMQ's `processedBy`. @defaultValue `<hostname>:<pid>` */
  workerName?: string;
  /**
   * How long a trial's lock lasts without renewal; a worker that dies is noticed this long (plus
   * up to two `stalledIntervalMs`) later and its trial retried elsewhere. @defaultValue 30000
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled trials (of any worker). @defaultValue lockDurationMs */
  stalledIntervalMs?: number;
  /** The objective's name of an experiment, when the worker knows it. @defaultValue none: see normalizeOutcome */
  objectiveFor?: (experimentId: string) => string | undefined;
  /** Worker losses a trial survives when its job does not say (jobs from BullmqDispatcher do). @defaultValue 2 */
  defaultMaxRetries?: number;
  /** How long `close()` lets running trials finish before aborting them. @defaultValue 30000 */
  drainTimeoutMs?: number;
  /** How often a running trial checks whether it was cancelled. @defaultValue 1000 */
  cancelPollMs?: number;
  /**
   * A trial's `started` event is published once it has run this long (or reported a value); one
   * that ends sooner publishes only its end event, which carries the start time and this worker.
   * Short trials then cost one event instead of two; the scheduler shows them QUEUED until then.
   * 0 publishes it at once. @defaultValue 100
   */
  startedEventDelayMs?: number;
  /**
   * A trial of a pack (several short trials in one job, see BullmqDispatcher's `packing`) that
   * runs this long hands the trials behind it back to the queue, for any free slot.
   * @defaultValue 100
   */
  packSplitAfterMs?: number;
  /**
   * A pack whose remaining trials are expected to take longer than this (their number × the mean
   * of those run so far, ms) hands half of them back when the trials queue is empty, so that idle
   * slots share them. @defaultValue 10
   */
  packSpreadMs?: number;
  /** BullMQ key prefix; tests use their own. @defaultValue QUEUE_PREFIX */
  prefix?: string;
  /** Called after each event is published (logging). @defaultValue none */
  onEvent?: (event: TrialEvent, evaluator: string) => void;
  /** Connection and processing errors. @defaultValue `process.emitWarning` */
  onError?: (error: Error) => void;
}

/** A running worker. */
export interface WorkerHandle {
  /** The worker's name. */
  readonly name: string;
  /**
   * Stops gracefully: takes no new trials, lets running ones finish for up to `drainTimeoutMs`,
   * then aborts them (they go back to their queue for another worker) and disconnects. Calling it
   * again with a shorter timeout hurries the shutdown under way.
   */
  close(options?: { drainTimeoutMs?: number }): Promise<void>;
}

/**
 * Serves evaluators from BullMQ: one Worker per evaluator on `trials.<name>`, publishing
 * `started` (after `startedEventDelayMs`), `intermediate`, `completed` and `failed` TrialEvents
 * to the event stream (one XADD each, auto-pipelined across the trials running at once).
 * Resolves once connected to Redis.
 */
export async function runWorker(options: RunWorkerOptions): Promise<WorkerHandle> {
  const names = Object.keys(options.evaluators);
  if (names.length === 0) throw new Error('runWorker: no evaluators to serve');
  const prefix = options.prefix ?? QUEUE_PREFIX;
  const workerName = options.workerName ?? `${hostname()}:${process.pid}`;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const onError = options.onError ?? ((e: Error) => process.emitWarning(e));
  const connection = bullmqConnection(options.connection);
  const publisher = new EventPublisher(options.connection, prefix);
  publisher.redis.on('error', (e: Error) => onError(new Error(`event stream connection: ${e.message}`)));
  const defaultMaxRetries = options.defaultMaxRetries ?? 2;
  const shutdown = new AbortController();
  // Every running trial listens to it (more than 10 at concurrency > 10): no leak warning.
  setMaxListeners(0, shutdown.signal);

  /** Which of these trials have a cancel mark (one MGET). */
  const cancelledAmong = async (trialIds: readonly string[]): Promise<Set<string>> => {
    const marks = await publisher.redis.mget(trialIds.map((id) => cancelKey(prefix, id)));
    return new Set(trialIds.filter((_, i) => marks[i] !== null));
  };

  // Queues to hand back the rest of a trial pack (see TrialProcessorContext.handBack), opened on first use.
  const queues = new TrialQueues(connection, prefix, (e, evaluatorName) => onError(new Error(`trials queue ${evaluatorName}: ${e.message}`)));

  const workers = Object.entries(options.evaluators).map(([evaluatorName, evaluator]) => {
    const processor = trialProcessor({
      evaluator,
      worker: workerName,
      publish: async (event) => {
        await publisher.publish(event);
        options.onEvent?.(event, evaluatorName);
      },
      objectiveFor: options.objectiveFor,
      defaultMaxRetries,
      shutdown: shutdown.signal,
      isCancelled: async (trialId) => (await cancelledAmong([trialId])).has(trialId),
      cancelledAmong,
      cancelPollMs: options.cancelPollMs ?? 1000,
      onPublishError: (e) => onError(new Error(`could not publish an intermediate value: ${messageOf(e)}`)),
      startedDelayMs: options.startedEventDelayMs ?? DEFAULT_STARTED_EVENT_DELAY_MS,
      handBack: async (jobs, maxRetries, attempt) => {
        const { name, data, opts } = trialQueueJob(jobs, maxRetries ?? defaultMaxRetries, { asPack: true, firstAttempt: attempt });
        await queues.get(evaluatorName).add(name, data, opts);
      },
      packSplitAfterMs: options.packSplitAfterMs ?? DEFAULT_PACK_SPLIT_AFTER_MS,
      queueIsEmpty: async () => (await queues.get(evaluatorName).getWaitingCount()) === 0,
      packSpreadMs: options.packSpreadMs ?? DEFAULT_PACK_SPREAD_MS,
      onError,
    });
    const worker = new Worker(trialsQueueName(evaluatorName), processor, {
      connection,
      prefix,
      name: workerName,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: options.stalledIntervalMs ?? lockDuration,
      maxStalledCount: BULLMQ_MAX_STALLED_COUNT,
    });
    worker.on('error', onError);
    worker.on('failed', (job, error) => onError(new Error(`trial job ${job?.id ?? '?'} of ${evaluatorName} failed in the worker: ${error.message}`)));
    return worker;
  });

  try {
    await Promise.all([publisher.waitUntilReady(), ...workers.map((w) => w.waitUntilReady())]);
  } catch (e) {
    await Promise.allSettled([...workers.map((w) => w.close(true)), publisher.close()]);
    throw e;
  }

  let closing: Promise<void> | undefined;
  const timers: NodeJS.Timeout[] = [];
  return {
    name: workerName,
    close(closeOptions = {}) {
      // Each call arms its own deadline, so a second, shorter close (a second Ctrl-C) hurries the first.
      const drainTimeout = closeOptions.drainTimeoutMs ?? options.drainTimeoutMs ?? 30_000;
      timers.push(setTimeout(() => shutdown.abort(shutdownReason()), drainTimeout));
      closing ??= (async () => {
        try {
          await Promise.all(workers.map((w) => w.close()));
        } finally {
          await queues.close();
          for (const t of timers) clearTimeout(t);
          await publisher.close();
        }
      })();
      return closing;
    },
  };
}
