import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { QueueAdminService } from '../queues/queue-admin.service.js';
import { REDIS } from '../scheduler.tokens.js';
import { TensorflowService } from './tensorflow.service.js';

/** How long a readiness check waits for Redis. */
const READY_TIMEOUT_MS = 1_500;

export interface Liveness {
  status: 'ok';
  uptimeSeconds: number;
  tensorflow: ReturnType<TensorflowService['describe']> | 'not initialised';
}

export interface Readiness {
  status: 'ready' | 'not ready';
  checks: { redis: string; queues: string };
  queues: string[];
}

/** Liveness (the process answers) and readiness (Redis reachable, queues open). */
@Injectable()
export class HealthService {
  private readonly started = Date.now();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(QueueAdminService) private readonly queues: QueueAdminService,
    @Inject(TensorflowService) private readonly tensorflow: TensorflowService,
  ) {}

  liveness(): Liveness {
    const tf = this.tensorflow.describe();
    return { status: 'ok', uptimeSeconds: Math.round((Date.now() - this.started) / 1000), tensorflow: tf.initialised || 'error' in tf ? tf : 'not initialised' };
  }

  async readiness(): Promise<Readiness> {
    const [redis, queues] = await Promise.all([check(this.redis.ping(), READY_TIMEOUT_MS), check(this.queues.ready(), READY_TIMEOUT_MS)]);
    return { status: redis === 'ok' && queues === 'ok' ? 'ready' : 'not ready', checks: { redis, queues }, queues: this.queues.names() };
  }
}

/** 'ok', or why not. */
async function check(p: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p, timeout]);
    return 'ok';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    clearTimeout(timer);
  }
}
