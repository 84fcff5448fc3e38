import type { TrialDispatcher } from '@apiary/contracts';
import type { ExperimentRunner, ExperimentStore } from '@apiary/engine';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { EXPERIMENT_RUNNER, EXPERIMENT_STORE, REDIS, TRIAL_DISPATCHER } from '../scheduler.tokens.js';
import { CoreOwnership } from './core-ownership.js';

/** How long a polite QUIT may take before the connection is simply dropped. */
const QUIT_TIMEOUT_MS = 2_000;

/**
 * Closes the runner (its experiments stay RUNNING in the store, for the next start), then what the
 * app opened: the dispatcher and the store before the HTTP server stops, Redis last.
 */
@Injectable()
export class CoreShutdownService implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(EXPERIMENT_RUNNER) private readonly runner: ExperimentRunner,
    @Inject(TRIAL_DISPATCHER) private readonly dispatcher: TrialDispatcher,
    @Inject(EXPERIMENT_STORE) private readonly store: ExperimentStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CoreOwnership) private readonly owned: CoreOwnership,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.close();
    if (this.owned.dispatcher) await this.dispatcher.close();
    if (this.owned.store) await this.store.close();
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.owned.redis || this.redis.status === 'end') return;
    // QUIT waits for a connection: while Redis is away (reconnecting) it would wait for ever.
    if (this.redis.status !== 'ready') return this.redis.disconnect();
    const timer = setTimeout(() => this.redis.disconnect(), QUIT_TIMEOUT_MS);
    await this.redis.quit().catch(() => this.redis.disconnect());
    clearTimeout(timer);
  }
}
