import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { QueuesModule } from '../queues/queues.module.js';
import { EngineErrorsFilter } from './engine-errors.filter.js';
import { ExperimentGaugesService } from './experiment-gauges.service.js';
import { ExperimentsController } from './experiments.controller.js';
import { ExperimentsService } from './experiments.service.js';

/** The experiments REST API over the engine's runner; resumes RUNNING experiments at start-up. */
@Module({
  imports: [QueuesModule],
  controllers: [ExperimentsController],
  providers: [ExperimentsService, ExperimentGaugesService, { provide: APP_FILTER, useClass: EngineErrorsFilter }],
})
export class ExperimentsModule {}
