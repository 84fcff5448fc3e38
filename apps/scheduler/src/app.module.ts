import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { SchedulerCoreModule, type SchedulerCoreOptions } from './core/scheduler-core.module.js';
import { ExperimentsModule } from './experiments/experiments.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { QueuesModule } from './queues/queues.module.js';

/** The scheduler: REST API, health, metrics, queue admin, all behind the bearer token. */
@Module({})
export class AppModule {
  static forRoot(options: SchedulerCoreOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [MetricsModule, SchedulerCoreModule.forRoot(options), AuthModule, QueuesModule, ExperimentsModule, HealthModule],
    };
  }
}
