import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { createBullBoard } from '@bull-board/api';
import { evaluatorOfQueue, trialsQueueName } from '@apiary/contracts';
import { eventStreamDepth, eventStreamKey } from '@apiary/worker-sdk';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { throttle } from '../logging/throttle.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { SchedulerConfig } from '../scheduler.config.js';
import { REDIS, SCHEDULER_CONFIG } from '../scheduler.tokens.js';
import { BULL_BOARD } from './queues.tokens.js';

/** Job states counted for queue depth. */
const DEPTH_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;
/** How often one queue's repeated errors are logged (they repeat on every reconnection attempt). */
const ERROR_LOG_INTERVAL_MS = 10_000;
/** Rediscovery runs at most this often, however often the admin UI is opened. */
const DISCOVERY_INTERVAL_MS = 2_000;

/**
 * The queues shown in bull-board and measured for /metrics and /ready: every `trials.<evaluator>`
 * queue, found in Redis at start-up and whenever the admin UI is viewed, and added as soon as an
 * experiment names a new evaluator. The workers' events travel on a Redis Stream, not a queue:
 * its backlog is reported in the same gauge (queue `trial-events`: `waiting` not yet read by a
 * scheduler, `active` read and not yet acknowledged).
 */
@Injectable()
export class QueueAdminService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('QueueAdmin');
  private readonly queues = new Map<string, Queue>();
  private lastDiscovery = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(BULL_BOARD) private readonly board: ReturnType<typeof createBullBoard>,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.discover();
    const gauge = this.metrics.gauge({
      name: 'apiary_queue_jobs',
      help: 'Jobs in each queue by state (waiting + prioritized + delayed is the backlog). A pack of short trials is one job: apiary_trials counts trials.',
      labelNames: ['queue', 'state'] as const,
      collect: async () => {
        const depths = await this.depths();
        gauge.reset();
        for (const { queue, counts } of depths) for (const [state, n] of Object.entries(counts)) gauge.set({ queue, state }, n);
      },
    });
  }

  /** Registers `trials.<evaluator>` (an experiment names its evaluator). */
  ensureEvaluator(evaluator: string): void {
    this.ensure(trialsQueueName(evaluator));
  }

  /** Adds trials queues that exist in Redis but are not shown yet; cheap to call often. */
  async discover(force = true): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastDiscovery < DISCOVERY_INTERVAL_MS) return;
    this.lastDiscovery = now;
    // Every BullMQ queue has a `<prefix>:<name>:meta` hash (written when a Queue is opened on it).
    const head = `${this.config.redis.queuePrefix}:`;
    const tail = ':meta';
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(head)}trials.*${tail}`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const name = key.slice(head.length, -tail.length);
        if (evaluatorOfQueue(name) && !name.includes(':')) this.ensure(name);
      }
    } while (cursor !== '0');
  }

  names(): string[] {
    return [...this.queues.keys()].sort();
  }

  /** Job counts per queue, and the event stream's backlog (see the class comment). */
  async depths(): Promise<{ queue: string; counts: Record<string, number> }[]> {
    const prefix = this.config.redis.queuePrefix;
    const events = (async () => {
      const { waiting, pending } = await eventStreamDepth(this.redis, prefix);
      return { queue: eventStreamKey(prefix).slice(prefix.length + 1), counts: { waiting, active: pending } };
    })();
    return Promise.all([...[...this.queues].map(async ([queue, q]) => ({ queue, counts: await q.getJobCounts(...DEPTH_STATES) })), events]);
  }

  /** Waits until every queue's connection is open; rejects with the first failure. */
  async ready(): Promise<string[]> {
    await Promise.all([...this.queues.values()].map((q) => q.waitUntilReady()));
    return this.names();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  private ensure(name: string): void {
    if (this.queues.has(name)) return;
    const queue = new Queue(name, { connection: this.redis, prefix: this.config.redis.queuePrefix });
    queue.on('error', throttle(ERROR_LOG_INTERVAL_MS, (e: Error) => this.logger.warn({ msg: 'queue error', queue: name, error: e.message }), (e) => e.message));
    this.queues.set(name, queue);
    this.board.addQueue(new BullMQAdapter(queue));
    this.logger.log({ msg: 'queue registered', queue: name });
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
