import type { TrialDispatcher } from '@apiary/contracts';
import { ExperimentRunner, RedisStore, type ExperimentStore } from '@apiary/engine';
import { BullmqDispatcher } from '@apiary/worker-sdk';
import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { Redis } from 'ioredis';
import { EngineLoggerAdapter } from '../logging/engine-logger.adapter.js';
import { throttle } from '../logging/throttle.js';
import { RunnerMetricsService } from '../metrics/runner-metrics.service.js';
import type { SchedulerConfig } from '../scheduler.config.js';
import { EXPERIMENT_RUNNER, EXPERIMENT_STORE, REDIS, SCHEDULER_CONFIG, TRIAL_DISPATCHER } from '../scheduler.tokens.js';
import { CoreOwnership } from './core-ownership.js';
import { CoreShutdownService } from './core-shutdown.service.js';

/** What the scheduler runs on; anything not given is built from the config (and closed with the app). */
export interface SchedulerCoreOptions {
  config: SchedulerConfig;
  /** The Redis client of the store, the queue admin and /ready. @defaultValue a client on `config.redis.url` */
  redis?: Redis;
  /** @defaultValue a RedisStore on that client, keys under `config.redis.prefix` */
  store?: ExperimentStore;
  /** @defaultValue a BullmqDispatcher on `config.redis.url`, keys under `config.redis.queuePrefix` */
  dispatcher?: TrialDispatcher;
}

/** How often repeated connection errors are logged (ioredis reports every reconnection attempt). */
const REDIS_ERROR_LOG_INTERVAL_MS = 10_000;

function openRedis(url: string): Redis {
  const logger = new Logger('Redis');
  const redis = new Redis(url);
  let failing = false;
  const report = throttle(REDIS_ERROR_LOG_INTERVAL_MS, (e: Error) => logger.error({ msg: 'Redis connection error', error: e.message }));
  redis.on('error', (e: Error) => {
    failing = true;
    report(e);
  });
  redis.on('ready', () => {
    if (failing) logger.log({ msg: 'Redis connection restored' });
    failing = false;
    report.reset();
  });
  return redis;
}

/** The config, Redis, the store, the dispatcher and the engine's ExperimentRunner, for every module. */
@Global()
@Module({})
export class SchedulerCoreModule {
  static forRoot(options: SchedulerCoreOptions): DynamicModule {
    const { config } = options;
    return {
      module: SchedulerCoreModule,
      providers: [
        { provide: SCHEDULER_CONFIG, useValue: config },
        { provide: CoreOwnership, useValue: new CoreOwnership(!options.redis, !options.store, !options.dispatcher) },
        { provide: REDIS, useFactory: () => options.redis ?? openRedis(config.redis.url) },
        {
          provide: EXPERIMENT_STORE,
          useFactory: (redis: Redis) => options.store ?? new RedisStore({ redis, prefix: config.redis.prefix }),
          inject: [REDIS],
        },
        {
          provide: TRIAL_DISPATCHER,
          useFactory: () => {
            if (options.dispatcher) return options.dispatcher;
            const logger = new Logger('Dispatcher');
            const onError = throttle(REDIS_ERROR_LOG_INTERVAL_MS, (e: Error) => logger.error({ msg: e.message }), (e) => e.message);
            return new BullmqDispatcher({ connection: config.redis.url, prefix: config.redis.queuePrefix, onError, ...(config.trialPacking ? {} : { packing: false }) });
          },
        },
        RunnerMetricsService,
        {
          provide: EXPERIMENT_RUNNER,
          useFactory: (store: ExperimentStore, dispatcher: TrialDispatcher, metrics: RunnerMetricsService) =>
            new ExperimentRunner({ store, dispatcher, logger: new EngineLoggerAdapter('Engine'), onEvent: (e) => metrics.observe(e), generationThread: true }),
          inject: [EXPERIMENT_STORE, TRIAL_DISPATCHER, RunnerMetricsService],
        },
        CoreShutdownService,
      ],
      exports: [SCHEDULER_CONFIG, REDIS, EXPERIMENT_STORE, TRIAL_DISPATCHER, EXPERIMENT_RUNNER],
    };
  }
}
